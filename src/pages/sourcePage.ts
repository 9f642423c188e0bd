import type { Snapshot } from '../snapshot/types.ts';
import { urls } from '../urls.ts';
import { type PlatformGroup, groupByPlatform, platformsOf } from './buildChips.ts';
import { type ChangeView, changeView } from './changes.ts';
import { type Pager, pager } from './paging.ts';
import { Linker, type PageBase, type Site, pageBase } from './site.ts';

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

export interface SourcePage extends PageBase {
  id: number;
  branch: string | null;
  revision: string | null;
  repository: string | null;
  project: string | null;
  changes: ChangeView[];
  buildCount: number;
  platforms: PlatformGroup[];
  pager: Pager;
}

/** The pages of these stamp page ranges: the stamp's changes, and that page's builds by platform. */
export function sourcePages(snapshot: Snapshot, site: Site, parts: readonly StampPageRange[]): SourcePage[] {
  const ids = [...new Set(parts.map((part) => part.id))];
  const stamps = new Map(snapshot.sourcestamps(ids).map((stamp) => [stamp.id, stamp]));
  const changes = snapshot.changesOfSourcestamps(ids);
  const builds = parts.map((part) =>
    range(part.first, part.last).map((number) =>
      snapshot.buildsOfSourcestamp(part.id, { offset: (number - 1) * BUILDS_PER_SOURCE_PAGE, limit: BUILDS_PER_SOURCE_PAGE }),
    ),
  );
  const platforms = platformsOf(snapshot, builds.flat(2));
  return parts.flatMap((part, partIndex) => {
    const stamp = stamps.get(part.id);
    if (!stamp) return [];
    const pageCount = sourcePageCount(part.buildCount);
    return range(part.first, part.last).map((number): SourcePage => {
      const link = new Linker(urls.source(stamp.id, number), site);
      const title = `Sourcestamp ${stamp.id}${stamp.revision ? ` (${stamp.revision.slice(0, 12)})` : ''}`;
      return {
        ...pageBase(link, site, pageCount > 1 ? `${title}, page ${number}` : title),
        id: stamp.id,
        branch: stamp.branch,
        revision: stamp.revision,
        repository: stamp.repository,
        project: stamp.project,
        changes: (changes.get(stamp.id) ?? []).map(changeView),
        buildCount: part.buildCount,
        platforms: groupByPlatform(builds[partIndex]![number - part.first]!, platforms, site, link),
        pager: pager(number, pageCount, (page) => link.to(urls.source(stamp.id, page))),
      };
    });
  });
}

/** The whole numbers from `first` to `last`. */
function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, index) => first + index);
}
