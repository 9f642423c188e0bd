import type { EntityKind, Snapshot } from '../snapshot/types.ts';
import { type BuildPage, buildPages } from './buildPage.ts';
import { type EntityPage, type EntityPageRange, entityPageCount, entityPages } from './entityPage.ts';
import type { LogMode } from './failureSummary.ts';
import { type HomePage, homePage } from './homePage.ts';
import {
  type Listing,
  type ListingPage,
  type ListingPageSpec,
  listingPageSpecs,
  listingPages,
  listings,
} from './listing.ts';
import { type LogPage, type LogPageOptions, logPages } from './logPage.ts';
import { type SearchPage, searchPage } from './searchPage.ts';
import { type Site, loadSite } from './site.ts';
import { type SourcePage, type StampPageRange, buildsOnSourcePage, sourcePageCount, sourcePages } from './sourcePage.ts';

/**
 * The archive as units of work. Each window names a bounded slice of the snapshot; rendering a
 * window reads only that slice, so any window can be rendered in any process, in any order.
 * Windows are plain JSON, to be sent to worker processes.
 */
export type Window =
  | { kind: 'home' }
  | { kind: 'logs'; from: number; to: number; count: number }
  | { kind: 'builds'; from: number; to: number; pages: number }
  /** Pages of one or more sourcestamps, at most `buildsPerWindow` builds: a big stamp's span windows. */
  | { kind: 'sources'; parts: StampPageRange[] }
  /** Pages of one or more listings: small listings share a window. */
  | { kind: 'listing'; parts: { listing: number; pageCount: number; specs: ListingPageSpec[] }[] }
  /** Pages of one or more builders (workers, masters): a busy one's pages span windows. */
  | { kind: 'entities'; entity: EntityKind; parts: EntityPageRange[] };

/** Everything one window renders, by template. */
export interface PageSet {
  home: HomePage[];
  build: BuildPage[];
  source: SourcePage[];
  listing: ListingPage[];
  entity: EntityPage[];
  log: LogPage[];
  search: SearchPage[];
}

export interface ArchiveOptions {
  /** Builds per window: bounds the memory of one render. */
  buildsPerWindow: number;
  /** full: log pages, raw files and failure summaries; summary: failure summaries only; none. */
  logs: LogMode;
  /** Logs longer than this show head, tail and errors on their page (the raw file has it all). */
  logPageLines: number;
  /** Whether search indexes are written (the search page says when they are not). */
  search: boolean;
}

export const DEFAULT_ARCHIVE_OPTIONS: ArchiveOptions = { buildsPerWindow: 1000, logs: 'full', logPageLines: 5000, search: true };
/** Log lines one window renders at most (a single longer log gets a window of its own). */
const LOG_LINES_PER_WINDOW = 200_000;

/** Cuts the whole archive into windows of about `buildsPerWindow` pages each. */
export function planWindows({ snapshot, site, listings, options }: Archive): Window[] {
  const size = options.buildsPerWindow;
  const windows: Window[] = [{ kind: 'home' }];
  windows.push(...buildWindows(snapshot, size));
  if (options.logs === 'full') windows.push(...logWindows(snapshot, size, Math.min(options.logPageLines, LOG_LINES_PER_WINDOW)));
  windows.push(...sourceWindows(snapshot, size));
  // A listing page reads up to 50 stamps and their builds: its windows hold a fiftieth as many pages.
  const listingSpecs = listings.map((listing, index) => ({ index, specs: listingPageSpecs(snapshot, listing) }));
  const listingRanges = packPages(listingSpecs, ({ specs }) => specs.length, Math.max(1, Math.floor(size / 50)));
  for (const ranges of listingRanges) {
    const parts = ranges.map(({ item: { index, specs }, start, end }) => ({
      listing: index,
      pageCount: specs.length,
      specs: specs.slice(start, end),
    }));
    windows.push({ kind: 'listing', parts });
  }
  const entities: [EntityKind, number[]][] = [
    ['builder', [...site.builders.keys()]],
    ['worker', [...site.workers.keys()]],
    ['master', [...site.masters.keys()]],
  ];
  for (const [entity, ids] of entities) windows.push(...entityWindows(snapshot, entity, ids, size));
  return windows;
}

/**
 * Windows of sourcestamp pages holding at most `size` builds, in stamp order. A page without
 * builds counts as one, so a window also holds at most `size` pages.
 */
function sourceWindows(snapshot: Snapshot, size: number): Window[] {
  const counts = snapshot.stampBuildCounts();
  const windows: Window[] = [];
  let parts: StampPageRange[] = [];
  let weight = 0;
  for (const id of snapshot.sourcestampIds({ kind: 'all' })) {
    const buildCount = counts.get(id) ?? 0;
    for (let page = 1; page <= sourcePageCount(buildCount); page++) {
      const pageWeight = Math.max(1, buildsOnSourcePage(buildCount, page));
      if (parts.length > 0 && weight + pageWeight > size) {
        windows.push({ kind: 'sources', parts });
        parts = [];
        weight = 0;
      }
      const last = parts.at(-1);
      if (last?.id === id) last.last = page;
      else parts.push({ id, buildCount, first: page, last: page });
      weight += pageWeight;
    }
  }
  if (parts.length > 0) windows.push({ kind: 'sources', parts });
  return windows;
}

/** Windows of at most `size` pages of builders (workers, masters), in id order. */
function entityWindows(snapshot: Snapshot, entity: EntityKind, ids: readonly number[], size: number): Window[] {
  const counts = snapshot.buildCounts(entity);
  const entities = ids.map((id) => ({ id, buildCount: counts.get(id) ?? 0 }));
  return packPages(entities, ({ buildCount }) => entityPageCount(buildCount), size).map((ranges) => ({
    kind: 'entities',
    entity,
    parts: ranges.map(({ item: { id, buildCount }, start, end }) => ({ id, buildCount, first: start + 1, last: end })),
  }));
}

interface PageRange<T> {
  item: T;
  start: number;
  end: number;
}

/**
 * Packs the pages of many items into windows of at most `perWindow` pages, in order: small items
 * share a window, a large one is split across windows. Each range is [start, end) of its item's pages.
 */
function packPages<T>(items: readonly T[], pageCount: (item: T) => number, perWindow: number): PageRange<T>[][] {
  const windows: PageRange<T>[][] = [];
  let current: PageRange<T>[] = [];
  let pagesInWindow = 0;
  for (const item of items) {
    const pages = pageCount(item);
    for (let start = 0; start < pages; ) {
      const end = Math.min(pages, start + perWindow - pagesInWindow);
      current.push({ item, start, end });
      pagesInWindow += end - start;
      start = end;
      if (pagesInWindow === perWindow) {
        windows.push(current);
        current = [];
        pagesInWindow = 0;
      }
    }
  }
  if (current.length > 0) windows.push(current);
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

/**
 * Windows of consecutive logs holding at most `count` logs and about LOG_LINES_PER_WINDOW lines
 * (a log counts with at most `pageLines`: longer ones are capped on their page).
 */
function logWindows(snapshot: Snapshot, count: number, pageLines: number): Window[] {
  const windows: Window[] = [];
  let current: { from: number; to: number; count: number; lines: number } | null = null;
  for (const log of snapshot.logSizes()) {
    const lines = Math.min(log.lines, pageLines);
    if (current && (current.count >= count || current.lines + lines > LOG_LINES_PER_WINDOW)) {
      windows.push({ kind: 'logs', from: current.from, to: current.to, count: current.count });
      current = null;
    }
    if (!current) current = { from: log.id, to: log.id, count: 0, lines: 0 };
    current.to = log.id;
    current.count++;
    current.lines += lines;
  }
  if (current) windows.push({ kind: 'logs', from: current.from, to: current.to, count: current.count });
  return windows;
}

const emptyPageSet = (): PageSet => ({ home: [], build: [], source: [], listing: [], entity: [], log: [], search: [] });

/** What a process keeps while it renders windows of one snapshot. */
export interface Archive {
  snapshot: Snapshot;
  site: Site;
  listings: Listing[];
  options: ArchiveOptions;
}

export function loadArchive(snapshot: Snapshot, name: string, options: ArchiveOptions): Archive {
  const site = loadSite(snapshot, name);
  return { snapshot, site, listings: listings(snapshot, site), options };
}

/** Builds the page models of one window; raw log text goes to the sinks `rawSink` opens. */
export function windowPages(
  { snapshot, site, listings, options }: Archive,
  window: Window,
  rawSink: LogPageOptions['rawSink'],
): PageSet {
  const pages = emptyPageSet();
  switch (window.kind) {
    case 'logs':
      pages.log = logPages(snapshot, site, window.from, window.to, { pageLines: options.logPageLines, rawSink });
      break;
    case 'home':
      pages.home.push(homePage(snapshot, site, listings));
      pages.search.push(searchPage(site, options.search));
      break;
    case 'builds':
      pages.build = buildPages(snapshot, site, window.from, window.to, {
        logs: options.logs,
        logPageLines: options.logPageLines,
      });
      break;
    case 'sources':
      pages.source = sourcePages(snapshot, site, window.parts);
      break;
    case 'listing': {
      pages.listing = window.parts.flatMap((part) => {
        const listing = listings[part.listing];
        if (!listing) throw new Error(`listing ${part.listing} is not in this snapshot`);
        return listingPages(snapshot, site, listing, part.pageCount, part.specs);
      });
      break;
    }
    case 'entities':
      pages.entity = entityPages(snapshot, site, window.entity, window.parts);
      break;
  }
  return pages;
}

/** The pages a window will write, known from the plan alone: progress and its ETA count these. */
export function plannedPageCount(window: Window): number {
  switch (window.kind) {
    case 'home':
      return 2; // the home page and the search page
    case 'logs':
      return window.count;
    case 'builds':
      return window.pages;
    case 'sources':
    case 'entities':
      return window.parts.reduce((sum, part) => sum + part.last - part.first + 1, 0);
    case 'listing':
      return window.parts.reduce((sum, part) => sum + part.specs.length, 0);
  }
}

export function pageCount(pages: PageSet): number {
  return Object.values(pages).reduce((sum, list: unknown[]) => sum + list.length, 0);
}
