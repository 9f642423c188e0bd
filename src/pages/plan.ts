import type { Snapshot } from '../snapshot/types.ts';
import { badgeKind } from './badge.ts';
import { boardKind } from './boardPage.ts';
import { buildKind } from './buildPage.ts';
import { builderFeedKind, failuresFeedKind } from './feeds.ts';
import { changeKind } from './changePage.ts';
import { consoleKind, consolesKind } from './consolePage.ts';
import { changesListingKind } from './changesListing.ts';
import { builderKind, masterKind, workerKind } from './entityPage.ts';
import { markUndecodableText } from './encoding.ts';
import { homeKind } from './homePage.ts';
import { type Archive, type ArchiveOptions, type PageFiles, type PageKind } from './kind.ts';
import { listingKind, listings } from './listing.ts';
import { logKind } from './logPage.ts';
import { notFoundKind } from './notFoundPage.ts';
import { revisionKind } from './revisionPage.ts';
import { searchKind } from './searchPage.ts';
import { type PageBase, loadSite, sameSite } from './site.ts';
import { sourceKind } from './sourcePage.ts';
import { workersKind } from './workersPage.ts';

export { type Archive, type ArchiveOptions, DEFAULT_ARCHIVE_OPTIONS } from './kind.ts';

/** Every kind of page, in the order windows render them. A new kind of page is one more entry. */
const KINDS: readonly PageKind[] = [homeKind, searchKind, boardKind, buildKind, logKind, sourceKind, listingKind, builderKind, workerKind, masterKind, workersKind, changesListingKind, changeKind, revisionKind, badgeKind, builderFeedKind, failuresFeedKind, notFoundKind, consolesKind, consoleKind] as PageKind[];
const KIND_BY_NAME = new Map(KINDS.map((kind) => [kind.name, kind]));

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

/** Page models of one window, by template: templates/<template>.njk paginates over its list. */
export type PageSet = Record<string, unknown[]>;

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

export function loadArchive(snapshot: Snapshot, name: string, options: ArchiveOptions): Archive {
  const site = loadSite(snapshot, name, options.baseUrl);
  return { snapshot, site, listings: listings(snapshot, site), options };
}

/** Builds the page models of one window; files beside pages (raw logs) go through `files`. */
export function windowPages(archive: Archive, window: Window, files: PageFiles): PageSet {
  const pages: PageSet = Object.fromEntries(KINDS.map((kind) => [kind.template, []]));
  for (const { kind, part } of window.parts) {
    const pageKind = kindNamed(kind);
    const models = pageKind.pages(archive, part, files);
    for (const model of models) markUndecodableText(model as PageBase, archive.site);
    pages[pageKind.template]!.push(...models);
  }
  return pages;
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

export function pageCount(pages: PageSet): number {
  return Object.values(pages).reduce((sum, list) => sum + list.length, 0);
}

/** Names a window for a person: what it renders. */
export function describeWindow(index: number, window: Window): string {
  return `window ${index} (${window.parts.map(({ kind, part }) => kindNamed(kind).describe(part)).join(', ')})`;
}
