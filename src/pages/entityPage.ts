import { type ResultView, buildResult } from '../model/results.ts';
import { durationText, formatTime } from '../model/time.ts';
import type { EntityKind, Snapshot } from '../snapshot/types.ts';
import { urls } from '../urls.ts';
import { type Pager, chunk, pager } from './paging.ts';
import { type Link, Linker, type PageBase, type Site, pageBase } from './site.ts';

export const BUILDS_PER_ENTITY_PAGE = 100;

export interface EntityBuildRow {
  build: Link;
  /** Shown on worker and master pages, where builds of many builders mix. */
  builder: Link | null;
  result: ResultView;
  start: string | null;
  duration: string;
}

export interface EntityPage extends PageBase {
  kind: EntityKind;
  name: string;
  description: string | null;
  tags: Link[];
  buildCount: number;
  builds: EntityBuildRow[];
  pager: Pager;
}

const entityUrl = { builder: urls.builder, worker: urls.worker, master: urls.master };

/** Pages of the builders, workers or masters with these ids: each one's builds, newest first. */
export function entityPages(snapshot: Snapshot, site: Site, kind: EntityKind, ids: readonly number[]): EntityPage[] {
  return ids.flatMap((id) => {
    const builds = snapshot.buildsOf(kind, id);
    const pages = chunk(builds, BUILDS_PER_ENTITY_PAGE);
    const builder = kind === 'builder' ? site.builders.get(id) : undefined;
    const name =
      (kind === 'builder' ? builder?.name : kind === 'worker' ? site.workers.get(id)?.name : site.masters.get(id)?.name) ??
      `${kind} ${id}`;
    return pages.map((pageBuilds, index): EntityPage => {
      const number = index + 1;
      const link = new Linker(entityUrl[kind](id, number), site);
      return {
        ...pageBase(link, site, `${name}${pages.length > 1 ? `, page ${number}` : ''}`),
        kind,
        name,
        description: builder?.description ?? (kind === 'master' ? (site.masters.get(id)?.url ?? null) : null),
        tags: (builder?.tags ?? []).map((tag) => link.tag(tag)),
        buildCount: builds.length,
        builds: pageBuilds.map((build) => ({
          build: { href: link.to(urls.build(build.id)), text: `#${build.number}` },
          builder: kind === 'builder' ? null : link.builder(build.builderId),
          result: buildResult(build),
          start: formatTime(build.startedAt),
          duration: durationText(build.startedAt, build.completeAt),
        })),
        pager: pager(number, pages.length, (page) => link.to(entityUrl[kind](id, page))),
      };
    });
  });
}
