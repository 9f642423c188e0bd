import { describe, expect, it } from 'vitest';
import { changedFixedPages, fixedPager, fixedPaging } from '../../src/pages/paging.ts';

/** Every page's items of a list of `items` cut into fixed pages of `size`, as index lists. */
function layout(items: number, size: number): number[][] {
  return Array.from({ length: fixedPaging.count(items, size) }, (_, index) => {
    const { offset, limit } = fixedPaging.slice(index + 1, items, size);
    return Array.from({ length: limit }, (_, i) => offset + i);
  });
}

describe('fixed pages', () => {
  it.each([
    [0, [[]]],
    [3, [[0, 1, 2]]],
    [10, [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]],
    [11, [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]],
    [20, [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]]],
    [29, [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28]]],
  ])('cut %i items into pages of 10, the newest holding the rest', (items, pages) => {
    expect(layout(items, 10)).toEqual(pages);
    for (const [page, indexes] of pages.entries()) for (const index of indexes) expect(fixedPaging.pageOf(index, items, 10)).toBe(page + 1);
  });

  it('never change an older page while the list grows at its end', () => {
    for (let items = 1; items < 60; items++) {
      const before = layout(items, 10);
      const after = layout(items + 1, 10);
      for (let page = 0; page < before.length - 1; page++) expect(after[page]).toEqual(before[page]);
    }
  });

  it('say the page count on the newest page only', () => {
    expect(fixedPager(3, 3, String)).toEqual({ number: 3, count: 3, newer: null, older: '2', newest: null, oldest: '1' });
    expect(fixedPager(1, 3, String)).toEqual({ number: 1, count: null, newer: '2', older: null, newest: '3', oldest: null });
  });
});

describe('the fixed pages an update changed', () => {
  /** Pages whose items or links differ between two lists, found by comparing their layouts. */
  function differing(before: number, after: number, size: number, moved: number | null, changed: number[]): number[] {
    const oldPages = layout(before, size);
    const newPages = layout(after, size);
    // As urls.ts writes them: the newest page is the list's own address, whatever the count.
    const links = (number: number, count: number) => JSON.stringify(fixedPager(number, count, (page) => (page === count ? 'list/' : `list/page/${page}/`)));
    return newPages.flatMap((items, index) => {
      const number = index + 1;
      const old = oldPages[index];
      const same =
        old !== undefined &&
        number < oldPages.length === number < newPages.length &&
        JSON.stringify(old) === JSON.stringify(items) &&
        links(number, oldPages.length) === links(number, newPages.length) &&
        !items.some((item) => changed.includes(item) || (moved !== null && item >= moved));
      return same ? [] : [number];
    });
  }

  it('covers every page whose items, count or links changed, for lists growing at the end', () => {
    for (let before = 0; before < 45; before++) {
      for (const added of [0, 1, 7, 10, 23]) {
        const after = before + added;
        const moved = added > 0 ? before : null;
        for (const changed of [[], [0], [12]].map((indexes) => indexes.filter((index) => index < before))) {
          expect(changedFixedPages(before, after, 10, moved, changed), `${before} → ${after}, changed ${changed}`).toEqual(
            differing(before, after, 10, moved, changed),
          );
        }
      }
    }
  });

  it('covers every page of a new list', () => {
    expect(changedFixedPages(null, 0, 10, null, [])).toEqual([1]);
    expect(changedFixedPages(null, 35, 10, 0, [])).toEqual([1, 2, 3]);
  });

  it('covers the pages from a build that joined in the middle', () => {
    expect(changedFixedPages(35, 36, 10, 4, [])).toEqual([1, 2, 3]);
    expect(changedFixedPages(35, 36, 10, null, [31])).toEqual([3]);
  });
});
