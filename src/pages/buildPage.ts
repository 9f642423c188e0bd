import { type ResultView, buildResult, isUnknownResult, stepResult } from '../model/results.ts';
import { type TimeView, durationText, formatDuration, timeView } from '../model/time.ts';
import type { BuildDetail, BuildRef, Change, LogRef, Property, Sourcestamp, Step } from '../model/types.ts';
import { CHANGED_STAMP_ROWS, type RecordReader, buildSummary, type SummaryRow } from '../record/reader.ts';
import { FAILED } from '../record/schema.ts';
import { IN_JSON, groupBy, jsonIds, parseJsonOr } from '../record/sql.ts';
import { webHref, type PageUrl } from '../urls.ts';
import { type ChangeView, changeView } from './changes.ts';
import { type BuildFailures, SIMILAR, buildFailures } from './buildFailures.ts';
import { PASSED_SINCE } from './failurePage.ts';
import { type BuildDataView, type BuildReports, type TestSetView, buildReports } from './buildTests.ts';
import { type LogMode, type PageFiles, type PageKind, idSpan } from './kind.ts';
import { logUrl, rawLogUrl } from './logPage.ts';
import { chunk } from './paging.ts';
import { revisionUrl } from './revisionPage.ts';
import { type Link, Linker, type PageBase, type Site, pageBase } from './site.ts';
import { sourceUrl } from './sourcePage.ts';
import { readableProperty } from './values.ts';

export function buildUrl(id: number): PageUrl {
  return `build/${id}/`;
}

export interface BuildPage extends PageBase {
  id: number;
  number: number;
  builder: Link;
  result: ResultView;
  stateString: string;
  start: TimeView;
  /** End time, or why there is none. */
  end: TimeView;
  duration: string;
  master: Link | null;
  worker: Link | null;
  tags: Link[];
  /** "Tags" (buildbot) or "Category" (statusdb). */
  tagsLabel: string;
  reason: string | null;
  lost: boolean;
  previous: string | null;
  next: string | null;
  parent: Link | null;
  triggered: Link[];
  /** The build of the same request it ran again (a retry), and the one that ran it again. */
  rerunOf: Link | null;
  rerunAs: Link | null;
  /** The build this one rebuilds (buildbot 4's rebuild), and the builds that rebuilt this one. */
  rebuildOf: Link | null;
  rebuiltAs: Link[];
  /** How long it waited for locks, where it waited (buildbot 4). */
  locksWait: string | null;
  /** Why a build of a buildbot master says nothing of its build request: it was archived before copra kept them. */
  requestNotArchived: boolean;
  /** Why a build of a CI that reports test results and build data shows none: it was archived before copra kept them. */
  reportsNotArchived: boolean;
  problems: BuildProblem[];
  steps: StepView[];
  /** `notJson`: the stored value is not JSON, and is shown as stored. */
  properties: { name: string; value: string; source: string; notJson: boolean }[];
  sourcestamps: SourcestampView[];
  /** A failed build's failure: its error lines, the builds around it, its regression range (buildFailures.ts). */
  failure: BuildFailures | null;
  /** Test result sets its steps reported (buildbot 2.9+). */
  tests: TestSetView[];
  /** Named values its steps attached (buildbot 3+'s build data). */
  data: BuildDataView[];
  /** statusdb: `log_url` properties (logs lived elsewhere); null where the schema stores logs. */
  externalLogs: Link[] | null;
}

/** Something wrong with the build's data, said on its page in words (and links to the builds concerned). */
export interface BuildProblem {
  text: string;
  links: Link[];
}

export interface StepView {
  number: number;
  name: string;
  result: ResultView;
  description: string;
  start: TimeView;
  /** When it started, counted from the build's start: `+0:12`. */
  offset: string;
  duration: string;
  /** How long it waited for locks before it ran, where it waited (buildbot 4). */
  locksWait: string | null;
  hidden: boolean;
  /** Position on the build's time line, in percent of its wall time. */
  bar: { offset: number; width: number };
  logs: { name: string; lines: number; type: string; href: string | null; raw: string | null }[];
  /**
   * A URL the step published; `href` is null for one that must not become a link. A link to the
   * master's own page of a build request (a trigger step's) leads to the request's newest build in
   * the archive instead, `others` to the builds that ran it before (retries); where the archive has
   * none of its builds, `address` keeps the master's as text.
   */
  urls: { name: string; href: string | null; others: Link[]; address: string | null }[];
  /** What is wrong with the step's data, in words. */
  problems: string[];
  /** Its test result sets, as links to them further down the page. */
  testSets: Link[];
}

export interface SourcestampView {
  link: Link;
  branch: string | null;
  revision: string | null;
  /** The revision's page; null without a revision. */
  revisionHref: string | null;
  repository: string | null;
  codebase: string | null;
  changes: ChangeView[];
}

export interface BuildPageOptions {
  logs: LogMode;
}

/** A part of the build pages: these builds, ascending. */
export interface BuildPart {
  ids: number[];
}

/** One page per build. */
export const buildKind: PageKind<BuildPart> = {
  name: 'build',
  body: 'build',
  folder: 'build',
  plan: ({ record, options }) => buildParts(buildIds(record), options.buildsPerWindow),
  changed: ({ record, options }) => buildParts(changedBuilds(record), options.buildsPerWindow),
  pageCount: (part) => part.ids.length,
  weight: (part) => part.ids.length,
  describe: (part) => `builds ${idSpan(part.ids)}`,
  pages: ({ record, site, options }, part, files) => buildPages(record, site, part.ids, options, files),
};

const buildParts = (ids: number[], budget: number): BuildPart[] => chunk(ids, budget).filter((part) => part.length > 0).map((part) => ({ ids: part }));

/** Build pages for these builds. */
export function buildPages(record: RecordReader, site: Site, ids: readonly number[], options: BuildPageOptions, files: PageFiles): BuildPage[] {
  const builds = buildDetails(record, ids);
  const stampIds = [...new Set(builds.flatMap((build) => build.sourcestampIds))];
  const stamps = new Map(record.sourcestamps(stampIds).map((stamp) => [stamp.id, stamp]));
  const changes = record.changesOfSourcestamps(stampIds);
  const links = new Map(ids.map((id) => [id, new Linker(buildUrl(id), site)]));
  const failures = buildFailures(record, ids, (id) => links.get(id)!, options.logs === 'full');
  const requests = buildsOfRequests(record, builds.flatMap((build) => build.steps.flatMap((step) => step.urls.flatMap((url) => requestOf(url.url) ?? []))));
  const reports = buildReports(record, jsonIds(ids), (id) => links.get(id)!, files);
  return builds.map((build) =>
    buildPage(build, site, links.get(build.id)!, { stamps, changes, requests, failure: failures.get(build.id) ?? null, reports: reports.get(build.id) ?? NO_REPORTS }, options),
  );
}

/** The build request a master's web UI address names (`…/#buildrequests/4293`), or null. */
const requestOf = (url: string): number | null => {
  const match = /#\/?buildrequests\/(\d+)$/.exec(url);
  return match ? Number(match[1]) : null;
};

/** The archive's builds of these build requests, oldest first. */
function buildsOfRequests(record: RecordReader, ids: readonly number[]): Map<number, BuildRef[]> {
  if (ids.length === 0) return new Map();
  const rows = record
    .statement(`SELECT id, builderid AS builderId, number, buildrequestid FROM builds WHERE buildrequestid ${IN_JSON} ORDER BY id`)
    .all(jsonIds([...new Set(ids)])) as (BuildRef & { buildrequestid: number })[];
  return groupBy(
    rows.map(({ buildrequestid, ...build }) => ({ request: buildrequestid, ...build })),
    (row) => row.request,
  );
}

/** What a build's page reads besides the build: its sourcestamps, their changes, the builds its steps name, its failure. */
interface BuildContext {
  stamps: Map<number, Sourcestamp>;
  changes: Map<number, Change[]>;
  requests: Map<number, BuildRef[]>;
  failure: BuildFailures | null;
  reports: BuildReports;
}

const NO_REPORTS: BuildReports = { tests: [], data: [] };

function buildPage(build: BuildDetail, site: Site, link: Linker, { stamps, changes, requests, failure, reports }: BuildContext, options: BuildPageOptions): BuildPage {
  const builder = link.builder(build.builderId);
  const buildLink = (ref: BuildRef): Link =>
    ref.builderId === -1
      ? { href: null, text: `build ${ref.id} (not in the archive)` }
      : { href: link.to(buildUrl(ref.id)), text: `${link.builder(ref.builderId).text} #${ref.number}` };
  const wallEnd = build.completeAt ?? lastStepEnd(build.steps) ?? build.startedAt;
  return {
    ...pageBase(link, site, `${builder.text} #${build.number}`, { above: [link.section('builders'), builder] }),
    id: build.id,
    number: build.number,
    builder,
    result: buildResult(build),
    stateString: build.stateString,
    start: timeView(build.startedAt, 'not started'),
    end: timeView(build.completeAt, build.lost ? 'did not finish (lost)' : 'running'),
    duration: durationText(build.startedAt, build.completeAt),
    master: link.master(build.masterId),
    worker: link.worker(build.workerId),
    tags: (site.builders.get(build.builderId)?.tags ?? []).map((tag) => link.tag(tag)),
    tagsLabel: site.tagWord === 'category' ? 'Category' : 'Tags',
    reason: build.reason,
    lost: build.lost,
    previous: build.previousBuildId === null ? null : link.to(buildUrl(build.previousBuildId)),
    next: build.nextBuildId === null ? null : link.to(buildUrl(build.nextBuildId)),
    parent: build.parent && buildLink(build.parent),
    triggered: build.triggered.map(buildLink),
    rerunOf: build.rerunOf && buildLink(build.rerunOf),
    rerunAs: build.rerunAs && buildLink(build.rerunAs),
    rebuildOf: build.rebuildOf && buildLink(build.rebuildOf),
    rebuiltAs: build.rebuiltAs.map(buildLink),
    locksWait: build.locksDuration ? formatDuration(build.locksDuration) : null,
    requestNotArchived: site.schema === 'buildbot' && build.buildRequestId === null,
    reportsNotArchived: site.buildReports && !build.extrasRead,
    problems: buildProblems(build, link),
    steps: build.steps.map((step) => ({
      ...stepView(step, build, wallEnd, link, options.logs, (url) => requestBuilds(url, requests, buildLink)),
      testSets: reports.tests.filter((set) => set.stepId === step.id).map((set) => ({ href: `#${set.anchor}`, text: set.summary })),
    })),
    properties: build.properties.map(({ name, value, source }) => {
      const { text, json } = readableProperty(value);
      if (!json) link.warn('json', `property ${name} of build ${build.id} is not valid JSON; shown as stored`);
      return { name, value: text, source, notJson: !json };
    }),
    sourcestamps: build.sourcestampIds.map((id) => {
      const stamp = stamps.get(id);
      if (!stamp) link.warn('orphan', `sourcestamp ${id} is referenced by build ${build.id} but not in the snapshot`);
      return {
        link: { href: stamp ? link.to(sourceUrl(id)) : null, text: `sourcestamp ${id}` },
        branch: stamp?.branch ?? null,
        revision: stamp?.revision ?? null,
        revisionHref: stamp?.revision ? link.to(revisionUrl(stamp.revision)) : null,
        repository: stamp?.repository ?? null,
        codebase: stamp?.codebase ?? null,
        changes: (changes.get(id) ?? []).map((change) => changeView(change, link)),
      };
    }),
    failure,
    ...reports,
    externalLogs: site.schema === 'statusdb' ? externalLogs(build.properties) : null,
  };
}

/**
 * What is wrong with a build's own row, said on its page and noted for the summary: times that
 * do not add up, an unknown result, a number its builder used twice.
 */
function buildProblems(build: BuildDetail, link: Linker): BuildProblem[] {
  const problems: BuildProblem[] = [];
  const timeProblem = timesProblem(build.startedAt, build.completeAt);
  if (timeProblem) {
    link.warn('time', `build ${build.id} ${timeProblem}`);
    problems.push({ text: `This build ${timeProblem}.`, links: [] });
  }
  if (isUnknownResult(build.result)) link.warn('result', `build ${build.id} has result code ${build.result}`);
  if (build.sameNumberIds.length > 0) {
    link.warn('duplicate', `build ${build.id} shares number ${build.number} with build ${build.sameNumberIds.join(', ')}`);
    problems.push({
      text: `Its builder used number ${build.number} for other builds too:`,
      links: build.sameNumberIds.map((id) => ({ href: link.to(buildUrl(id)), text: `build ${id}` })),
    });
  }
  return problems;
}

/** Why a start and an end do not add up, or null when they do (or are not both known). */
function timesProblem(start: number | null, end: number | null): string | null {
  if (start === null && end !== null) return 'has an end time but no start time';
  if (start !== null && end !== null && end < start) return 'ends before it starts';
  return null;
}

/** statusdb builds of late 2010 name their log's address in a `log_url` property. */
function externalLogs(properties: Property[]): Link[] {
  return properties
    .filter((property) => property.name === 'log_url')
    .map((property) => readableProperty(property.value).text)
    .flatMap((url) => {
      const href = webHref(url);
      return href === null ? [] : [{ href, text: url }];
    });
}

function lastStepEnd(steps: Step[]): number | null {
  const ends = steps.map((step) => step.completeAt ?? step.startedAt).filter((time) => time !== null);
  return ends.length === 0 ? null : Math.max(...ends);
}

/** Rounded so the same snapshot always gives the same bytes. */
const percent = (part: number, whole: number) => Math.round((part / whole) * 10000) / 100;

/**
 * A URL a step published, as the page links it: a build request's page on the master leads to
 * the request's newest build in the archive, and names the builds that ran it before; kept as text
 * where the archive has none of its builds (the master's page is not in the archive).
 */
function requestBuilds(url: { name: string; url: string }, requests: Map<number, BuildRef[]>, buildLink: (ref: BuildRef) => Link): StepView['urls'][number] {
  const request = requestOf(url.url);
  if (request === null) return { name: url.name, href: webHref(url.url), others: [], address: null };
  const builds = requests.get(request) ?? [];
  if (builds.length === 0) return { name: url.name, href: null, others: [], address: url.url };
  return { name: url.name, href: buildLink(builds.at(-1)!).href, others: builds.slice(0, -1).map(buildLink), address: null };
}

/** `+1:02` or `+1:02:03`: a moment counted from the build's start. */
function offsetText(from: number | null, to: number | null): string {
  if (from === null || to === null) return '';
  const seconds = Math.max(0, to - from);
  const pad = (n: number) => String(n).padStart(2, '0');
  const [h, m, s] = [Math.floor(seconds / 3600), Math.floor((seconds % 3600) / 60), seconds % 60];
  return h > 0 ? `+${h}:${pad(m)}:${pad(s)}` : `+${m}:${pad(s)}`;
}

function stepView(
  step: Step,
  build: BuildDetail,
  buildEnd: number | null,
  link: Linker,
  mode: LogMode,
  stepUrl: (url: { name: string; url: string }) => StepView['urls'][number],
): Omit<StepView, 'testSets'> {
  const buildStart = build.startedAt;
  const wall = buildStart === null || buildEnd === null ? 0 : buildEnd - buildStart;
  const start = step.startedAt;
  const end = step.completeAt ?? buildEnd;
  const bar =
    wall > 0 && buildStart !== null && start !== null && end !== null
      ? { offset: percent(start - buildStart, wall), width: percent(Math.max(0, end - start), wall) }
      : { offset: 0, width: 0 };
  // A step the archive saw running under a build that has finished since: a statusdb shrink took
  // its row before the snapshot that finished the build.
  const unrecorded = build.completeAt !== null && step.result === null && step.completeAt === null && step.startedAt !== null;
  return {
    number: step.number,
    name: step.name,
    result: unrecorded ? { key: 'lost', label: `not recorded after ${timeView(step.startedAt).text}`, letter: '?' } : stepResult(step),
    description: step.description,
    start: timeView(step.startedAt),
    offset: offsetText(buildStart, step.startedAt),
    duration: unrecorded ? 'not recorded' : durationText(step.startedAt, step.completeAt),
    locksWait: step.locksAcquiredAt !== null && start !== null && step.locksAcquiredAt > start ? formatDuration(step.locksAcquiredAt - start) : null,
    hidden: step.hidden,
    bar,
    logs: step.logs.map((log) => ({
      name: log.name,
      lines: log.numLines,
      type: log.type,
      href: mode === 'full' ? link.to(logUrl(build.id, log.id)) : null,
      raw: mode === 'full' && log.type !== 'd' ? link.to(rawLogUrl(build.id, log.id, log.slug)) : null,
    })),
    urls: step.urls.map(stepUrl),
    problems: stepProblems(step, build, link),
  };
}

function stepProblems(step: Step, build: BuildDetail, link: Linker): string[] {
  const problems: string[] = [];
  const what = `step ${step.number} of build ${build.id}`;
  const timeProblem = timesProblem(step.startedAt, step.completeAt);
  if (timeProblem) {
    link.warn('time', `${what} ${timeProblem}`);
    problems.push(`this step ${timeProblem}`);
  }
  if (isUnknownResult(step.result)) link.warn('result', `${what} has result code ${step.result}`);
  if (step.urlsUnreadable) {
    link.warn('json', `the URLs of ${what} are not the JSON list buildbot writes`);
    problems.push('its published URLs could not be read');
  }
  return problems;
}

/** Every build id, ascending. */
export function buildIds(record: RecordReader): number[] {
  return record.db.prepare('SELECT id FROM builds ORDER BY id').pluck().all() as number[];
}

interface BuildRow extends SummaryRow {
  workerid: number | null;
  masterid: number | null;
  state_string: string;
  reason: string | null;
  parent_buildid: number | null;
  buildrequestid: number | null;
  rebuilt_buildid: number | null;
  extras_read: number | null;
  /** JSON `[builderid, number]` of the parent build, when the record has it. */
  parent: string | null;
  /** JSON `[id, builderid, number]` of the builds of the same request just before and after it. */
  rerun_of: string | null;
  rerun_as: string | null;
  /** JSON `[id, builderid, number]` of the build it rebuilds, and a JSON list of those of its rebuilds. */
  rebuild_of: string | null;
  rebuilt_as: string;
  locks_duration_s: number | null;
  previous_id: number | null;
  next_id: number | null;
  /** JSON list of the ids of the builder's other builds with this number. */
  same_number: string;
}

interface StepRow {
  id: number;
  buildid: number;
  number: number;
  name: string;
  started_at: number | null;
  complete_at: number | null;
  state_string: string;
  results: number | null;
  urls_json: string;
  hidden: number;
  locks_acquired_at: number | null;
}

/**
 * SQL for the id of the build before or after `build` (a builds alias) in its builder's order of
 * numbers, ids breaking ties between duplicate numbers. Two lookups, each a range of the
 * (builderid, number) index: one condition with OR scanned the whole builder, which made build
 * pages quadratic in a builder's size.
 */
function neighbour(build: string, which: 'previous' | 'next'): string {
  const [before, order] = which === 'previous' ? ['<', 'DESC'] : ['>', ''];
  return `coalesce(
    (SELECT o.id FROM builds o WHERE o.builderid = ${build}.builderid AND o.number = ${build}.number AND o.id ${before} ${build}.id
      ORDER BY o.id ${order} LIMIT 1),
    (SELECT o.id FROM builds o WHERE o.builderid = ${build}.builderid AND o.number ${before} ${build}.number
      ORDER BY o.number ${order}, o.id ${order} LIMIT 1))`;
}

/** These builds (ascending) with their steps, logs, properties and neighbours. */
export function buildDetails(record: RecordReader, ids: readonly number[]): BuildDetail[] {
  const idList = jsonIds(ids);
  const builds = record
    .statement(
      `SELECT b.*, b.results AS result,
              ${neighbour('b', 'previous')} AS previous_id, ${neighbour('b', 'next')} AS next_id,
              (SELECT json_group_array(d.id) FROM builds d WHERE d.builderid = b.builderid AND d.number = b.number AND d.id <> b.id) AS same_number,
              (SELECT json_array(p.builderid, p.number) FROM builds p WHERE p.id = b.parent_buildid) AS parent,
              (SELECT json_array(r.id, r.builderid, r.number) FROM builds r WHERE r.buildrequestid = b.buildrequestid AND r.id < b.id ORDER BY r.id DESC LIMIT 1) AS rerun_of,
              (SELECT json_array(r.id, r.builderid, r.number) FROM builds r WHERE r.buildrequestid = b.buildrequestid AND r.id > b.id ORDER BY r.id LIMIT 1) AS rerun_as,
              (SELECT json_array(r.id, r.builderid, r.number) FROM builds r WHERE r.id = b.rebuilt_buildid) AS rebuild_of,
              (SELECT json_group_array(json_array(r.id, r.builderid, r.number)) FROM (SELECT * FROM builds WHERE rebuilt_buildid = b.id ORDER BY id) r) AS rebuilt_as
       FROM builds b WHERE b.id ${IN_JSON} ORDER BY b.id`,
    )
    .all(idList) as BuildRow[];
  const byBuild = <T extends { buildid: number }>(sql: string) => groupBy(record.statement(sql).all(idList) as T[], (row) => row.buildid);
  const stamps = byBuild<{ buildid: number; sourcestampid: number }>(
    `SELECT buildid, sourcestampid FROM build_sourcestamps WHERE buildid ${IN_JSON} ORDER BY buildid, sourcestampid`,
  );
  const triggered = byBuild<{ buildid: number } & BuildRef>(
    `SELECT parent_buildid AS buildid, id, builderid AS builderId, number FROM builds WHERE parent_buildid ${IN_JSON} ORDER BY id`,
  );
  const properties = byBuild<{ buildid: number; name: string; value: string; source: string }>(
    `SELECT buildid, name, value, source FROM build_properties WHERE buildid ${IN_JSON} ORDER BY buildid, name, rowid`,
  );
  const steps = groupBy(stepsOf(record, idList), (step) => step.buildId);

  return builds.map((row) => ({
    ...buildSummary(row),
    workerId: row.workerid,
    masterId: row.masterid,
    stateString: row.state_string,
    reason: row.reason,
    sourcestampIds: (stamps.get(row.id) ?? []).map((stamp) => stamp.sourcestampid),
    parent: parentOf(row),
    buildRequestId: row.buildrequestid,
    steps: steps.get(row.id) ?? [],
    properties: properties.get(row.id) ?? [],
    triggered: (triggered.get(row.id) ?? []).map(({ id, builderId, number }) => ({ id, builderId, number })),
    rerunOf: buildRef(row.rerun_of),
    rerunAs: buildRef(row.rerun_as),
    rebuildOf: row.rebuilt_buildid === null ? null : (buildRef(row.rebuild_of) ?? { id: row.rebuilt_buildid, builderId: -1, number: -1 }),
    rebuiltAs: (JSON.parse(row.rebuilt_as) as [number, number, number][]).map(([id, builderId, number]) => ({ id, builderId, number })),
    locksDuration: row.locks_duration_s,
    extrasRead: row.extras_read !== null,
    previousBuildId: row.previous_id,
    nextBuildId: row.next_id,
    sameNumberIds: JSON.parse(row.same_number) as number[],
  }));
}

/** A parent build the record has, or a parent it lacks (named by its id alone: -1 for builder and number). */
function parentOf(row: BuildRow): BuildRef | null {
  if (row.parent_buildid === null) return null;
  const [builderId, number] = row.parent ? (JSON.parse(row.parent) as [number, number]) : [-1, -1];
  return { id: row.parent_buildid, builderId, number };
}

const buildRef = (json: string | null): BuildRef | null => {
  if (json === null) return null;
  const [id, builderId, number] = JSON.parse(json) as [number, number, number];
  return { id, builderId, number };
};

/** The steps of these builds (a JSON list of ids), with their logs. */
function stepsOf(record: RecordReader, buildIds: string): (Step & { buildId: number })[] {
  const rows = record
    .statement(
      `SELECT id, buildid, number, name, started_at, complete_at, results, state_string, hidden, urls_json, locks_acquired_at
       FROM steps WHERE buildid ${IN_JSON} ORDER BY buildid, number, id`,
    )
    .all(buildIds) as StepRow[];
  const logs = groupBy(
    record
      .statement(
        `SELECT l.id, l.stepid, l.name, l.slug, l.type, l.num_lines FROM steps s
         JOIN logs l ON l.stepid = s.id WHERE s.buildid ${IN_JSON} ORDER BY l.stepid, l.id`,
      )
      .all(buildIds) as { id: number; stepid: number; name: string; slug: string; type: string; num_lines: number }[],
    (row) => row.stepid,
  );
  return rows.map((row) => {
    const urls = stepUrls(row.urls_json);
    return {
      id: row.id,
      buildId: row.buildid,
      number: row.number,
      name: row.name,
      startedAt: row.started_at,
      completeAt: row.complete_at,
      result: row.results,
      description: row.state_string,
      hidden: row.hidden !== 0,
      urls: urls ?? [],
      urlsUnreadable: urls === null,
      logs: (logs.get(row.id) ?? []).map((log): LogRef => ({ id: log.id, name: log.name, slug: log.slug, type: log.type, numLines: log.num_lines })),
      locksAcquiredAt: row.locks_acquired_at,
    };
  });
}

/** A step's published URLs, or null when `urls_json` is not the JSON list buildbot writes. */
function stepUrls(json: string): { name: string; url: string }[] | null {
  const parsed = parseJsonOr(json, null);
  if (!Array.isArray(parsed)) return null;
  return parsed
    .filter((entry): entry is { name: unknown; url: unknown } => typeof entry === 'object' && entry !== null)
    .map((entry) => ({ name: String(entry.name ?? entry.url), url: String(entry.url ?? '') }));
}

/** The builds of these builders (`builderIds` a subquery) with their position in the builder's order. */
const rankedBuilds = (builderIds: string) => `
  SELECT b.*, row_number() OVER (PARTITION BY b.builderid ORDER BY b.number, b.id) AS pos
  FROM builds b WHERE b.builderid IN (${builderIds})`;

/** Builds whose page the last update changed (see the delta table in schema.ts). */
function changedBuilds(record: RecordReader): number[] {
  return record.ids(
    `
    WITH changed_stamps AS (${CHANGED_STAMP_ROWS}),
    new_builds AS (SELECT b.* FROM delta d JOIN builds b ON b.id = d.id WHERE d.tbl = 'builds' AND d.new),
    touched AS (
      SELECT d.id, d.new FROM delta d WHERE d.tbl = 'builds'
      UNION SELECT s.buildid, 0 FROM delta d JOIN steps s ON s.id = d.id WHERE d.tbl = 'steps'),
    ranked AS (${rankedBuilds('SELECT b.builderid FROM touched t JOIN builds b ON b.id = t.id')})
    SELECT id FROM delta WHERE tbl IN ('builds', 'build_properties', 'build_sourcestamps')
    UNION SELECT s.buildid FROM delta d JOIN steps s ON s.id = d.id WHERE d.tbl = 'steps'
    UNION SELECT s.buildid FROM delta d JOIN logs l ON l.id = d.id JOIN steps s ON s.id = l.stepid WHERE d.tbl = 'logs'
    UNION SELECT t.buildid FROM delta d JOIN test_result_sets t ON t.id = d.id WHERE d.tbl = 'test_result_sets'
    UNION SELECT t.buildid FROM delta d JOIN test_results r ON r.id = d.id JOIN test_result_sets t ON t.id = r.setid WHERE d.tbl = 'test_results'
    UNION SELECT x.buildid FROM delta d JOIN build_data x ON x.id = d.id WHERE d.tbl = 'build_data'
    UNION SELECT bs.buildid FROM changed_stamps c JOIN build_sourcestamps bs ON bs.sourcestampid = c.id
    -- what a failed build's page says of its failures changed, or a build of its builder passed at its revision
    UNION SELECT id FROM delta WHERE tbl = 'build_failures'
    UNION SELECT failed FROM (${PASSED_SINCE})
    -- a build's page lists the builds it triggered, and links its neighbours in the builder
    UNION SELECT b.parent_buildid FROM delta d JOIN builds b ON b.id = d.id WHERE d.tbl = 'builds'
    UNION SELECT b.rebuilt_buildid FROM delta d JOIN builds b ON b.id = d.id WHERE d.tbl = 'builds'
    UNION SELECT ${neighbour('b', 'previous')} FROM new_builds b
    UNION SELECT ${neighbour('b', 'next')} FROM new_builds b
    -- a failed build's page shows builds around it, and counts its failures among the builds before it;
    -- CROSS JOIN keeps SQLite's order, from the touched builds out: left to choose, it scanned
    -- every ranked build against its builder's failed ones (7 times as long at 100k builds)
    UNION SELECT o.id FROM touched t CROSS JOIN ranked r ON r.id = t.id
      CROSS JOIN ranked o ON o.builderid = r.builderid AND o.results IN ${FAILED}
      AND (o.pos BETWEEN r.pos - ${SIMILAR.around} AND r.pos + ${SIMILAR.around}
           OR (NOT t.new AND o.pos BETWEEN r.pos + 1 AND r.pos + ${SIMILAR.lookback}))`,
    'builds',
  );
}
