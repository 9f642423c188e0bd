/** Cuts items into pages of `size`; an empty list still gets one (empty) page. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const pages: T[][] = [];
  for (let start = 0; start < items.length || pages.length === 0; start += size) {
    pages.push(items.slice(start, start + size));
  }
  return pages;
}

export interface Pager {
  number: number;
  count: number;
  previous: string | null;
  next: string | null;
}

/** Links to a paged page's neighbours; `href(n)` gives page n's link. */
export function pager(number: number, count: number, href: (page: number) => string): Pager {
  return {
    number,
    count,
    previous: number > 1 ? href(number - 1) : null,
    next: number < count ? href(number + 1) : null,
  };
}

/**
 * A growing list cut into pages numbered from its oldest item, so that new items change only the
 * newest pages: page k below the last holds items [(k − 1)·size, k·size), and the newest page —
 * the list's own address — holds the rest (from `size` to 2·size − 1 items, once there are that
 * many). An older page's content and links never change while the list only grows at its end.
 */
export const fixedPaging = {
  count: (items: number, size: number): number => Math.max(1, Math.floor(items / size)),

  /** The items of page `page`, as an offset and a length in the list's order (oldest first). */
  slice(page: number, items: number, size: number): { offset: number; limit: number } {
    const offset = (page - 1) * size;
    return { offset, limit: page === fixedPaging.count(items, size) ? Math.max(0, items - offset) : size };
  },

  /** The page that holds the item at `index` (from 0). */
  pageOf: (index: number, items: number, size: number): number => Math.min(fixedPaging.count(items, size), Math.floor(index / size) + 1),
};

/** A fixed page of a list of ids: its number (1 = oldest) and the ids it holds, oldest first. */
export interface FixedPageIds {
  number: number;
  ids: number[];
}

/** Pages `numbers` of a list of ids cut into fixed pages of `size` (every page when `numbers` is omitted). */
export function fixedPageIds(ids: readonly number[], size: number, numbers?: Iterable<number>): FixedPageIds[] {
  const every = Array.from({ length: fixedPaging.count(ids.length, size) }, (_, index) => index + 1);
  return Array.from(numbers ?? every, (number) => {
    const { offset, limit } = fixedPaging.slice(number, ids.length, size);
    return { number, ids: ids.slice(offset, offset + limit) };
  });
}

/** Links between fixed pages. Only the newest page names the page count: older pages never change. */
export interface FixedPager {
  number: number;
  /** The number of pages, shown on the newest page only; null elsewhere. */
  count: number | null;
  newer: string | null;
  older: string | null;
  newest: string | null;
  oldest: string | null;
}

export function fixedPager(number: number, count: number, href: (page: number) => string): FixedPager {
  return {
    number,
    count: number === count ? count : null,
    newer: number < count ? href(number + 1) : null,
    older: number > 1 ? href(number - 1) : null,
    newest: number < count - 1 ? href(count) : null,
    oldest: number > 2 ? href(1) : null,
  };
}

/**
 * The fixed pages of a growing list that an update changed. The list had `before` items (null for
 * a list that is new: all its pages are) and has `after` (no fewer: an item that left a list is
 * not handled here); `firstMoved` is the index from
 * which the two lists differ (items added there or later), or null when they are the same;
 * `changed` are indexes of items whose own content changed. Every page from the first moved item
 * to the newest changes, and when the page count grew, so does the page before the old newest
 * (its "newer" link now leads to a numbered page).
 */
export function changedFixedPages(before: number | null, after: number, size: number, firstMoved: number | null, changed: Iterable<number>): number[] {
  const count = fixedPaging.count(after, size);
  const pages = new Set<number>();
  for (const index of changed) pages.add(fixedPaging.pageOf(index, after, size));
  let from = firstMoved === null ? count + 1 : fixedPaging.pageOf(firstMoved, after, size);
  const countBefore = before === null ? 0 : fixedPaging.count(before, size);
  if (countBefore !== count) from = Math.min(from, Math.max(1, countBefore - 1));
  for (let page = from; page <= count; page++) pages.add(page);
  return [...pages].sort((a, b) => a - b);
}

/**
 * The fixed pages of a growing list of ascending ids that an update changed (changedFixedPages):
 * `before` is the list as the last build had it (null for a new list), `changed` the ids whose
 * own content changed. Null when an id left the list, which is not followed page by page.
 */
export function changedIdPages(before: readonly number[] | null, after: readonly number[], size: number, changed: ReadonlySet<number>): number[] | null {
  if (before !== null && after.length < before.length) return null;
  const positions = after.flatMap((id, position) => (changed.has(id) ? [position] : []));
  return changedFixedPages(before?.length ?? null, after.length, size, firstDifference(before ?? [], after), positions);
}

/** The first index at which two ascending id lists differ (by an id or by length), or null. */
function firstDifference(before: readonly number[], after: readonly number[]): number | null {
  const length = Math.min(before.length, after.length);
  for (let index = 0; index < length; index++) if (before[index] !== after[index]) return index;
  return before.length === after.length ? null : length;
}
