import type { EntityKind, Snapshot } from '../snapshot/types.ts';
import { type BuildPage, buildPages } from './buildPage.ts';
import { type EntityPage, entityPages } from './entityPage.ts';
import { type HomePage, homePage } from './homePage.ts';
import {
  type Listing,
  type ListingPage,
  type ListingPageSpec,
  listingPageSpecs,
  listingPages,
  listings,
} from './listing.ts';
import { type Site, loadSite } from './site.ts';
import { type SourcePage, sourcePages } from './sourcePage.ts';

/**
 * The archive as units of work. Each window names a bounded slice of the snapshot; rendering a
 * window reads only that slice, so any window can be rendered in any process, in any order.
 * Windows are plain JSON, to be sent to worker processes.
 */
export type Window =
  | { kind: 'home' }
  | { kind: 'builds'; from: number; to: number; pages: number }
  | { kind: 'sources'; ids: number[] }
  | { kind: 'listing'; listing: number; pageCount: number; specs: ListingPageSpec[] }
  | { kind: 'entities'; entity: EntityKind; ids: number[] };

/** Everything one window renders, by template. */
export interface PageSet {
  home: HomePage[];
  build: BuildPage[];
  source: SourcePage[];
  listing: ListingPage[];
  entity: EntityPage[];
}

export interface PlanOptions {
  /** Builds per window: bounds the memory of one render. */
  buildsPerWindow: number;
}

export const DEFAULT_PLAN_OPTIONS: PlanOptions = { buildsPerWindow: 1000 };

/** Cuts the whole archive into windows of about `buildsPerWindow` pages each. */
export function planWindows({ snapshot, site, listings }: Archive, options: PlanOptions = DEFAULT_PLAN_OPTIONS): Window[] {
  const size = options.buildsPerWindow;
  const windows: Window[] = [{ kind: 'home' }];
  windows.push(...buildWindows(snapshot, size));
  const stampIds = snapshot.sourcestampIds({ kind: 'all' });
  for (let start = 0; start < stampIds.length; start += size) {
    windows.push({ kind: 'sources', ids: stampIds.slice(start, start + size) });
  }
  const pagesPerWindow = Math.max(1, Math.floor(size / 50));
  listings.forEach((listing, index) => {
    const specs = listingPageSpecs(snapshot, listing);
    for (let start = 0; start < specs.length; start += pagesPerWindow) {
      windows.push({ kind: 'listing', listing: index, pageCount: specs.length, specs: specs.slice(start, start + pagesPerWindow) });
    }
  });
  const entities: [EntityKind, number[]][] = [
    ['builder', [...site.builders.keys()]],
    ['worker', [...site.workers.keys()]],
    ['master', [...site.masters.keys()]],
  ];
  const entitiesPerWindow = Math.max(1, Math.floor(size / 20));
  for (const [entity, ids] of entities) {
    for (let start = 0; start < ids.length; start += entitiesPerWindow) {
      windows.push({ kind: 'entities', entity, ids: ids.slice(start, start + entitiesPerWindow) });
    }
  }
  return windows;
}

/** Id ranges holding about `size` builds each, found by walking the ids in order. */
function buildWindows(snapshot: Snapshot, size: number): Window[] {
  const bounds = snapshot.buildIdBounds();
  if (!bounds) return [];
  const windows: Window[] = [];
  let from = bounds.min;
  while (from <= bounds.max) {
    const ids = snapshot.buildIds(from, from + size * 4);
    const slice = ids.slice(0, size);
    const last = slice.at(-1);
    if (last === undefined) {
      from += size * 4 + 1;
      continue;
    }
    windows.push({ kind: 'builds', from, to: last, pages: slice.length });
    from = last + 1;
  }
  return windows;
}

const emptyPageSet = (): PageSet => ({ home: [], build: [], source: [], listing: [], entity: [] });

/** What a process keeps while it renders windows of one snapshot. */
export interface Archive {
  snapshot: Snapshot;
  site: Site;
  listings: Listing[];
}

export function loadArchive(snapshot: Snapshot, name: string): Archive {
  const site = loadSite(snapshot, name);
  return { snapshot, site, listings: listings(snapshot, site) };
}

/** Builds the page models of one window. */
export function windowPages({ snapshot, site, listings }: Archive, window: Window): PageSet {
  const pages = emptyPageSet();
  switch (window.kind) {
    case 'home':
      pages.home.push(homePage(snapshot, site, listings));
      break;
    case 'builds':
      pages.build = buildPages(snapshot, site, window.from, window.to);
      break;
    case 'sources':
      pages.source = sourcePages(snapshot, site, window.ids);
      break;
    case 'listing': {
      const listing = listings[window.listing];
      if (!listing) throw new Error(`listing ${window.listing} is not in this snapshot`);
      pages.listing = listingPages(snapshot, site, listing, window.pageCount, window.specs);
      break;
    }
    case 'entities':
      pages.entity = entityPages(snapshot, site, window.entity, window.ids);
      break;
  }
  return pages;
}

export function pageCount(pages: PageSet): number {
  return Object.values(pages).reduce((sum, list: unknown[]) => sum + list.length, 0);
}
