import type { RecordReader } from '../record/reader.ts';
import { FOLDERS_WITHOUT_PAGES } from '../urls.ts';
import { markUndecodableText } from './encoding.ts';
import { type Archive, type ArchiveOptions, type PageFiles, type PageKind, type PageModel } from './kind.ts';
import { KINDS } from './kinds.ts';
import { listings } from './listing.ts';
import { type Layout, type PageBase, loadSite, sameSite } from './site.ts';
import { type DataWarning, Warnings } from './warnings.ts';

export { type Archive, type ArchiveOptions, DEFAULT_ARCHIVE_OPTIONS, DISCARDED_FILES } from './kind.ts';

const KIND_BY_NAME = new Map(KINDS.map((kind) => [kind.name, kind]));

/** The folders at the archive's root, whether or not this archive has pages in all of them. */
const TOP_FOLDERS = [...new Set([...KINDS.flatMap((kind) => (kind.folder === null ? [] : [kind.folder])), ...FOLDERS_WITHOUT_PAGES])].sort();

/** What the kinds say of an archive's layout: the header's sections it has, and the folders at its root. */
const layoutOf = (record: RecordReader): Layout => ({
  sections: new Map(KINDS.flatMap((kind) => (kind.section && (kind.inArchive?.(record) ?? true) ? [[kind.name, kind.section] as const] : []))),
  topFolders: TOP_FOLDERS,
});

function kindNamed(name: string): PageKind {
  const kind = KIND_BY_NAME.get(name);
  if (!kind) throw new Error(`no page kind "${name}"`);
  return kind;
}

/** One part of one kind's pages, as windows carry it. */
export interface WindowPart {
  kind: string;
  part: unknown;
}

/**
 * The archive as units of work. A window names bounded parts of one or more kinds of page; rendering
 * it reads only those, so any window can be rendered in any process, in any order. Windows are
 * plain JSON, to be sent to worker processes.
 */
export interface Window {
  parts: WindowPart[];
}

/**
 * Page models of one window, each with its kind's template body: templates/page.njk paginates
 * over the list and includes `_includes/pages/<body>.njk` for each.
 */
export type PageSet = (PageModel & { body: string })[];

/** What one window renders, and the problems of the snapshot's rows its pages met. */
export interface WindowModels {
  pages: PageSet;
  warnings: DataWarning[];
}

/** Every page of the archive, as parts of kinds in the order windows render them. */
export function planParts(archive: Archive): WindowPart[] {
  return KINDS.flatMap((kind) => kind.plan(archive).map((part) => ({ kind: kind.name, part })));
}

/** Cuts the whole archive into windows. */
export function planWindows(archive: Archive): Window[] {
  return packWindows(planParts(archive), archive.options.buildsPerWindow);
}

/**
 * Windows of the pages that changed since `before` (the archive as the last build left it), or
 * null when the change cannot be followed page by page and every page must be rendered: a builder,
 * worker or master renamed or retagged, a new platform, a new title.
 */
export function planChangedWindows(archive: Archive, before: Archive): Window[] | null {
  if (!sameSite(before.site, archive.site)) return null;
  const parts: WindowPart[] = [];
  for (const kind of KINDS) {
    const changed = kind.changed(archive, before);
    if (changed === null) return null;
    parts.push(...changed.map((part) => ({ kind: kind.name, part })));
  }
  return packWindows(parts, archive.options.buildsPerWindow);
}

/** Packs parts, in order, into windows of at most `budget` weight: small parts of several kinds share one. */
function packWindows(parts: WindowPart[], budget: number): Window[] {
  const windows: Window[] = [];
  let current: WindowPart[] = [];
  let weight = 0;
  for (const part of parts) {
    const partWeight = kindNamed(part.kind).weight(part.part);
    if (current.length > 0 && weight + partWeight > budget) {
      windows.push({ parts: current });
      current = [];
      weight = 0;
    }
    current.push(part);
    weight += partWeight;
  }
  if (current.length > 0) windows.push({ parts: current });
  return windows;
}

export function loadArchive(record: RecordReader, name: string, options: ArchiveOptions): Archive {
  const site = loadSite(record, name, options.baseUrl, layoutOf(record));
  return { record, site, listings: listings(record, site), options };
}

/** Builds the page models of one window; files beside pages (raw logs) go through `files`. */
export function windowPages(archive: Archive, window: Window, files: PageFiles): WindowModels {
  const pages: PageSet = [];
  const warnings = new Warnings();
  for (const { kind, part } of window.parts) {
    const { body } = kindNamed(kind);
    for (const model of kindNamed(kind).pages(archive, part, files)) {
      if ('url' in model) markUndecodableText(model as PageModel & PageBase);
      warnings.addAll(model.warnings);
      pages.push(Object.assign(model, { body }));
    }
  }
  return { pages, warnings: warnings.list() };
}

/** The pages a window will write, known from the plan alone: progress and its ETA count these. */
export function plannedPageCount(window: Window): number {
  return window.parts.reduce((sum, part) => sum + partPageCount(part), 0);
}

export function partPageCount({ kind, part }: WindowPart): number {
  return kindNamed(kind).pageCount(part);
}

/** What rendering a part costs, in build pages (a window's budget). */
export function partWeight({ kind, part }: WindowPart): number {
  return kindNamed(kind).weight(part);
}

/** Names a window for a person: what it renders. */
export function describeWindow(index: number, window: Window): string {
  return `window ${index} (${window.parts.map(({ kind, part }) => kindNamed(kind).describe(part)).join(', ')})`;
}
