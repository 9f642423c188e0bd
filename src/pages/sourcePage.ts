import type { Snapshot } from '../snapshot/types.ts';
import { urls } from '../urls.ts';
import { type PlatformGroup, groupByPlatform, platformsOf } from './buildChips.ts';
import { type ChangeView, changeView } from './changes.ts';
import { type Pager, chunk, pager } from './paging.ts';
import { Linker, type PageBase, type Site, pageBase } from './site.ts';

export const BUILDS_PER_SOURCE_PAGE = 500;
/** No stamp's builds are all read at once: buildbot 3.x shares one stamp among all nightlies. */
const ALL_BUILDS = Number.MAX_SAFE_INTEGER;

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

/** The pages of every sourcestamp in `ids`: its changes and all its builds, by platform. */
export function sourcePages(snapshot: Snapshot, site: Site, ids: readonly number[]): SourcePage[] {
  const stamps = snapshot.sourcestamps(ids);
  const changes = snapshot.changesOfSourcestamps(ids);
  const builds = snapshot.buildsOfSourcestamps(ids, ALL_BUILDS);
  const platforms = platformsOf(snapshot, [...builds.values()].flatMap((entry) => entry.builds));
  return stamps.flatMap((stamp) => {
    const stampBuilds = builds.get(stamp.id)?.builds ?? [];
    const pages = chunk(stampBuilds, BUILDS_PER_SOURCE_PAGE);
    return pages.map((pageBuilds, index): SourcePage => {
      const number = index + 1;
      const link = new Linker(urls.source(stamp.id, number), site);
      const title = `Sourcestamp ${stamp.id}${stamp.revision ? ` (${stamp.revision.slice(0, 12)})` : ''}`;
      return {
        ...pageBase(link, site, pages.length > 1 ? `${title}, page ${number}` : title),
        id: stamp.id,
        branch: stamp.branch,
        revision: stamp.revision,
        repository: stamp.repository,
        project: stamp.project,
        changes: (changes.get(stamp.id) ?? []).map(changeView),
        buildCount: stampBuilds.length,
        platforms: groupByPlatform(pageBuilds, platforms, site, link),
        pager: pager(number, pages.length, (page) => link.to(urls.source(stamp.id, page))),
      };
    });
  });
}
