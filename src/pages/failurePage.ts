/**
 * Failures across the whole archive: a page per failure signature (`failure/<key>/`: the failure,
 * an example, when it was first and last seen, its builders, a timeline, and every build that hit
 * it), and `failures/`, every signature by when it was last seen. Signatures are in the record
 * (src/record/signatures.ts); a build's own page says what it hit (buildPage.ts).
 */
import { periodsOver } from '../model/periods.ts';
import { buildResult, type ResultView } from '../model/results.ts';
import { type TimeView, timeView } from '../model/time.ts';
import type { BuildSummary } from '../model/types.ts';
import { type RecordReader, SUMMARY_COLUMNS, type SummaryRow, buildSummary } from '../record/reader.ts';
import { IN_JSON, jsonIds } from '../record/sql.ts';
import { type PageUrl, fixedPaged, paged, pathSegment } from '../urls.ts';
import { buildUrl } from './buildPage.ts';
import { type Archive, type PageKind, cutByWeight, idSpan, pageRanges, pagedListKind } from './kind.ts';
import { logUrl } from './logPage.ts';
import { type FixedPager, type Pager, changedFixedPages, fixedPager, fixedPaging, pager } from './paging.ts';
import { type Link, Linker, type PageBase, type Site, pageBase } from './site.ts';

/** A failure's page, newest by default; older pages are numbered from its oldest build. */
export function failureUrl(key: string, page = 1, pageCount = 1): PageUrl {
  return fixedPaged(`failure/${pathSegment(key)}/`, page, pageCount);
}

/** Every failure, by when it was last seen. */
export function failuresUrl(page = 1): PageUrl {
  return paged('failures/', page);
}

export const BUILDS_PER_FAILURE_PAGE = 100;
export const FAILURES_PER_PAGE = 100;

/** A signature as the record holds it. */
export interface Signature {
  id: number;
  key: string;
  text: string;
  /** From error lines of a log, or from a failed step's own name and text. */
  source: 'log' | 'step';
  builds: number;
  builders: number;
  firstBuild: number | null;
  lastBuild: number | null;
}

const SIGNATURE_COLUMNS = 'id, key, text, source, builds, builders, first_build AS firstBuild, last_build AS lastBuild';

/** Pages `first` to `last` of one signature's builds (see fixedPaging). */
export interface FailurePageRange {
  id: number;
  buildCount: number;
  first: number;
  last: number;
}

export interface FailurePart {
  ranges: FailurePageRange[];
}

export interface FailureRow {
  build: Link;
  builder: Link;
  result: ResultView;
  start: TimeView;
}

/** What the newest page of a failure says of it as a whole. */
export interface FailureSummary {
  /** The line as printed, whole, in the newest build that hit it; linked to its line in the log where there is one. */
  example: { text: string; href: string; build: Link };
  first: { build: Link; start: TimeView };
  last: { build: Link; start: TimeView };
  builds: number;
  builders: { builder: Link; builds: number }[];
  timeline: HitTimeline;
  /** How many of its hits were builds whose builder passed at the same revision: the failure is intermittent. */
  passedAtRevision: number;
}

export interface FailurePage extends PageBase {
  key: string;
  text: string;
  /** Where the signature comes from, in words. */
  sourceNote: string;
  summary: FailureSummary | null;
  /** Which builds this page holds, counted from the failure's first (1). */
  span: { first: number; last: number };
  builds: FailureRow[];
  pager: FixedPager;
}

/** `failure/<key>/`: a page per failure signature, its builds 100 a page, numbered from the oldest. */
export const failureKind: PageKind<FailurePart> = {
  name: 'failure',
  body: 'failure',
  folder: 'failure',
  plan: ({ record, options }) => {
    function* pages() {
      for (const { id, builds } of record.db.prepare('SELECT id, builds FROM signatures WHERE builds > 0 ORDER BY key').iterate() as Iterable<{ id: number; builds: number }>) {
        for (let page = 1; page <= fixedPaging.count(builds, BUILDS_PER_FAILURE_PAGE); page++) yield { id, buildCount: builds, page };
      }
    }
    return failureParts(pages(), options.buildsPerWindow);
  },
  changed: (archive, before) => {
    const pages = changedFailurePages(archive, before);
    return pages && failureParts(pages, archive.options.buildsPerWindow);
  },
  pageCount: (part) => part.ranges.reduce((sum, range) => sum + range.last - range.first + 1, 0),
  weight: (part) => part.ranges.reduce((sum, range) => sum + range.last - range.first + 1, 0),
  describe: (part) => `failure pages of signatures ${idSpan(part.ranges.map((range) => range.id))}`,
  pages: ({ record, site, options }, part) => failurePages(record, site, part.ranges, options.logs === 'full'),
};

/** Pages weigh one each, as a builder's do. */
const failureParts = (pages: Iterable<{ id: number; buildCount: number; page: number }>, budget: number): FailurePart[] =>
  Array.from(cutByWeight(pages, () => 1, budget), (run) => ({ ranges: pageRanges(run) }));

/**
 * The pages of each signature an update changed: where builds joined it, the pages from there to
 * the newest; the page of each of its builds that changed; and its newest page, which sums up all
 * of them, also when a build passed at the revision of one of its builds (its intermittent count).
 * Only the builds the update touched can have joined or left a signature. Null when a build left
 * one, which is not followed page by page.
 */
function changedFailurePages({ record }: Archive, before: Archive): { id: number; buildCount: number; page: number }[] | null {
  const signatures = record.db
    .prepare(
      `SELECT s.id, s.key, s.builds FROM signatures s WHERE s.builds > 0 AND s.id IN (
         SELECT id FROM delta WHERE tbl = 'signatures'
         UNION SELECT bs.signature FROM delta d JOIN build_signatures bs ON bs.buildid = d.id WHERE d.tbl IN ('builds', 'build_failures')
         UNION SELECT bs.signature FROM (${PASSED_SINCE}) p JOIN build_signatures bs ON bs.buildid = p.failed)
       ORDER BY s.key`,
    )
    .all() as { id: number; key: string; builds: number }[];
  const touched = jsonIds(record.db.prepare("SELECT DISTINCT id FROM delta WHERE tbl IN ('builds', 'build_failures') ORDER BY id").pluck().all() as number[]);
  const touchedHits = record.statement(`SELECT buildid FROM build_signatures WHERE signature = ? AND buildid ${IN_JSON} ORDER BY buildid`).pluck();
  const hitsBefore = before.record.statement(
    `SELECT bs.buildid FROM signatures s JOIN build_signatures bs ON bs.signature = s.id WHERE s.key = ? AND bs.buildid ${IN_JSON}`,
  ).pluck();
  const countBefore = before.record.statement('SELECT builds FROM signatures WHERE key = ?').pluck();
  const position = record.statement('SELECT count(*) FROM build_signatures WHERE signature = ? AND buildid < ?').pluck();
  const pages: { id: number; buildCount: number; page: number }[] = [];
  for (const { id, key, builds } of signatures) {
    const now = touchedHits.all(id, touched) as number[];
    const then = new Set(hitsBefore.all(key, touched) as number[]);
    if ([...then].some((build) => !now.includes(build))) return null;
    const joined = now.filter((build) => !then.has(build));
    const at = (build: number) => position.get(id, build) as number;
    const numbers = changedFixedPages(
      (countBefore.get(key) as number | undefined) ?? null,
      builds,
      BUILDS_PER_FAILURE_PAGE,
      joined.length > 0 ? at(joined[0]!) : null,
      now.map(at),
    );
    // The newest page sums up all of the failure's builds: it changes with any of them.
    const newest = fixedPaging.count(builds, BUILDS_PER_FAILURE_PAGE);
    for (const page of new Set([...numbers, newest])) pages.push({ id, buildCount: builds, page });
  }
  return pages;
}

/**
 * Failed builds (`failed`) whose builder has a build at the same revision that the last update
 * added or changed and that passed: their pages say so, and their signatures' count it.
 */
export const PASSED_SINCE = `
  SELECT DISTINCT f.id AS failed FROM delta d JOIN builds ok ON ok.id = d.id AND ok.results = 0
  JOIN build_sourcestamps okbs ON okbs.buildid = ok.id JOIN sourcestamps oks ON oks.id = okbs.sourcestampid AND oks.revision IS NOT NULL
  JOIN sourcestamps fs ON fs.revision = oks.revision JOIN build_sourcestamps fbs ON fbs.sourcestampid = fs.id
  JOIN builds f ON f.id = fbs.buildid AND f.builderid = ok.builderid AND f.results IN (1, 2, 4)
  WHERE d.tbl = 'builds'`;

export function signaturesWithIds(record: RecordReader, ids: readonly number[]): Map<number, Signature> {
  const rows = record.statement(`SELECT ${SIGNATURE_COLUMNS} FROM signatures WHERE id ${IN_JSON}`).all(jsonIds(ids)) as Signature[];
  return new Map(rows.map((row) => [row.id, row]));
}

function failurePages(record: RecordReader, site: Site, ranges: readonly FailurePageRange[], logPages: boolean): FailurePage[] {
  const signatures = signaturesWithIds(record, ranges.map((range) => range.id));
  return ranges.flatMap(({ id, buildCount, first, last }) => {
    const signature = signatures.get(id)!;
    const pageCount = fixedPaging.count(buildCount, BUILDS_PER_FAILURE_PAGE);
    const start = fixedPaging.slice(first, buildCount, BUILDS_PER_FAILURE_PAGE).offset;
    const end = fixedPaging.slice(last, buildCount, BUILDS_PER_FAILURE_PAGE);
    const builds = hitsOf(record, id, start, end.offset + end.limit - start);
    return Array.from({ length: last - first + 1 }, (_, index): FailurePage => {
      const number = first + index;
      const { offset, limit } = fixedPaging.slice(number, buildCount, BUILDS_PER_FAILURE_PAGE);
      const link = new Linker(failureUrl(signature.key, number, pageCount), site);
      const newest = number === pageCount;
      const title = `Failure ${signature.text.length > 60 ? `${signature.text.slice(0, 60)}…` : signature.text}`;
      return {
        ...pageBase(link, site, newest ? title : `${title}, page ${number}`, {
          above: [link.section('failures'), ...(newest ? [] : [{ href: link.to(failureUrl(signature.key, pageCount, pageCount)), text: 'this failure' }])],
        }),
        key: signature.key,
        text: signature.text,
        sourceNote: SOURCE_NOTES[signature.source === 'log' ? 'log' : site.schema === 'statusdb' ? 'statusdb' : 'step'],
        summary: newest ? failureSummary(record, signature, link, logPages) : null,
        span: { first: offset + 1, last: offset + limit },
        builds: builds
          .slice(offset - start, offset - start + limit)
          .reverse()
          .map((build) => ({
            build: { href: link.to(buildUrl(build.id)), text: `${link.builder(build.builderId).text} #${build.number}` },
            builder: link.builder(build.builderId),
            result: buildResult(build),
            start: timeView(build.startedAt),
          })),
        pager: fixedPager(number, pageCount, (page) => link.to(failureUrl(signature.key, page, pageCount))),
      };
    });
  });
}

const SOURCE_NOTES = {
  log: 'The same error line in every build that hit it: its times, process ids, addresses, durations and paths taken out.',
  step: "From the failed step's name and text: its logs held no error line.",
  statusdb: "From the failed step's name and text: statusdb kept no logs.",
} as const;

/** A signature's builds, by id: `limit` of them from `offset`. */
function hitsOf(record: RecordReader, signature: number, offset: number, limit: number): BuildSummary[] {
  const rows = record
    .statement(`SELECT ${SUMMARY_COLUMNS} FROM build_signatures bs JOIN builds b ON b.id = bs.buildid WHERE bs.signature = ? ORDER BY bs.buildid LIMIT ? OFFSET ?`)
    .all(signature, limit, offset) as SummaryRow[];
  return rows.map(buildSummary);
}

function failureSummary(record: RecordReader, signature: Signature, link: Linker, logPages: boolean): FailureSummary | null {
  if (signature.firstBuild === null || signature.lastBuild === null) return null;
  const ends = new Map(
    (record.statement(`SELECT ${SUMMARY_COLUMNS} FROM builds b WHERE b.id ${IN_JSON}`).all(jsonIds([signature.firstBuild, signature.lastBuild])) as SummaryRow[]).map((row) => [
      row.id,
      buildSummary(row),
    ]),
  );
  const buildLink = (build: BuildSummary): Link => ({ href: link.to(buildUrl(build.id)), text: `${link.builder(build.builderId).text} #${build.number}` });
  const firstBuild = ends.get(signature.firstBuild)!;
  const lastBuild = ends.get(signature.lastBuild)!;
  const example = record
    .statement(
      `SELECT ss.example, ss.logid, ss.line FROM step_signatures ss JOIN steps s ON s.id = ss.stepid
       WHERE s.buildid = ? AND ss.signature = ? ORDER BY s.number, s.id LIMIT 1`,
    )
    .get(lastBuild.id, signature.id) as { example: string; logid: number | null; line: number | null };
  const builders = record
    .statement(
      `SELECT b.builderid, count(*) AS builds FROM build_signatures bs JOIN builds b ON b.id = bs.buildid
       WHERE bs.signature = ? GROUP BY b.builderid ORDER BY builds DESC, b.builderid`,
    )
    .all(signature.id) as { builderid: number; builds: number }[];
  return {
    example: {
      text: example.example,
      href:
        logPages && example.logid !== null
          ? `${link.to(logUrl(lastBuild.id, example.logid))}#L${(example.line ?? 0) + 1}`
          : link.to(buildUrl(lastBuild.id)),
      build: buildLink(lastBuild),
    },
    first: { build: buildLink(firstBuild), start: timeView(firstBuild.startedAt) },
    last: { build: buildLink(lastBuild), start: timeView(lastBuild.startedAt) },
    builds: signature.builds,
    builders: builders.map((row) => ({ builder: link.builder(row.builderid), builds: row.builds })),
    timeline: hitTimeline(record, signature.id, lastBuild.startedAt),
    passedAtRevision: record
      .statement(
        `SELECT count(*) FROM build_signatures bs JOIN builds b ON b.id = bs.buildid
         WHERE bs.signature = ? AND EXISTS (SELECT 1 FROM builds f ${passedAtRevision('f')} WHERE f.id = b.id)`,
      )
      .pluck()
      .get(signature.id) as number,
  };
}

/**
 * SQL joins from a build `build` (an alias) to `ok`: each build of its builder at the same revision
 * whose result is success. A failed build with one is intermittent, as Treeherder marks a failed
 * job when a job of the same name passed on the push.
 */
export const passedAtRevision = (build: string) => `
  JOIN build_sourcestamps fbs ON fbs.buildid = ${build}.id JOIN sourcestamps fs ON fs.id = fbs.sourcestampid AND fs.revision IS NOT NULL
  JOIN sourcestamps os ON os.revision = fs.revision JOIN build_sourcestamps obs ON obs.sourcestampid = os.id
  JOIN builds ok ON ok.id = obs.buildid AND ok.builderid = ${build}.builderid AND ok.results = 0`;

/** Hits per hour, day or week, from the archive's first build to the failure's last hit. */
export interface HitTimeline {
  width: number;
  height: number;
  /** For the picture's accessible name, and for those who read no pictures. */
  description: string;
  /** Each bar's stroke. */
  barWidth: number;
  /** The bars, each with what it counts (for their titles). */
  bars: { x: number; top: number; title: string }[];
  from: string;
  to: string;
}

const TIMELINE = { width: 600, height: 60 } as const;

function hitTimeline(record: RecordReader, signature: number, lastStart: number | null): HitTimeline {
  const origin = (record.db.prepare('SELECT min(started_at) FROM builds').pluck().get() as number | null) ?? lastStart ?? 0;
  const last = lastStart ?? origin;
  const { unit, seconds, start, count: buckets, label: when } = periodsOver(origin, last);
  const counts = record
    .statement(
      `SELECT (b.started_at - ?) / ? AS bucket, count(*) AS hits FROM build_signatures bs JOIN builds b ON b.id = bs.buildid
       WHERE bs.signature = ? AND b.started_at IS NOT NULL GROUP BY bucket ORDER BY bucket`,
    )
    .all(start, seconds, signature) as { bucket: number; hits: number }[];
  const most = Math.max(1, ...counts.map((row) => row.hits));
  const step = TIMELINE.width / buckets;
  const bars = counts.map(({ bucket: index, hits }) => ({
    x: Math.round((index + 0.5) * step * 10) / 10,
    top: Math.round((TIMELINE.height - Math.max(2, (hits / most) * TIMELINE.height)) * 10) / 10,
    title: `${hits} build${hits === 1 ? '' : 's'} in the ${unit} of ${when(index)}`,
  }));
  const busiest = counts.reduce((best, row) => (row.hits > best.hits ? row : best), counts[0] ?? { bucket: 0, hits: 0 });
  return {
    width: TIMELINE.width,
    height: TIMELINE.height,
    description:
      `Builds that hit this failure per ${unit}, from ${when(0)} to ${when(buckets - 1)}` +
      (counts.length > 0 ? `; at most ${busiest.hits} in the ${unit} of ${when(busiest.bucket)}` : ''),
    // Bars leave a gap between them, and a lone bar stays a bar.
    barWidth: Math.min(Math.max(1, Math.round(step * 7) / 10), 12),
    bars,
    from: when(0),
    to: when(buckets - 1),
  };
}

export interface FailuresRow {
  failure: Link;
  source: 'log' | 'step';
  first: TimeView;
  last: TimeView;
  builds: number;
  builders: number;
}

export interface FailuresPage extends PageBase {
  count: number;
  rows: FailuresRow[];
  pager: Pager;
}

/**
 * `failures/`: every signature by when it was last seen, newest first, 100 a page. The order moves
 * with every update that sees a failure again, so every update renders these pages again.
 */
export const failuresKind = pagedListKind(
  'failures',
  { text: 'Failures', url: failuresUrl() },
  (record) => Math.max(1, Math.ceil(failureCount(record) / FAILURES_PER_PAGE)),
  ({ record, site }, part) => failuresPage(record, site, part.page, part.pageCount),
);

const failureCount = (record: RecordReader) => record.db.prepare('SELECT count(*) FROM signatures WHERE builds > 0').pluck().get() as number;

function failuresPage(record: RecordReader, site: Site, page: number, pageCount: number): FailuresPage {
  const link = new Linker(failuresUrl(page), site);
  const rows = record
    .statement(
      `SELECT s.key, s.text, s.source, s.builds, s.builders, f.started_at AS first, l.started_at AS last
       FROM signatures s JOIN builds f ON f.id = s.first_build JOIN builds l ON l.id = s.last_build
       WHERE s.builds > 0 ORDER BY l.started_at DESC, l.id DESC, s.key LIMIT ? OFFSET ?`,
    )
    .all(FAILURES_PER_PAGE, (page - 1) * FAILURES_PER_PAGE) as {
    key: string;
    text: string;
    source: 'log' | 'step';
    builds: number;
    builders: number;
    first: number | null;
    last: number | null;
  }[];
  return {
    ...pageBase(link, site, page === 1 ? 'Failures' : `Failures, page ${page}`, { above: page === 1 ? [] : [link.section('failures')] }),
    count: failureCount(record),
    rows: rows.map((row) => ({
      failure: { href: link.to(failureUrl(row.key)), text: row.text },
      source: row.source,
      first: timeView(row.first),
      last: timeView(row.last),
      builds: row.builds,
      builders: row.builders,
    })),
    pager: pager(page, pageCount, (number) => link.to(failuresUrl(number))),
  };
}
