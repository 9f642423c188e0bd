import type { RecordReader, StampFilter } from '../record/reader.ts';
import { type PageUrl, branchSegment, fixedPaged, pathSegment } from '../urls.ts';
import { type StampBuildsView, readStampBuilds } from './buildChips.ts';
import { type ChangeView, changeView } from './changes.ts';
import { type PageKind, cutByWeight, idSpan } from './kind.ts';
import { type FixedPageIds, type FixedPager, changedIdPages, fixedPageIds, fixedPager, fixedPaging } from './paging.ts';
import { Linker, type PageBase, type Site, pageBase } from './site.ts';
import { branchName } from './values.ts';

export type ListingKey =
  | { kind: 'all' }
  | { kind: 'nonempty' }
  | { kind: 'branch'; branch: string | null }
  | { kind: 'tag'; tag: string };

/** A listing's pages are numbered from the oldest stamp; the newest is the listing's own address. */
export function listingUrl(key: ListingKey, page: number, pageCount: number): PageUrl {
  return fixedPaged(listingBase(key), page, pageCount);
}

function listingBase(key: ListingKey): PageUrl {
  switch (key.kind) {
    case 'all':
      return 'sources/';
    case 'nonempty':
      return 'sources/nonempty/';
    case 'branch':
      return `sources/branch/${branchSegment(key.branch)}/`;
    case 'tag':
      return `sources/tag/${pathSegment(key.tag)}/`;
  }
}

export const STAMPS_PER_LISTING_PAGE = 50;

/** One listing of sourcestamps: all of them, or a static facet of Coconut's filters. */
export interface Listing {
  key: ListingKey;
  title: string;
  filter: StampFilter;
  /** Tag listings show only the builds of the tag's builders. */
  builderIds?: number[];
}

export function listings(record: RecordReader, site: Site): Listing[] {
  const branches = record.branches().map(
    (branch): Listing => ({
      key: { kind: 'branch', branch },
      title: branch === null ? `Sourcestamps on ${branchName(branch)}` : `Sourcestamps on branch ${branch}`,
      filter: { kind: 'branch', branch },
    }),
  );
  const tags = [...new Set([...site.builders.values()].flatMap((builder) => builder.tags))].sort().map(
    (tag): Listing => {
      const builderIds = [...site.builders.values()].filter((b) => b.tags.includes(tag)).map((b) => b.id);
      return {
        key: { kind: 'tag', tag },
        title: `Sourcestamps built by ${site.tagWord} ${tag}`,
        filter: { kind: 'builders', builderIds },
        builderIds,
      };
    },
  );
  return [
    { key: { kind: 'all' }, title: 'All sourcestamps', filter: { kind: 'all' } },
    { key: { kind: 'nonempty' }, title: 'Sourcestamps with builds and changes', filter: { kind: 'nonempty' } },
    ...branches,
    ...tags,
  ];
}

/** Some pages of one listing (by its index among the archive's listings). */
export interface ListingPart {
  listing: number;
  pageCount: number;
  specs: FixedPageIds[];
}

/** Coconut's /sources: every listing's pages, 50 stamps a page, each with its changes and builds. */
export const listingKind: PageKind<ListingPart> = {
  name: 'listing',
  body: 'listing',
  folder: 'sources',
  section: { text: 'Sourcestamps', url: listingUrl({ kind: 'all' }, 1, 1) },
  plan: ({ record, listings, options }) =>
    listings.flatMap((listing, index) => {
      const ids = record.sourcestampIds(listing.filter);
      return listingParts(index, ids, fixedPageIds(ids, STAMPS_PER_LISTING_PAGE), options.buildsPerWindow);
    }),
  changed: ({ record, listings, options }, before) => {
    const changedStamps = new Set(record.changedSourcestamps());
    const listedBefore = new Map(before.listings.map((listing) => [listingId(listing), listing]));
    const parts: ListingPart[] = [];
    for (const [index, listing] of listings.entries()) {
      const ids = record.sourcestampIds(listing.filter);
      const old = listedBefore.get(listingId(listing));
      const pages = changedIdPages(old ? before.record.sourcestampIds(old.filter) : null, ids, STAMPS_PER_LISTING_PAGE, changedStamps);
      // A stamp left the listing (its branch was filled in): not followed page by page.
      if (pages === null) return null;
      parts.push(...listingParts(index, ids, fixedPageIds(ids, STAMPS_PER_LISTING_PAGE, pages), options.buildsPerWindow));
    }
    return parts;
  },
  pageCount: (part) => part.specs.length,
  weight: (part) => part.specs.reduce((sum, spec) => sum + listingPageWeight(spec), 0),
  describe: (part) => `listing ${part.listing} pages ${idSpan(part.specs.map((spec) => spec.number))}`,
  pages: ({ record, site, listings }, part) => {
    const listing = listings[part.listing];
    if (!listing) throw new Error(`listing ${part.listing} is not in this record`);
    return listingPages(record, site, listing, part.pageCount, part.specs);
  },
};

/** A listing page reads its stamps' changes and builds: it weighs its stamps (one at least). */
const listingPageWeight = (spec: FixedPageIds) => Math.max(1, spec.ids.length);
const listingId = (listing: Listing) => JSON.stringify(listing.key);

function listingParts(listing: number, ids: readonly number[], specs: FixedPageIds[], budget: number): ListingPart[] {
  const pageCount = fixedPaging.count(ids.length, STAMPS_PER_LISTING_PAGE);
  return Array.from(cutByWeight(specs, listingPageWeight, budget), (run) => ({ listing, pageCount, specs: run }));
}

export interface ListingRow extends StampBuildsView {
  changes: ChangeView[];
}

export interface ListingPage extends PageBase {
  heading: string;
  rows: ListingRow[];
  pager: FixedPager;
}

export function listingPages(
  record: RecordReader,
  site: Site,
  listing: Listing,
  pageCount: number,
  specs: FixedPageIds[],
): ListingPage[] {
  const ids = specs.flatMap((spec) => spec.ids);
  const stamps = new Map(record.sourcestamps(ids).map((stamp) => [stamp.id, stamp]));
  const changes = record.changesOfSourcestamps(ids);
  const stampBuilds = readStampBuilds(record, ids, listing.builderIds);

  return specs.map((spec) => {
    const url = listingUrl(listing.key, spec.number, pageCount);
    const link = new Linker(url, site);
    const pageLink = (number: number) => link.to(listingUrl(listing.key, number, pageCount));
    const rows = [...spec.ids].reverse().map(
      (id): ListingRow => ({
        ...stampBuilds(id, stamps.get(id), site, link),
        changes: (changes.get(id) ?? []).map((change) => changeView(change, link)),
      }),
    );
    return {
      ...pageBase(link, site, spec.number === pageCount ? listing.title : `${listing.title}, page ${spec.number}`, {
        above: listing.key.kind === 'all' && spec.number === pageCount ? [] : [link.section('listing')],
      }),
      heading: listing.title,
      rows,
      pager: fixedPager(spec.number, pageCount, pageLink),
    };
  });
}
