import { type ResultView, buildResult } from '../model/results.ts';
import { type TimeView, durationText, timeView } from '../model/time.ts';
import type { EntityKind, Snapshot } from '../snapshot/types.ts';
import { urls } from '../urls.ts';
import { successRate } from './boardPage.ts';
import { type DurationChart, durationChart } from './durationChart.ts';
import { type Archive, type PageKind, cutByWeight, idSpan, pageRanges } from './kind.ts';
import { type FixedPager, changedFixedPages, fixedPager, fixedPaging } from './paging.ts';
import { type Link, Linker, type PageBase, type Site, pageBase } from './site.ts';

export const BUILDS_PER_ENTITY_PAGE = 100;

export interface EntityBuildRow {
  build: Link;
  /** Shown on worker and master pages, where builds of many builders mix. */
  builder: Link | null;
  /** Shown on builder and master pages. */
  worker: Link | null;
  result: ResultView;
  start: TimeView;
  duration: string;
  /** The revision of the build's first sourcestamp, linked to its page. */
  revision: Link | null;
  /** The step that gave a build its warnings, failure or exception. */
  failedStep: string | null;
}

/** A builder's badge and how to embed it (the snippets are relative to the archive's root). */
export interface BadgeView {
  src: string;
  markdown: string;
  html: string;
}

export interface EntityPage extends PageBase {
  kind: EntityKind;
  name: string;
  description: string | null;
  tags: Link[];
  /** All the entity's builds: said on the newest page only, so older pages never change. */
  buildCount: number | null;
  /** Success rate of all its builds, on the newest page only. */
  successRate: string | null;
  /** A builder's badge and feed, on its newest page. */
  badge: BadgeView | null;
  feed: string | null;
  /** The durations of this page's builds. */
  chart: DurationChart | null;
  /** Which builds this page holds, counted from the entity's first (1). */
  span: { first: number; last: number };
  builds: EntityBuildRow[];
  pager: FixedPager;
}

const entityUrl = { builder: urls.builder, worker: urls.worker, master: urls.master };

/**
 * Pages `first` to `last` of one builder's (worker's, master's) builds, numbered from its oldest
 * (fixedPaging). A master of Mozilla's ran 170,000 builds: its pages span many parts.
 */
export interface EntityPageRange {
  id: number;
  buildCount: number;
  first: number;
  last: number;
}

export interface EntityPart {
  ranges: EntityPageRange[];
}

/** A page unit before it is merged into ranges. */
interface EntityPageUnit {
  id: number;
  buildCount: number;
  page: number;
}

const entitiesOf = (site: Site, kind: EntityKind): Map<number, unknown> =>
  kind === 'builder' ? site.builders : kind === 'worker' ? site.workers : site.masters;

/** The pages of every builder (or worker, or master): its builds, newest first, 100 a page. */
function entityKind(kind: EntityKind): PageKind<EntityPart> {
  return {
    name: kind,
    template: 'entity',
    plan: ({ snapshot, site, options }) => {
      const counts = snapshot.buildCounts(kind);
      function* pages(): Generator<EntityPageUnit> {
        for (const id of entitiesOf(site, kind).keys()) {
          const buildCount = counts.get(id) ?? 0;
          for (let page = 1; page <= fixedPaging.count(buildCount, BUILDS_PER_ENTITY_PAGE); page++) yield { id, buildCount, page };
        }
      }
      return entityParts(pages(), options.buildsPerWindow);
    },
    changed: (archive, before) => {
      const pages = changedEntityPages(kind, archive, before);
      return pages && entityParts(pages, archive.options.buildsPerWindow);
    },
    pageCount: (part) => part.ranges.reduce((sum, range) => sum + range.last - range.first + 1, 0),
    weight: (part) => part.ranges.reduce((sum, range) => sum + range.last - range.first + 1, 0),
    describe: (part) => `${kind} pages of ${idSpan(part.ranges.map((range) => range.id))}`,
    pages: ({ snapshot, site }, part) => entityPages(snapshot, site, kind, part.ranges),
  };
}

export const builderKind = entityKind('builder');
export const workerKind = entityKind('worker');
export const masterKind = entityKind('master');

/** Pages weigh one each: a window of 1,000 reads 100,000 builds. */
const entityParts = (pages: Iterable<EntityPageUnit>, budget: number): EntityPart[] =>
  Array.from(cutByWeight(pages, () => 1, budget), (run) => ({ ranges: pageRanges(run) }));

/**
 * The pages of each entity whose list of builds an update changed: where builds joined the list,
 * the pages from there to the newest; where a listed build changed, its page. Null when a build
 * left an entity's list (a changed worker or master), which is not followed page by page.
 */
function changedEntityPages(kind: EntityKind, { snapshot, site }: Archive, before: Archive): EntityPageUnit[] | null {
  const changedBuilds = snapshot.changedBuildOwners();
  const previously = before.snapshot.buildOwners(changedBuilds.filter((build) => !build.isNew).map((build) => build.id));
  const touched = new Map<number, { joined: number[]; changed: number[] }>();
  const entry = (id: number) => touched.get(id) ?? touched.set(id, { joined: [], changed: [] }).get(id)!;
  for (const build of changedBuilds) {
    const owner = build[kind];
    const previousOwner = build.isNew ? null : (previously.get(build.id)?.[kind] ?? null);
    if (previousOwner !== null && previousOwner !== owner) return null;
    if (owner === null) continue;
    if (previousOwner === null) entry(owner).joined.push(build.id);
    else entry(owner).changed.push(build.id);
  }
  const known = entitiesOf(before.site, kind);
  for (const id of entitiesOf(site, kind).keys()) if (!known.has(id)) entry(id);

  const ids = [...touched.keys()].sort((a, b) => a - b);
  const counts = snapshot.buildCounts(kind, ids);
  const countsBefore = before.snapshot.buildCounts(kind, ids);
  return ids.flatMap((id) => {
    const { joined, changed } = touched.get(id)!;
    const buildCount = counts.get(id) ?? 0;
    const firstMoved = joined.length > 0 ? snapshot.buildsBefore(kind, id, Math.min(...joined)) : null;
    const changedAt = changed.map((build) => snapshot.buildsBefore(kind, id, build));
    const countBefore = known.has(id) ? (countsBefore.get(id) ?? 0) : null;
    const pages = changedFixedPages(countBefore, buildCount, BUILDS_PER_ENTITY_PAGE, firstMoved, changedAt);
    return pages.map((page) => ({ id, buildCount, page }));
  });
}

/** The pages above an entity's: its section (masters have none: the home page lists them). */
const entityAbove = (link: Linker, kind: EntityKind): Link[] =>
  kind === 'builder' ? [link.section('builders')] : kind === 'worker' ? [link.section('workers')] : [];

/** The badge as this page shows it, and the snippets that embed it from the archive's root. */
function badgeView(link: Linker, id: number, name: string): BadgeView {
  const alt = `${name}: last result`;
  return {
    src: link.to(urls.badge(id)),
    markdown: `[![${alt}](${urls.badge(id)})](${urls.builder(id)})`,
    html: `<a href="${urls.builder(id)}"><img src="${urls.badge(id)}" alt="${alt}"></a>`,
  };
}

export function entityPages(snapshot: Snapshot, site: Site, kind: EntityKind, ranges: readonly EntityPageRange[]): EntityPage[] {
  return ranges.flatMap(({ id, buildCount, first, last }) => {
    const pageCount = fixedPaging.count(buildCount, BUILDS_PER_ENTITY_PAGE);
    const start = fixedPaging.slice(first, buildCount, BUILDS_PER_ENTITY_PAGE).offset;
    const end = fixedPaging.slice(last, buildCount, BUILDS_PER_ENTITY_PAGE);
    const builds = snapshot.buildsOf(kind, id, { offset: start, limit: end.offset + end.limit - start });
    const facts = snapshot.buildFacts(builds.map((build) => build.id));
    const status = last === pageCount ? snapshot.buildStatus(kind, 0, [id]).get(id) : undefined;
    const builder = kind === 'builder' ? site.builders.get(id) : undefined;
    const name =
      (kind === 'builder' ? builder?.name : kind === 'worker' ? site.workers.get(id)?.name : site.masters.get(id)?.name) ??
      `${kind} ${id}`;
    return Array.from({ length: last - first + 1 }, (_, index): EntityPage => {
      const number = first + index;
      const { offset, limit } = fixedPaging.slice(number, buildCount, BUILDS_PER_ENTITY_PAGE);
      const link = new Linker(entityUrl[kind](id, number, pageCount), site);
      const newest = number === pageCount;
      const pageBuilds = builds.slice(offset - start, offset - start + limit);
      const feed = kind === 'builder' && newest ? link.to(urls.builderFeed(id)) : null;
      return {
        ...pageBase(link, site, newest ? name : `${name}, page ${number}`, {
          above: [...entityAbove(link, kind), ...(newest ? [] : [{ href: link.to(entityUrl[kind](id, pageCount, pageCount)), text: name }])],
          feeds: feed ? [{ href: feed, title: `${name}: newest builds` }] : [],
        }),
        kind,
        name,
        description: builder?.description ?? (kind === 'master' ? (site.masters.get(id)?.url ?? null) : null),
        tags: (builder?.tags ?? []).map((tag) => link.tag(tag)),
        buildCount: newest ? buildCount : null,
        successRate: newest && status ? successRate(status) : null,
        badge: kind === 'builder' && newest ? badgeView(link, id, name) : null,
        feed,
        chart: durationChart(pageBuilds),
        span: { first: offset + 1, last: offset + limit },
        builds: [...pageBuilds].reverse().map((build) => {
          const { workerId = null, revision = null, failedStep = null } = facts.get(build.id) ?? {};
          return {
            build: { href: link.to(urls.build(build.id)), text: `#${build.number}` },
            builder: kind === 'builder' ? null : link.builder(build.builderId),
            worker: kind === 'worker' ? null : link.worker(workerId),
            result: buildResult(build),
            start: timeView(build.startedAt),
            duration: durationText(build.startedAt, build.completeAt),
            revision: revision ? { href: link.to(urls.revision(revision)), text: revision.slice(0, 12) } : null,
            failedStep,
          };
        }),
        pager: fixedPager(number, pageCount, (page) => link.to(entityUrl[kind](id, page, pageCount))),
      };
    });
  });
}
