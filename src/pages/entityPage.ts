import { type ResultView, buildResult } from '../model/results.ts';
import { type TimeView, durationText, timeView } from '../model/time.ts';
import type { BuildFacts, BuildSummary } from '../model/types.ts';
import { ALL, type BuildOwners, ENTITY_COLUMN, type EntityKind, type RecordReader, SUMMARY_COLUMNS, type Slice, type SummaryRow, buildSummary } from '../record/reader.ts';
import { FAILED } from '../record/schema.ts';
import { IN_JSON, countsBy, groupBy, jsonIds } from '../record/sql.ts';
import { type PageUrl, fixedPaged } from '../urls.ts';
import { badgeUrl } from './badge.ts';
import { successRate } from './boardPage.ts';
import { buildUrl } from './buildPage.ts';
import { type DurationChart, durationChart } from './durationChart.ts';
import { STEP_TREND_BUILDS, STEP_TRENDS, type Timed, type TrendChart, durationTrend } from './durationTrend.ts';
import { builderFeedUrl } from './feeds.ts';
import { type Archive, type PageKind, cutByWeight, idSpan, pageRanges } from './kind.ts';
import { type FixedPager, changedFixedPages, fixedPager, fixedPaging } from './paging.ts';
import { revisionUrl } from './revisionPage.ts';
import { projectLink } from './projectPage.ts';
import { type Link, Linker, type PageBase, type Site, pageBase } from './site.ts';

/** A builder's builds, newest page by default. */
export function builderUrl(id: number, page = 1, pageCount = 1): PageUrl {
  return fixedPaged(`builder/${id}/`, page, pageCount);
}

export function workerUrl(id: number, page = 1, pageCount = 1): PageUrl {
  return fixedPaged(`worker/${id}/`, page, pageCount);
}

export function masterUrl(id: number, page = 1, pageCount = 1): PageUrl {
  return fixedPaged(`master/${id}/`, page, pageCount);
}

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

/** A builder's badge and how to embed it (the snippets' addresses whole with --base-url, else from the archive's root). */
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
  /** A builder's project (buildbot 3.9+). */
  project: Link | null;
  /** Why an admin paused a worker (buildbot 4), said on its newest page. */
  pauseReason: string | null;
  /** All the entity's builds: said on the newest page only, so older pages never change. */
  buildCount: number | null;
  /** Success rate of all its builds, on the newest page only. */
  successRate: string | null;
  /** A builder's badge and feed, on its newest page. */
  badge: BadgeView | null;
  feed: string | null;
  /** The durations of this page's builds. */
  chart: DurationChart | null;
  /** A builder's newest page: the trend of its builds' durations over its whole history, then of its longest steps. */
  trends: TrendChart[];
  /** Which builds this page holds, counted from the entity's first (1). */
  span: { first: number; last: number };
  builds: EntityBuildRow[];
  pager: FixedPager;
}

const entityUrl = { builder: builderUrl, worker: workerUrl, master: masterUrl };

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
    body: 'entity',
    folder: kind,
    plan: ({ record, site, options }) => {
      const counts = buildCounts(record, kind);
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
    pages: ({ record, site }, part) => entityPages(record, site, kind, part.ranges),
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
function changedEntityPages(kind: EntityKind, { record, site }: Archive, before: Archive): EntityPageUnit[] | null {
  const changedBuilds = record.changedBuildOwners();
  const previously = buildOwners(before.record, changedBuilds.filter((build) => !build.isNew).map((build) => build.id));
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
  const counts = buildCounts(record, kind, ids);
  const countsBefore = buildCounts(before.record, kind, ids);
  return ids.flatMap((id) => {
    const { joined, changed } = touched.get(id)!;
    const buildCount = counts.get(id) ?? 0;
    const firstMoved = joined.length > 0 ? buildsBefore(record, kind, id, Math.min(...joined)) : null;
    const changedAt = changed.map((build) => buildsBefore(record, kind, id, build));
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
  // Embedded elsewhere, addresses must be whole: known with --base-url, else from the archive's root.
  const [badge, page] = [badgeUrl(id), builderUrl(id)].map((url) => link.absolute(url) ?? url);
  return {
    src: link.to(badgeUrl(id)),
    markdown: `[![${alt}](${badge})](${page})`,
    html: `<a href="${page}"><img src="${badge}" alt="${alt}"></a>`,
  };
}

export function entityPages(record: RecordReader, site: Site, kind: EntityKind, ranges: readonly EntityPageRange[]): EntityPage[] {
  return ranges.flatMap(({ id, buildCount, first, last }) => {
    const pageCount = fixedPaging.count(buildCount, BUILDS_PER_ENTITY_PAGE);
    const start = fixedPaging.slice(first, buildCount, BUILDS_PER_ENTITY_PAGE).offset;
    const end = fixedPaging.slice(last, buildCount, BUILDS_PER_ENTITY_PAGE);
    const builds = buildsOf(record, kind, id, { offset: start, limit: end.offset + end.limit - start });
    const facts = buildFacts(record, builds.map((build) => build.id));
    const status = last === pageCount ? record.buildStatus(kind, 0, [id]).get(id) : undefined;
    const builder = kind === 'builder' ? site.builders.get(id) : undefined;
    const project = builder?.projectId == null ? undefined : site.projects.get(builder.projectId);
    const name =
      (kind === 'builder' ? builder?.name : kind === 'worker' ? site.workers.get(id)?.name : site.masters.get(id)?.name) ??
      `${kind} ${id}`;
    return Array.from({ length: last - first + 1 }, (_, index): EntityPage => {
      const number = first + index;
      const { offset, limit } = fixedPaging.slice(number, buildCount, BUILDS_PER_ENTITY_PAGE);
      const link = new Linker(entityUrl[kind](id, number, pageCount), site);
      const newest = number === pageCount;
      const pageBuilds = builds.slice(offset - start, offset - start + limit);
      const feed = kind === 'builder' && newest ? link.to(builderFeedUrl(id)) : null;
      return {
        ...pageBase(link, site, newest ? name : `${name}, page ${number}`, {
          above: [...entityAbove(link, kind), ...(newest ? [] : [{ href: link.to(entityUrl[kind](id, pageCount, pageCount)), text: name }])],
          feeds: feed ? [{ href: feed, title: `${name}: newest builds` }] : [],
        }),
        kind,
        name,
        description: builder?.description ?? (kind === 'master' ? (site.masters.get(id)?.url ?? null) : null),
        tags: (builder?.tags ?? []).map((tag) => link.tag(tag)),
        project: project ? projectLink(project, link) : null,
        pauseReason: newest && kind === 'worker' ? (site.workers.get(id)?.pauseReason ?? null) : null,
        buildCount: newest ? buildCount : null,
        successRate: newest && status ? successRate(status) : null,
        badge: kind === 'builder' && newest ? badgeView(link, id, name) : null,
        feed,
        chart: durationChart(pageBuilds),
        trends: kind === 'builder' && newest ? builderTrends(record, id, link) : [],
        span: { first: offset + 1, last: offset + limit },
        builds: [...pageBuilds].reverse().map((build) => {
          const { workerId = null, revision = null, failedStep = null } = facts.get(build.id) ?? {};
          return {
            build: { href: link.to(buildUrl(build.id)), text: `#${build.number}` },
            builder: kind === 'builder' ? null : link.builder(build.builderId),
            worker: kind === 'worker' ? null : link.worker(workerId),
            result: buildResult(build),
            start: timeView(build.startedAt),
            duration: durationText(build.startedAt, build.completeAt),
            revision: revision ? { href: link.to(revisionUrl(revision)), text: revision.slice(0, 12) } : null,
            failedStep,
          };
        }),
        pager: fixedPager(number, pageCount, (page) => link.to(entityUrl[kind](id, page, pageCount))),
      };
    });
  });
}

/**
 * A builder's trends: its builds' durations over its whole history, and the steps that took longest
 * over its newest STEP_TREND_BUILDS builds, each as a small chart of its own.
 */
function builderTrends(record: RecordReader, builder: number, link: Linker): TrendChart[] {
  const builds = record
    .statement(
      `SELECT id, number, started_at AS startedAt, complete_at - started_at AS seconds FROM builds
       WHERE builderid = ? AND started_at IS NOT NULL AND complete_at >= started_at ORDER BY started_at, id`,
    )
    .all(builder) as Timed[];
  const steps = record
    .statement(
      `SELECT s.name, b.id, b.number, b.started_at AS startedAt, s.complete_at - s.started_at AS seconds
       FROM (SELECT id, number, started_at FROM builds WHERE builderid = ? ORDER BY number DESC, id DESC LIMIT ?) b
       JOIN steps s ON s.buildid = b.id WHERE b.started_at IS NOT NULL AND s.complete_at >= s.started_at AND s.name IS NOT NULL
       ORDER BY b.started_at, b.id`,
    )
    .all(builder, STEP_TREND_BUILDS) as (Timed & { name: string })[];
  const byStep = groupBy(steps, (step) => step.name);
  const total = (name: string) => byStep.get(name)!.reduce((sum, step) => sum + step.seconds, 0);
  const longest = [...byStep.keys()].sort((a, b) => total(b) - total(a) || a.localeCompare(b)).slice(0, STEP_TRENDS);
  return [
    durationTrend('Build duration', builds, link),
    ...longest.map((step) => durationTrend(`Step ${step}, in its newest ${STEP_TREND_BUILDS} builds`, byStep.get(step)!, link)),
  ].filter((chart) => chart !== null);
}

/** How many builds each builder, worker or master (or each of these) ran; ids without builds are absent. */
function buildCounts(record: RecordReader, kind: EntityKind, ids?: readonly number[]): Map<number, number> {
  return countsBy(record.db, 'builds', ENTITY_COLUMN[kind], ids);
}

/** Builds of one builder, worker or master, oldest first; `slice` picks some of them. */
export function buildsOf(record: RecordReader, kind: EntityKind, id: number, slice: Slice = ALL): BuildSummary[] {
  const rows = record
    .statement(`SELECT ${SUMMARY_COLUMNS} FROM builds b WHERE b.${ENTITY_COLUMN[kind]} = ? ORDER BY b.id LIMIT ? OFFSET ?`)
    .all(id, slice.limit, slice.offset) as SummaryRow[];
  return rows.map(buildSummary);
}

/** What a list of builds says of each of these besides the build: worker, revision, failed step. */
function buildFacts(record: RecordReader, ids: readonly number[]): Map<number, BuildFacts> {
  const rows = record
    .statement(
      `SELECT b.id, b.workerid AS workerId,
         (SELECT s.revision FROM build_sourcestamps bs JOIN sourcestamps s ON s.id = bs.sourcestampid
          WHERE bs.buildid = b.id ORDER BY bs.sourcestampid LIMIT 1) AS revision,
         CASE WHEN b.results IN ${FAILED} THEN
           (SELECT st.name FROM steps st WHERE st.buildid = b.id AND st.results = b.results ORDER BY st.number LIMIT 1)
         END AS failedStep
       FROM builds b WHERE b.id ${IN_JSON}`,
    )
    .all(jsonIds(ids)) as (BuildFacts & { id: number })[];
  return new Map(rows.map((row) => [row.id, row]));
}

/** Whose these builds are, where the record has them. */
function buildOwners(record: RecordReader, ids: readonly number[]): Map<number, BuildOwners> {
  const rows = record
    .statement(`SELECT id, builderid AS builder, workerid AS worker, masterid AS master FROM builds WHERE id ${IN_JSON}`)
    .all(jsonIds(ids)) as Omit<BuildOwners, 'isNew'>[];
  return new Map(rows.map((row) => [row.id, { ...row, isNew: false }]));
}

/** How many of a builder's (worker's, master's) builds have ids below `id`: its index in their list. */
function buildsBefore(record: RecordReader, kind: EntityKind, entityId: number, id: number): number {
  return record.db.prepare(`SELECT count(*) FROM builds WHERE ${ENTITY_COLUMN[kind]} = ? AND id < ?`).pluck().get(entityId, id) as number;
}
