import type { BuildSummary } from '../model/types.ts';
import { type RecordReader, SUMMARY_COLUMNS, type Slice, type SummaryRow, buildSummary } from '../record/reader.ts';
import { countsBy } from '../record/sql.ts';
import { type PageUrl, paged } from '../urls.ts';
import { type PlatformGroup, groupByPlatform, platformsOf } from './buildChips.ts';
import { type ChangeView, changeView } from './changes.ts';
import { type PageKind, cutByWeight, idSpan, pageRanges } from './kind.ts';
import { type Pager, pager } from './paging.ts';
import { revisionUrl } from './revisionPage.ts';
import { Linker, type PageBase, type Site, pageBase } from './site.ts';
import { branchName } from './values.ts';

export function sourceUrl(id: number, page = 1): PageUrl {
  return paged(`source/${id}/`, page);
}

export const BUILDS_PER_SOURCE_PAGE = 500;

/**
 * Pages `first`–`last` (1-based) of one sourcestamp. A stamp's builds are never all read at once:
 * buildbot 3.x shares one stamp among all nightlies, so a big stamp's pages span windows.
 */
export interface StampPageRange {
  id: number;
  buildCount: number;
  first: number;
  last: number;
}

/** A stamp has one page even without builds (its changes are shown). */
export function sourcePageCount(buildCount: number): number {
  return Math.max(1, Math.ceil(buildCount / BUILDS_PER_SOURCE_PAGE));
}

/** Builds on one page of a stamp with `buildCount` builds. */
export function buildsOnSourcePage(buildCount: number, page: number): number {
  return Math.max(0, Math.min(BUILDS_PER_SOURCE_PAGE, buildCount - (page - 1) * BUILDS_PER_SOURCE_PAGE));
}

/** A part of the sourcestamp pages: page ranges of stamps, at most the window's budget of builds. */
export interface SourcePart {
  stamps: StampPageRange[];
}

/** A page per sourcestamp (more for a stamp with many builds: buildbot's nightlies share one). */
export const sourceKind: PageKind<SourcePart> = {
  name: 'source',
  body: 'source',
  folder: 'source',
  plan: ({ record, options }) =>
    sourceParts(record.sourcestampIds({ kind: 'all' }), stampBuildCounts(record), options.buildsPerWindow),
  changed: ({ record, options }) => {
    const ids = record.changedSourcestamps();
    return sourceParts(ids, stampBuildCounts(record, ids), options.buildsPerWindow);
  },
  pageCount: (part) => part.stamps.reduce((sum, range) => sum + range.last - range.first + 1, 0),
  weight: (part) =>
    part.stamps.reduce((sum, range) => sum + pageNumbers(range).reduce((pages, page) => pages + pageWeight(range.buildCount, page), 0), 0),
  describe: (part) => `sourcestamps ${idSpan(part.stamps.map((range) => range.id))}`,
  pages: ({ record, site }, part) => sourcePages(record, site, part.stamps),
};

/** A page costs its builds; one without builds still costs one. */
const pageWeight = (buildCount: number, page: number) => Math.max(1, buildsOnSourcePage(buildCount, page));

/** Every page of these stamps, cut into parts of at most `budget` builds: a big stamp's pages span parts. */
function sourceParts(ids: readonly number[], counts: Map<number, number>, budget: number): SourcePart[] {
  function* pages() {
    for (const id of ids) {
      const buildCount = counts.get(id) ?? 0;
      for (let page = 1; page <= sourcePageCount(buildCount); page++) yield { id, buildCount, page };
    }
  }
  return Array.from(cutByWeight(pages(), (unit) => pageWeight(unit.buildCount, unit.page), budget), (run) => ({ stamps: pageRanges(run) }));
}

export interface SourcePage extends PageBase {
  id: number;
  branch: string;
  revision: string | null;
  /** The revision's page, which shows every stamp with it; null without a revision. */
  revisionHref: string | null;
  repository: string | null;
  project: string | null;
  codebase: string | null;
  changes: ChangeView[];
  buildCount: number;
  platforms: PlatformGroup[];
  pager: Pager;
}

/** The pages of these stamp page ranges: the stamp's changes, and that page's builds by platform. */
export function sourcePages(record: RecordReader, site: Site, parts: readonly StampPageRange[]): SourcePage[] {
  const ids = [...new Set(parts.map((part) => part.id))];
  const stamps = new Map(record.sourcestamps(ids).map((stamp) => [stamp.id, stamp]));
  const changes = record.changesOfSourcestamps(ids);
  const builds = parts.map((part) =>
    pageNumbers(part).map((number) =>
      buildsOfSourcestamp(record, part.id, { offset: (number - 1) * BUILDS_PER_SOURCE_PAGE, limit: BUILDS_PER_SOURCE_PAGE }),
    ),
  );
  const platforms = platformsOf(record, builds.flat(2));
  return parts.flatMap((part, partIndex) => {
    const stamp = stamps.get(part.id);
    if (!stamp) return [];
    const pageCount = sourcePageCount(part.buildCount);
    return pageNumbers(part).map((number): SourcePage => {
      const link = new Linker(sourceUrl(stamp.id, number), site);
      const title = `Sourcestamp ${stamp.id}${stamp.revision ? ` (${stamp.revision.slice(0, 12)})` : ''}`;
      return {
        ...pageBase(link, site, pageCount > 1 ? `${title}, page ${number}` : title, { above: [link.section('listing')] }),
        id: stamp.id,
        branch: branchName(stamp.branch),
        revision: stamp.revision,
        revisionHref: stamp.revision ? link.to(revisionUrl(stamp.revision)) : null,
        repository: stamp.repository,
        project: stamp.project,
        codebase: stamp.codebase,
        changes: (changes.get(stamp.id) ?? []).map((change) => changeView(change, link)),
        buildCount: part.buildCount,
        platforms: groupByPlatform(builds[partIndex]![number - part.first]!, platforms, site, link),
        pager: pager(number, pageCount, (page) => link.to(sourceUrl(stamp.id, page))),
      };
    });
  });
}

/** The page numbers of a range. */
function pageNumbers({ first, last }: { first: number; last: number }): number[] {
  return Array.from({ length: last - first + 1 }, (_, index) => first + index);
}

/** How many builds each sourcestamp (or each of these) has; stamps without builds are absent. */
function stampBuildCounts(record: RecordReader, ids?: readonly number[]): Map<number, number> {
  return countsBy(record.db, 'build_sourcestamps', 'sourcestampid', ids);
}

/** Builds of one sourcestamp ordered by start; `slice` picks some of them. */
function buildsOfSourcestamp(record: RecordReader, id: number, slice: Slice): BuildSummary[] {
  const rows = record
    .statement(
      `SELECT ${SUMMARY_COLUMNS} FROM build_sourcestamps bs JOIN builds b ON b.id = bs.buildid
       WHERE bs.sourcestampid = ? ORDER BY b.started_at, b.id LIMIT ? OFFSET ?`,
    )
    .all(id, slice.limit, slice.offset) as SummaryRow[];
  return rows.map(buildSummary);
}
