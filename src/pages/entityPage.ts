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

/**
 * Some of one builder's, worker's or master's pages: pages `first` to `last` (from 1) of its
 * builds, newest first. A master of Mozilla's ran 170,000 builds: its pages span many windows.
 */
export interface EntityPageRange {
  id: number;
  buildCount: number;
  first: number;
  last: number;
}

/** How many pages an entity with `buildCount` builds has (one, if only to say it has none). */
export function entityPageCount(buildCount: number): number {
  return Math.max(1, Math.ceil(buildCount / BUILDS_PER_ENTITY_PAGE));
}

export function entityPages(snapshot: Snapshot, site: Site, kind: EntityKind, parts: readonly EntityPageRange[]): EntityPage[] {
  return parts.flatMap(({ id, buildCount, first, last }) => {
    const builds = snapshot.buildsOf(kind, id, {
      offset: (first - 1) * BUILDS_PER_ENTITY_PAGE,
      limit: (last - first + 1) * BUILDS_PER_ENTITY_PAGE,
    });
    const pageCount = entityPageCount(buildCount);
    const builder = kind === 'builder' ? site.builders.get(id) : undefined;
    const name =
      (kind === 'builder' ? builder?.name : kind === 'worker' ? site.workers.get(id)?.name : site.masters.get(id)?.name) ??
      `${kind} ${id}`;
    return chunk(builds, BUILDS_PER_ENTITY_PAGE).map((pageBuilds, index): EntityPage => {
      const number = first + index;
      const link = new Linker(entityUrl[kind](id, number), site);
      return {
        ...pageBase(link, site, `${name}${pageCount > 1 ? `, page ${number}` : ''}`),
        kind,
        name,
        description: builder?.description ?? (kind === 'master' ? (site.masters.get(id)?.url ?? null) : null),
        tags: (builder?.tags ?? []).map((tag) => link.tag(tag)),
        buildCount,
        builds: pageBuilds.map((build) => ({
          build: { href: link.to(urls.build(build.id)), text: `#${build.number}` },
          builder: kind === 'builder' ? null : link.builder(build.builderId),
          result: buildResult(build),
          start: formatTime(build.startedAt),
          duration: durationText(build.startedAt, build.completeAt),
        })),
        pager: pager(number, pageCount, (page) => link.to(entityUrl[kind](id, page))),
      };
    });
  });
}
