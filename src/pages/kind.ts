import type { Snapshot } from '../snapshot/types.ts';
import type { LogMode } from './failureSummary.ts';
import type { Listing } from './listing.ts';
import type { RawLogSink } from './logPage.ts';
import type { Site } from './site.ts';
import type { LogInfo } from '../model/types.ts';

export interface ArchiveOptions {
  /** Builds per window: bounds the memory of one render. */
  buildsPerWindow: number;
  /** full: log pages, raw files and failure summaries; summary: failure summaries only; none. */
  logs: LogMode;
  /** Logs longer than this show head, tail and errors on their page (the raw file has it all). */
  logPageLines: number;
  /** Whether search indexes are written (the search page says when they are not). */
  search: boolean;
  /** Where the archive is served, ending in '/': feeds link absolutely, pages name their canonical address. */
  baseUrl: string | null;
  /** A folder laid over copra's templates (its `_includes/` and `assets/`), or null. */
  templates: string | null;
}

export const DEFAULT_ARCHIVE_OPTIONS: ArchiveOptions = {
  buildsPerWindow: 1000,
  logs: 'full',
  logPageLines: 5000,
  search: true,
  baseUrl: null,
  templates: null,
};

/** What a process keeps while it plans or renders the pages of one record. */
export interface Archive {
  snapshot: Snapshot;
  site: Site;
  listings: Listing[];
  options: ArchiveOptions;
}

/** Files a page kind writes besides its pages: a log's raw text. Opened by the render layer. */
export interface PageFiles {
  rawLog(log: LogInfo): RawLogSink;
}

/**
 * One kind of page — build pages, log pages, a builder's pages… — in one module: which pages
 * exist, cut into parts of bounded cost; which of them an update changed; and the page models of a
 * part. The planner (plan.ts) walks the list of kinds and packs their parts into windows; it
 * knows no kind by name. Parts are plain JSON: they travel to render workers.
 */
export interface PageKind<Part = unknown> {
  /** Unique among kinds. */
  readonly name: string;
  /** The template that renders these pages: templates/<template>.njk paginates over `pages.<template>`. */
  readonly template: string;
  /** Parts covering every page of this kind, in order, each weighing at most the archive's budget. */
  plan(archive: Archive): Part[];
  /**
   * Parts covering the pages that changed since `before`, the same archive as the last build left
   * it; null when the change cannot be followed page by page (the whole archive is rendered then).
   */
  changed(archive: Archive, before: Archive): Part[] | null;
  /** Pages a part writes: known from the plan alone, so progress can count them. */
  pageCount(part: Part): number;
  /** What rendering a part costs, in build pages: a window holds parts up to `buildsPerWindow`. */
  weight(part: Part): number;
  /** For people: "builds 1001–2000". */
  describe(part: Part): string;
  /** The models of a part's pages. */
  pages(archive: Archive, part: Part, files: PageFiles): unknown[];
}

/** Builders whose pages an update may change: those of changed builds, and new builders; sorted. */
export function touchedBuilders({ snapshot, site }: Archive, before: Archive): number[] {
  const ids = new Set(snapshot.changedBuildOwners().map((build) => build.builder));
  for (const id of site.builders.keys()) if (!before.site.builders.has(id)) ids.add(id);
  return [...ids].filter((id) => site.builders.has(id)).sort((a, b) => a - b);
}

/**
 * A kind of one page that summarises the whole archive (home, the builder board): every update
 * renders it again. Its template is named after the kind.
 */
export function summaryPageKind(name: string, description: string, page: (archive: Archive) => unknown): PageKind<object> {
  return {
    name,
    template: name,
    plan: () => [{}],
    changed: () => [{}],
    pageCount: () => 1,
    weight: () => 1,
    describe: () => description,
    pages: (archive) => [page(archive)],
  };
}

/**
 * Cuts weighted units, in order, into runs of at most `budget` (a heavier unit is a run alone).
 * Lazy both ways, so a kind with millions of pages never holds them all as units.
 */
export function* cutByWeight<T>(units: Iterable<T>, weight: (unit: T) => number, budget: number): Generator<T[]> {
  let run: T[] = [];
  let total = 0;
  for (const unit of units) {
    const unitWeight = weight(unit);
    if (run.length > 0 && total + unitWeight > budget) {
      yield run;
      run = [];
      total = 0;
    }
    run.push(unit);
    total += unitWeight;
  }
  if (run.length > 0) yield run;
}

/** Consecutive pages of the same item, merged into ranges. */
export function pageRanges<T extends { id: number; page: number }>(pages: readonly T[]): (Omit<T, 'page'> & { first: number; last: number })[] {
  const ranges: (Omit<T, 'page'> & { first: number; last: number })[] = [];
  for (const { page, ...item } of pages) {
    const last = ranges.at(-1);
    if (last && last.id === item.id && last.last === page - 1) last.last = page;
    else ranges.push({ ...item, first: page, last: page });
  }
  return ranges;
}

/** "1001–2000", or "7" for one. */
export function idSpan(ids: readonly number[]): string {
  const first = ids[0];
  const last = ids.at(-1);
  return first === last ? String(first) : `${first}–${last}`;
}
