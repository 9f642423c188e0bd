import type { LogInfo } from '../model/types.ts';
import type { RecordReader } from '../record/reader.ts';
import type { Listing } from './listing.ts';
import type { RawLogSink } from './logPage.ts';
import type { Section, Site } from './site.ts';
import type { DataWarning } from './warnings.ts';

/** full: log pages, raw files and failure summaries; summary: failure summaries only; none. */
export type LogMode = 'full' | 'summary' | 'none';

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
  record: RecordReader;
  site: Site;
  listings: Listing[];
  options: ArchiveOptions;
}

/** Files a page kind writes besides its pages: a log's raw text, a build's data. Written by the render layer. */
export interface PageFiles {
  rawLog(log: LogInfo): RawLogSink;
  /** Writes `bytes` at the archive path `url`. */
  file(url: string, bytes: Uint8Array): void;
}

/** Files nobody keeps: for measuring and testing page models. */
export const DISCARDED_FILES: PageFiles = { rawLog: () => ({ write: () => {}, close: () => {} }), file: () => {} };

/**
 * What a kind's page models carry besides what their template shows: the problems of the
 * snapshot's rows each page met (see Linker), which the build counts in its summary.
 */
export interface PageModel {
  warnings: DataWarning[];
}

/**
 * One kind of page — build pages, log pages, a builder's pages… — in one module: which pages
 * exist, cut into parts of bounded cost; which of them an update changed; the page models of a
 * part; where its pages are written; and the queries only it makes. The list of kinds (kinds.ts)
 * is the only place that names them all: the planner (plan.ts) walks it and packs the kinds'
 * parts into windows; templates, the header's sections and the folders a 404 page knows derive
 * from it. Parts are plain JSON: they travel to render workers.
 */
export interface PageKind<Part = unknown> {
  /** Unique among kinds. */
  readonly name: string;
  /**
   * The template body of its pages, templates/_includes/pages/<body>.njk: an HTML page's body
   * extends layouts/base.njk; a feed's or a badge's is the whole file.
   */
  readonly body: string;
  /** The folder at the archive's root that its pages are written under; null for files at the root. */
  readonly folder: string | null;
  /** Its page in every page's header, when it is one of the archive's sections (in the list's order). */
  readonly section?: Section;
  /** Whether an archive has pages of this kind at all, where some have none: its section is left out of their headers. */
  readonly inArchive?: (record: RecordReader) => boolean;
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
  /** The models of a part's pages, each with the warnings it met. */
  pages(archive: Archive, part: Part, files: PageFiles): PageModel[];
}

/** Builders whose pages an update may change: those of changed builds, and new builders; sorted. */
export function touchedBuilders({ record, site }: Archive, before: Archive): number[] {
  const ids = new Set(record.changedBuildOwners().map((build) => build.builder));
  for (const id of site.builders.keys()) if (!before.site.builders.has(id)) ids.add(id);
  return [...ids].filter((id) => site.builders.has(id)).sort((a, b) => a - b);
}

/**
 * A kind of one page that summarises the whole archive (home, the builder board): every update
 * renders it again. Its template body is named after the kind.
 */
export function summaryPageKind(
  name: string,
  where: { folder: string | null; section?: Section },
  description: string,
  page: (archive: Archive) => PageModel,
): PageKind<object> {
  return {
    name,
    body: name,
    ...where,
    plan: () => [{}],
    changed: () => [{}],
    pageCount: () => 1,
    weight: () => 1,
    describe: () => description,
    pages: (archive) => [page(archive)],
  };
}

/** A page of a listing that `pagedListKind` makes, and how many pages the listing has. */
export interface ListPart {
  page: number;
  pageCount: number;
}

/**
 * A kind of listing pages under `folder` (`failures/`, `failures/2/`…) whose order moves with
 * every update (a failure seen again, a test run again): every update renders them all again. Its
 * template body is named after the kind; `pageCount` is null for an archive without such pages.
 */
export function pagedListKind(
  name: string,
  section: Section,
  pageCount: (record: RecordReader) => number | null,
  page: (archive: Archive, part: ListPart) => PageModel,
  inArchive?: (record: RecordReader) => boolean,
): PageKind<ListPart> {
  const parts = ({ record }: Archive): ListPart[] => {
    const count = pageCount(record);
    return count === null ? [] : Array.from({ length: count }, (_, index) => ({ page: index + 1, pageCount: count }));
  };
  return {
    name,
    body: name,
    folder: name,
    section,
    ...(inArchive ? { inArchive } : {}),
    plan: parts,
    changed: parts,
    pageCount: () => 1,
    weight: () => 1,
    describe: (part) => `${name} page ${part.page}`,
    pages: (archive, part) => [page(archive, part)],
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
