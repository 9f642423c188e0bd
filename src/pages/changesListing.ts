import type { RecordReader } from '../record/reader.ts';
import { type PageUrl, fixedPaged } from '../urls.ts';
import { type ChangeView, changeView } from './changes.ts';
import { type PageKind, cutByWeight, idSpan } from './kind.ts';
import { type FixedPageIds, type FixedPager, changedIdPages, fixedPageIds, fixedPager, fixedPaging } from './paging.ts';
import { Linker, type PageBase, type Site, pageBase } from './site.ts';

/** Changes, numbered from the oldest page like the listings. */
export function changesUrl(page = 1, pageCount = 1): PageUrl {
  return fixedPaged('changes/', page, pageCount);
}

export const CHANGES_PER_PAGE = 50;

export interface ChangesPage extends PageBase {
  /** All changes: said on the newest page only, so older pages never change. */
  changeCount: number | null;
  changes: ChangeView[];
  pager: FixedPager;
}

/** Some pages of the listing (1 = oldest), each with the ids of its changes. */
export interface ChangesPart {
  changeCount: number;
  pageCount: number;
  pages: FixedPageIds[];
}

/**
 * Every change once, newest first, in fixed pages numbered from the oldest (paging.ts): a page
 * holds an exact range of positions in the list of ids, so no boundary skips or repeats a change,
 * and new changes rewrite only the newest pages.
 */
export const changesListingKind: PageKind<ChangesPart> = {
  name: 'changes',
  body: 'changes',
  folder: 'changes',
  section: { text: 'Changes', url: changesUrl() },
  plan: ({ record, options }) => {
    const ids = record.changeIds();
    return changesParts(ids, fixedPageIds(ids, CHANGES_PER_PAGE), options.buildsPerWindow);
  },
  changed: ({ record, options }, before) => {
    const ids = record.changeIds();
    const pages = changedIdPages(before.record.changeIds(), ids, CHANGES_PER_PAGE, new Set(record.changedChanges()));
    return pages && changesParts(ids, fixedPageIds(ids, CHANGES_PER_PAGE, pages), options.buildsPerWindow);
  },
  pageCount: (part) => part.pages.length,
  weight: (part) => part.pages.length,
  describe: (part) => `changes listing pages ${idSpan(part.pages.map((page) => page.number))}`,
  pages: ({ record, site }, part) => changesPages(record, site, part),
};

function changesParts(ids: readonly number[], pages: FixedPageIds[], budget: number): ChangesPart[] {
  const pageCount = fixedPaging.count(ids.length, CHANGES_PER_PAGE);
  // A page reads its 50 changes: weighed as one build page each, windows hold many.
  return Array.from(cutByWeight(pages, () => 1, budget), (run) => ({ changeCount: ids.length, pageCount, pages: run }));
}

function changesPages(record: RecordReader, site: Site, part: ChangesPart): ChangesPage[] {
  const changes = new Map(record.changesWithIds(part.pages.flatMap((page) => page.ids)).map((change) => [change.id, change]));
  return part.pages.map(({ number, ids }) => {
    const link = new Linker(changesUrl(number, part.pageCount), site);
    const newest = number === part.pageCount;
    return {
      ...pageBase(link, site, newest ? 'Changes' : `Changes, page ${number}`, { above: newest ? [] : [link.section('changes')] }),
      changeCount: newest ? part.changeCount : null,
      changes: [...ids].reverse().map((id) => changeView(changes.get(id)!, link)),
      pager: fixedPager(number, part.pageCount, (page) => link.to(changesUrl(page, part.pageCount))),
    };
  });
}
