import type { Snapshot, StampFilter } from '../snapshot/types.ts';
import { type ListingKey, urls } from '../urls.ts';
import { type PlatformGroup, groupByPlatform, platformsOf } from './buildChips.ts';
import { type ChangeView, changeView } from './changes.ts';
import { type Link, Linker, type PageBase, type Site, pageBase } from './site.ts';

export const STAMPS_PER_LISTING_PAGE = 50;
/** Builds shown in one listing row; the rest are on the sourcestamp's own page. */
export const BUILDS_PER_LISTING_ROW = 40;

/** One listing of sourcestamps: all of them, or a static facet of Coconut's filters. */
export interface Listing {
  key: ListingKey;
  title: string;
  filter: StampFilter;
  /** Tag listings show only the builds of the tag's builders. */
  builderIds?: number[];
}

export function listings(snapshot: Snapshot, site: Site): Listing[] {
  const branches = snapshot.branches().map(
    (branch): Listing => ({
      key: { kind: 'branch', branch },
      title: branch === null ? 'Sourcestamps without a branch' : `Sourcestamps on branch ${branch}`,
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

/** Page `number` (1 = oldest) holds these stamp ids. */
export interface ListingPageSpec {
  number: number;
  stampIds: number[];
}

/** Cuts a listing's stamps, oldest first, into fixed pages: page n never changes once full. */
export function listingPageSpecs(snapshot: Snapshot, listing: Listing): ListingPageSpec[] {
  const ids = snapshot.sourcestampIds(listing.filter);
  const specs: ListingPageSpec[] = [];
  for (let start = 0; start < ids.length || specs.length === 0; start += STAMPS_PER_LISTING_PAGE) {
    specs.push({ number: specs.length + 1, stampIds: ids.slice(start, start + STAMPS_PER_LISTING_PAGE) });
  }
  return specs;
}

export interface ListingRow {
  stamp: Link;
  branch: string | null;
  revision: string | null;
  changes: ChangeView[];
  platforms: PlatformGroup[];
  /** Builds beyond the row's bound, on the stamp's page. */
  more: { count: number; href: string } | null;
}

export interface ListingPage extends PageBase {
  heading: string;
  number: number;
  pageCount: number;
  rows: ListingRow[];
  newer: string | null;
  older: string | null;
  newest: string | null;
  oldest: string | null;
}

export function listingPages(
  snapshot: Snapshot,
  site: Site,
  listing: Listing,
  pageCount: number,
  specs: ListingPageSpec[],
): ListingPage[] {
  const ids = specs.flatMap((spec) => spec.stampIds);
  const stamps = new Map(snapshot.sourcestamps(ids).map((stamp) => [stamp.id, stamp]));
  const changes = snapshot.changesOfSourcestamps(ids);
  const builds = snapshot.buildsOfSourcestamps(ids, BUILDS_PER_LISTING_ROW, listing.builderIds);
  const platforms = platformsOf(snapshot, [...builds.values()].flatMap((entry) => entry.builds));

  return specs.map((spec) => {
    const url = urls.listing(listing.key, spec.number, pageCount);
    const link = new Linker(url, site);
    const pageLink = (number: number) => link.to(urls.listing(listing.key, number, pageCount));
    const rows = [...spec.stampIds].reverse().map((id): ListingRow => {
      const stamp = stamps.get(id);
      const stampBuilds = builds.get(id) ?? { total: 0, builds: [] };
      const hidden = stampBuilds.total - stampBuilds.builds.length;
      return {
        stamp: { href: link.to(urls.source(id)), text: `#${id}` },
        branch: stamp?.branch ?? null,
        revision: stamp?.revision ?? null,
        changes: (changes.get(id) ?? []).map(changeView),
        platforms: groupByPlatform(stampBuilds.builds, platforms, site, link),
        more: hidden > 0 ? { count: hidden, href: link.to(urls.source(id)) } : null,
      };
    });
    const pageTitle = pageCount > 1 ? `${listing.title}, page ${spec.number} of ${pageCount}` : listing.title;
    return {
      ...pageBase(link, site, pageTitle),
      heading: listing.title,
      number: spec.number,
      pageCount,
      rows,
      newer: spec.number < pageCount ? pageLink(spec.number + 1) : null,
      older: spec.number > 1 ? pageLink(spec.number - 1) : null,
      newest: spec.number < pageCount - 1 ? pageLink(pageCount) : null,
      oldest: spec.number > 2 ? pageLink(1) : null,
    };
  });
}
