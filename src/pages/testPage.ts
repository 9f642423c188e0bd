/**
 * Tests across the whole archive (buildbot 2.9+ test results). A test is its name and code path,
 * either of which may be absent, whatever the set, step or builder that reported it; its address
 * is a hash of both, the same in every archive of the same CI. `test/<key>/` shows its results
 * over the whole history — per builder: runs, failures, flip rate, a strip of its newest runs and
 * the revisions where it both passed and failed — then every result, 100 a page, numbered from the
 * oldest. `tests/` lists the tests that failed, most flaky first.
 */
import { createHash } from 'node:crypto';
import { type ResultView } from '../model/results.ts';
import { type TimeView, timeView } from '../model/time.ts';
import type { RecordReader } from '../record/reader.ts';
import { type PageUrl, fixedPaged, paged } from '../urls.ts';
import { buildUrl } from './buildPage.ts';
import type { BuildChip } from './buildChips.ts';
import { type TrendChart, type Timed, durationTrend } from './durationTrend.ts';
import { type Archive, type PageKind, cutByWeight, pageRanges, pagedListKind } from './kind.ts';
import { type FixedPager, type Pager, changedFixedPages, fixedPager, fixedPaging, pager } from './paging.ts';
import { revisionUrl } from './revisionPage.ts';
import { type Link, Linker, type PageBase, type Site, pageBase } from './site.ts';

/** A set of results that pass or fail (buildbot's `boolean` unit): any other unit holds measurements or messages. */
export const isPassFail = (valueUnit: string) => valueUnit === 'boolean';

/** What a result of a pass/fail set says: buildbot writes 1 for a pass and 0 for a failure. */
export function testOutcome(value: string): string {
  if (value === '0') return 'failed';
  if (value === '1') return 'passed';
  return value;
}

/** A test's address key: a hash of its name and code path, stable across updates, shards and machines. */
export function testKey(name: string | null, codePath: string | null): string {
  return createHash('sha256').update(JSON.stringify([name, codePath])).digest('hex').slice(0, 16);
}

export function testUrl(key: string, page = 1, pageCount = 1): PageUrl {
  return fixedPaged(`test/${key}/`, page, pageCount);
}

export function testsUrl(page = 1): PageUrl {
  return paged('tests/', page);
}

/** What a test is called on pages: its name, else its code path. */
export const testTitle = (name: string | null, codePath: string | null) => name ?? codePath ?? 'a test without name or code path';

export function testLink(name: string | null, codePath: string | null, link: Linker): Link {
  return { href: link.to(testUrl(testKey(name, codePath))), text: testTitle(name, codePath) };
}

export const RESULTS_PER_TEST_PAGE = 100;
export const TESTS_PER_PAGE = 100;
/** A builder's flip rate counts its newest runs of a test, up to this many. */
export const FLIP_RUNS = 50;
/** Revisions where a test both passed and failed, listed per builder. */
const FLAKY_REVISIONS = 10;
/** Runs a test's trends draw: its newest, so a page costs the same however old the test. */
export const TREND_RUNS = 2000;

/** A test as the record names it. */
interface TestName {
  name: string | null;
  codePath: string | null;
}

/** Pages `first` to `last` of one test's results (see fixedPaging). */
export interface TestPageRange extends TestName {
  key: string;
  resultCount: number;
  first: number;
  last: number;
}

export interface TestPart {
  ranges: TestPageRange[];
}

/** A result of a pass/fail set as a strip shows it. */
const OUTCOMES: Record<string, ResultView> = {
  passed: { key: 'success', label: 'passed', letter: 'P' },
  failed: { key: 'failure', label: 'failed', letter: 'F' },
};

export interface TestRow {
  build: Link;
  start: TimeView;
  /** What the result says: passed, failed, or its value and unit. */
  outcome: string;
  failed: boolean;
  where: string | null;
  duration: string;
}

export interface TestBuilderView {
  builder: Link;
  runs: number;
  failures: number;
  /** Flips between consecutive runs ÷ (runs − 1) over its newest FLIP_RUNS runs, as "12 %"; null with fewer than two. */
  flipRate: string | null;
  /** Its newest runs (up to FLIP_RUNS), oldest left. */
  recent: BuildChip[];
  /** Revisions at which the test both passed and failed on this builder, newest first. */
  flakyAt: Link[];
}

export interface TestSummary {
  results: number;
  /** Whether any of its results pass or fail: a test of measurements only has no failures to tell. */
  passFail: boolean;
  /** Builds where it failed (pass/fail results only). */
  failures: number;
  firstFailure: { build: Link; start: TimeView } | null;
  lastFailure: { build: Link; start: TimeView } | null;
  builders: TestBuilderView[];
  trends: TrendChart[];
}

export interface TestPage extends PageBase {
  name: string | null;
  codePath: string | null;
  summary: TestSummary | null;
  /** The runs a flip rate counts. */
  flipRuns: number;
  /** Which results this page holds, counted from the test's first (1). */
  span: { first: number; last: number };
  rows: TestRow[];
  pager: FixedPager;
}

/** `test/<key>/`: a page per test, its results 100 a page, numbered from the oldest. */
export const testKind: PageKind<TestPart> = {
  name: 'test',
  body: 'test',
  folder: 'test',
  plan: ({ record, options }) => testParts(testPagesOf(resultCounts(record)), options.buildsPerWindow),
  changed: (archive, before) => testParts(changedTestPages(archive, before), archive.options.buildsPerWindow),
  pageCount: (part) => part.ranges.reduce((sum, range) => sum + range.last - range.first + 1, 0),
  weight: (part) => part.ranges.reduce((sum, range) => sum + range.last - range.first + 1, 0),
  describe: (part) => `test pages of ${part.ranges[0]?.key}–${part.ranges.at(-1)?.key}`,
  pages: ({ record, site }, part) => testPages(record, site, part.ranges),
};

interface TestPageUnit extends TestName {
  id: number;
  key: string;
  resultCount: number;
  page: number;
}

/** Pages weigh one each, as a builder's do. */
const testParts = (pages: TestPageUnit[], budget: number): TestPart[] =>
  Array.from(cutByWeight(pages, () => 1, budget), (run) => ({ ranges: pageRanges(run).map(({ id: _, ...range }) => range) }));

/** How many results each test has (of `only`, where given), by key. */
function resultCounts(record: RecordReader, only?: readonly TestName[]): (TestName & { key: string; results: number })[] {
  const rows = only
    ? only.map((test) => ({ ...test, results: record.statement('SELECT count(*) FROM test_results WHERE name IS ? AND code_path IS ?').pluck().get(test.name, test.codePath) as number }))
    : (record.db.prepare('SELECT name, code_path AS codePath, count(*) AS results FROM test_results GROUP BY name, code_path').all() as (TestName & { results: number })[]);
  return rows.map((row) => ({ ...row, key: testKey(row.name, row.codePath) })).sort((a, b) => a.key.localeCompare(b.key));
}

function testPagesOf(tests: (TestName & { key: string; results: number })[]): TestPageUnit[] {
  return tests.flatMap((test, id) =>
    Array.from({ length: fixedPaging.count(test.results, RESULTS_PER_TEST_PAGE) }, (_, index) => ({
      id,
      key: test.key,
      name: test.name,
      codePath: test.codePath,
      resultCount: test.results,
      page: index + 1,
    })),
  );
}

/**
 * The pages of each test whose results the last update added or changed: from its first new
 * result to its newest page, the page of each changed result, and its newest page, which sums up
 * all of them.
 */
function changedTestPages({ record }: Archive, before: Archive): TestPageUnit[] {
  const changed = record.db
    .prepare(
      `SELECT r.name, r.code_path AS codePath, min(CASE WHEN d.new THEN r.id END) AS firstNew,
         json_group_array(CASE WHEN NOT d.new THEN r.id END) AS changedIds
       FROM delta d JOIN test_results r ON r.id = d.id WHERE d.tbl = 'test_results' GROUP BY r.name, r.code_path`,
    )
    .all() as (TestName & { firstNew: number | null; changedIds: string })[];
  const position = record.statement('SELECT count(*) FROM test_results WHERE name IS ? AND code_path IS ? AND id < ?').pluck();
  const countBefore = before.record.statement('SELECT count(*) FROM test_results WHERE name IS ? AND code_path IS ?').pluck();
  const counts = new Map(resultCounts(record, changed).map((test) => [test.key, test.results]));
  return changed
    .map((test) => ({ ...test, key: testKey(test.name, test.codePath) }))
    .sort((a, b) => a.key.localeCompare(b.key))
    .flatMap((test, id) => {
      const results = counts.get(test.key)!;
      const at = (resultId: number) => position.get(test.name, test.codePath, resultId) as number;
      const previously = countBefore.get(test.name, test.codePath) as number;
      const changedAt = (JSON.parse(test.changedIds) as (number | null)[]).filter((resultId) => resultId !== null).map(at);
      const pages = changedFixedPages(previously === 0 ? null : previously, results, RESULTS_PER_TEST_PAGE, test.firstNew === null ? null : at(test.firstNew), changedAt);
      const newest = fixedPaging.count(results, RESULTS_PER_TEST_PAGE);
      return [...new Set([...pages, newest])].map((page) => ({ id, key: test.key, name: test.name, codePath: test.codePath, resultCount: results, page }));
    });
}

interface ResultRow {
  id: number;
  value: string;
  value_unit: string;
  line: number | null;
  duration_ns: number | null;
  buildid: number;
  builderid: number;
  number: number;
  started_at: number | null;
}

/** A test's results by id, `limit` of them from `offset`, with their builds. */
function resultsOf(record: RecordReader, test: TestName, offset: number, limit: number): ResultRow[] {
  return record
    .statement(
      `SELECT r.id, r.value, s.value_unit, r.line, r.duration_ns, s.buildid, b.builderid, b.number, b.started_at
       FROM test_results r JOIN test_result_sets s ON s.id = r.setid JOIN builds b ON b.id = s.buildid
       WHERE r.name IS ? AND r.code_path IS ? ORDER BY r.id LIMIT ? OFFSET ?`,
    )
    .all(test.name, test.codePath, limit, offset) as ResultRow[];
}

function testPages(record: RecordReader, site: Site, ranges: readonly TestPageRange[]): TestPage[] {
  return ranges.flatMap((range) => {
    const { key, name, codePath, resultCount, first, last } = range;
    const pageCount = fixedPaging.count(resultCount, RESULTS_PER_TEST_PAGE);
    const start = fixedPaging.slice(first, resultCount, RESULTS_PER_TEST_PAGE).offset;
    const end = fixedPaging.slice(last, resultCount, RESULTS_PER_TEST_PAGE);
    const results = resultsOf(record, range, start, end.offset + end.limit - start);
    const title = `Test ${testTitle(name, codePath)}`;
    return Array.from({ length: last - first + 1 }, (_, index): TestPage => {
      const number = first + index;
      const { offset, limit } = fixedPaging.slice(number, resultCount, RESULTS_PER_TEST_PAGE);
      const link = new Linker(testUrl(key, number, pageCount), site);
      const newest = number === pageCount;
      return {
        ...pageBase(link, site, newest ? title : `${title}, page ${number}`, {
          above: [link.section('tests'), ...(newest ? [] : [{ href: link.to(testUrl(key, pageCount, pageCount)), text: 'this test' }])],
        }),
        name,
        codePath,
        summary: newest ? testSummary(record, range, resultCount, link) : null,
        flipRuns: FLIP_RUNS,
        span: { first: offset + 1, last: offset + limit },
        rows: results
          .slice(offset - start, offset - start + limit)
          .reverse()
          .map((row) => testRow(row, codePath, link)),
        pager: fixedPager(number, pageCount, (page) => link.to(testUrl(key, page, pageCount))),
      };
    });
  });
}

function testRow(row: ResultRow, codePath: string | null, link: Linker): TestRow {
  const passFail = isPassFail(row.value_unit);
  const outcome = passFail ? testOutcome(row.value) : `${row.value}${row.value_unit === 'message' ? '' : ` ${row.value_unit}`}`;
  return {
    build: { href: link.to(buildUrl(row.buildid)), text: `${link.builder(row.builderid).text} #${row.number}` },
    start: timeView(row.started_at),
    outcome,
    failed: passFail && outcome === 'failed',
    where: codePath === null || row.line === null ? null : `line ${row.line}`,
    duration: row.duration_ns === null ? '' : testDurationText(row.duration_ns),
  };
}

/** A test's duration: milliseconds under ten seconds, else seconds. */
export function testDurationText(ns: number): string {
  const ms = ns / 1e6;
  return ms < 10_000 ? `${Math.round(ms).toLocaleString('en-US')} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * SQL: each build's pass/fail run of the tests `where` selects (on `r`, a test_results alias),
 * failed when any of its results for the test failed, with its age among its builder's runs of
 * the test (1 = newest, in build order: start time, ties by build id) and whether the run before
 * it failed.
 */
const RUNS = (where: string) => `
  WITH runs AS (
    SELECT r.name, r.code_path, s.buildid, b.builderid, b.number, b.started_at, max(r.value = '0') AS failed
    FROM test_results r JOIN test_result_sets s ON s.id = r.setid AND s.value_unit = 'boolean' JOIN builds b ON b.id = s.buildid
    WHERE ${where} GROUP BY r.name, r.code_path, s.buildid)
  SELECT *, row_number() OVER (PARTITION BY name, code_path, builderid ORDER BY started_at DESC, buildid DESC) AS age,
    lag(failed) OVER (PARTITION BY name, code_path, builderid ORDER BY started_at, buildid) AS previous
  FROM runs`;

/**
 * Per test and builder: runs, failed runs, the newest failure, and the flips among its newest
 * FLIP_RUNS runs (a flip is a run whose result differs from the run before it, both among them).
 */
const BUILDER_STATS = (where: string) => `
  SELECT name, code_path, builderid, count(*) AS runs, sum(failed) AS failures, min(count(*), ${FLIP_RUNS}) AS recent,
    sum(age < ${FLIP_RUNS} AND previous IS NOT NULL AND failed <> previous) AS flips,
    max(CASE WHEN failed THEN started_at END) AS last_failed
  FROM (${RUNS(where)}) GROUP BY name, code_path, builderid`;

interface BuilderStats {
  builderid: number;
  runs: number;
  failures: number;
  recent: number;
  flips: number;
  last_failed: number | null;
}

/** The share of flips, or null with fewer than two runs. */
const flipShare = (stats: Pick<BuilderStats, 'recent' | 'flips'>) => (stats.recent < 2 ? null : stats.flips / (stats.recent - 1));
const percentText = (share: number | null) => (share === null ? null : `${Math.round(share * 100)} %`);

function testSummary(record: RecordReader, test: TestName, results: number, link: Linker): TestSummary {
  const where = 'r.name IS ? AND r.code_path IS ?';
  const params = [test.name, test.codePath];
  const stats = record.statement(`${BUILDER_STATS(where)} ORDER BY builderid`).all(...params) as BuilderStats[];
  const runs = record.statement(`SELECT * FROM (${RUNS(where)}) WHERE age <= ${FLIP_RUNS} ORDER BY builderid, started_at, buildid`).all(...params) as {
    builderid: number;
    buildid: number;
    number: number;
    failed: number;
  }[];
  const flaky = record
    .statement(
      `SELECT x.builderid, ss.revision FROM (${RUNS(where)}) x JOIN build_sourcestamps bs ON bs.buildid = x.buildid
       JOIN sourcestamps ss ON ss.id = bs.sourcestampid AND ss.revision IS NOT NULL
       GROUP BY x.builderid, ss.revision HAVING min(x.failed) = 0 AND max(x.failed) = 1 ORDER BY x.builderid, max(x.started_at) DESC`,
    )
    .all(...params) as { builderid: number; revision: string }[];
  // The first and last failed runs, and how many there are, without holding every run.
  const failures = record
    .statement(
      `SELECT * FROM (SELECT *, count(*) OVER () AS failures, row_number() OVER (ORDER BY started_at, buildid) AS n
         FROM (${RUNS(where)}) WHERE failed) WHERE n = 1 OR n = failures ORDER BY n`,
    )
    .all(...params) as { buildid: number; builderid: number; number: number; started_at: number | null; failures: number }[];
  const buildLink = (row: { buildid: number; builderid: number; number: number }): Link => ({
    href: link.to(buildUrl(row.buildid)),
    text: `${link.builder(row.builderid).text} #${row.number}`,
  });
  const ends = (row: (typeof failures)[number] | undefined) => (row ? { build: buildLink(row), start: timeView(row.started_at) } : null);
  const builders = stats.map((row): TestBuilderView => ({
    builder: link.builder(row.builderid),
    runs: row.runs,
    failures: row.failures,
    flipRate: percentText(flipShare(row)),
    recent: runs
      .filter((run) => run.builderid === row.builderid)
      .map((run) => ({ ...buildLink(run), href: buildLink(run).href!, result: OUTCOMES[run.failed ? 'failed' : 'passed']! })),
    flakyAt: flaky
      .filter((entry) => entry.builderid === row.builderid)
      .slice(0, FLAKY_REVISIONS)
      .map((entry) => ({ href: link.to(revisionUrl(entry.revision)), text: entry.revision.slice(0, 12) })),
  }));
  return {
    results,
    passFail: stats.length > 0,
    failures: failures[0]?.failures ?? 0,
    firstFailure: ends(failures[0]),
    lastFailure: ends(failures.at(-1)),
    builders: builders.sort((a, b) => b.failures - a.failures || a.builder.text.localeCompare(b.builder.text)),
    trends: testTrends(record, test, link),
  };
}

/** The test's durations over time, and the values of each unit of measurement it has, over its newest TREND_RUNS results. */
function testTrends(record: RecordReader, test: TestName, link: Linker): TrendChart[] {
  const rows = record
    .statement(
      `SELECT * FROM (SELECT b.id, b.number, b.started_at AS startedAt, r.duration_ns, r.value, s.value_unit AS unit
         FROM test_results r JOIN test_result_sets s ON s.id = r.setid JOIN builds b ON b.id = s.buildid
         WHERE r.name IS ? AND r.code_path IS ? AND b.started_at IS NOT NULL ORDER BY r.id DESC LIMIT ?)
       ORDER BY startedAt, id`,
    )
    .all(test.name, test.codePath, TREND_RUNS) as { id: number; number: number; startedAt: number; duration_ns: number | null; value: string; unit: string }[];
  const durations = rows.flatMap((row): Timed[] => (row.duration_ns === null ? [] : [{ id: row.id, number: row.number, startedAt: row.startedAt, seconds: row.duration_ns / 1e9 }]));
  const units = [...new Set(rows.filter((row) => !isPassFail(row.unit) && Number.isFinite(Number(row.value)) && row.value.trim() !== '').map((row) => row.unit))].sort();
  const newest = rows.length < TREND_RUNS ? '' : `, its newest ${TREND_RUNS.toLocaleString('en-US')} results`;
  return [
    durationTrend(`Duration${newest}`, durations, link, { format: (seconds) => testDurationText(seconds * 1e9), noun: 'run', largest: 'the longest took' }),
    ...units.map((unit) =>
      durationTrend(
        `Value in ${unit}${newest}`,
        rows.filter((row) => row.unit === unit && row.value.trim() !== '' && Number.isFinite(Number(row.value))).map((row) => ({ id: row.id, number: row.number, startedAt: row.startedAt, seconds: Number(row.value) })),
        link,
        { format: (value) => `${value} ${unit}`, noun: 'run', largest: 'the largest is' },
      ),
    ),
  ].filter((chart) => chart !== null);
}

export interface TestsRow {
  test: Link;
  codePath: string | null;
  /** Its highest flip rate over its builders. */
  flipRate: string | null;
  lastFailure: TimeView;
  runs: number;
  failures: number;
  builders: Link[];
}

export interface TestsPage extends PageBase {
  count: number;
  rows: TestsRow[];
  pager: Pager;
}

/** Whether the archive holds test results: an archive without has no tests pages, and no such section. */
export const hasTestResults = (record: RecordReader) => record.db.prepare('SELECT EXISTS (SELECT 1 FROM test_results)').pluck().get() === 1;

/**
 * `tests/`: the tests that failed in the archive, most flaky first, then most recently failed,
 * 100 a page. The order moves with every update that runs a test, so every update renders these
 * pages again; an archive without test results has none, and no such section.
 */
export const testsKind = pagedListKind(
  'tests',
  { text: 'Tests', url: testsUrl() },
  (record) => (hasTestResults(record) ? Math.max(1, Math.ceil(failedTests(record).length / TESTS_PER_PAGE)) : null),
  ({ record, site }, part) => testsPage(record, site, part.page, part.pageCount),
  hasTestResults,
);

interface FailedTest extends TestName {
  flip: number | null;
  lastFailed: number | null;
  runs: number;
  failures: number;
  builders: number[];
}

/** failedTests of each record a process reads: every page of `tests/` ranks the same list. */
const rankedTests = new WeakMap<RecordReader, FailedTest[]>();

/** Every test that failed somewhere, most flaky first (its highest flip rate), then most recently failed, then by name. */
function failedTests(record: RecordReader): FailedTest[] {
  const ranked = rankedTests.get(record) ?? rankTests(record);
  rankedTests.set(record, ranked);
  return ranked;
}

function rankTests(record: RecordReader): FailedTest[] {
  const rows = record.db.prepare(`${BUILDER_STATS('true')} ORDER BY name, code_path, builderid`).all() as (BuilderStats & { name: string | null; code_path: string | null })[];
  const tests = new Map<string, FailedTest>();
  for (const row of rows) {
    const key = JSON.stringify([row.name, row.code_path]);
    const test = tests.get(key) ?? tests.set(key, { name: row.name, codePath: row.code_path, flip: null, lastFailed: null, runs: 0, failures: 0, builders: [] }).get(key)!;
    const flip = flipShare(row);
    if (flip !== null && (test.flip === null || flip > test.flip)) test.flip = flip;
    if (row.last_failed !== null && (test.lastFailed === null || row.last_failed > test.lastFailed)) test.lastFailed = row.last_failed;
    test.runs += row.runs;
    test.failures += row.failures;
    if (row.failures > 0) test.builders.push(row.builderid);
  }
  const title = (test: TestName) => testTitle(test.name, test.codePath);
  return [...tests.values()]
    .filter((test) => test.failures > 0)
    .sort((a, b) => (b.flip ?? -1) - (a.flip ?? -1) || (b.lastFailed ?? 0) - (a.lastFailed ?? 0) || title(a).localeCompare(title(b)) || (a.codePath ?? '').localeCompare(b.codePath ?? ''));
}

function testsPage(record: RecordReader, site: Site, page: number, pageCount: number): TestsPage {
  const link = new Linker(testsUrl(page), site);
  const tests = failedTests(record);
  return {
    ...pageBase(link, site, page === 1 ? 'Tests' : `Tests, page ${page}`, { above: page === 1 ? [] : [link.section('tests')] }),
    count: tests.length,
    rows: tests.slice((page - 1) * TESTS_PER_PAGE, page * TESTS_PER_PAGE).map((test) => ({
      test: testLink(test.name, test.codePath, link),
      codePath: test.name === null ? null : test.codePath,
      flipRate: percentText(test.flip),
      lastFailure: timeView(test.lastFailed),
      runs: test.runs,
      failures: test.failures,
      builders: test.builders.map((id) => link.builder(id)),
    })),
    pager: pager(page, pageCount, (number) => link.to(testsUrl(number))),
  };
}

/** The flakiest tests, most flaky first (as `tests/` ranks them), for the home page: none where no test flipped. */
export function flakiestTests(record: RecordReader, link: Linker, count: number): { test: Link; flipRate: string }[] {
  return failedTests(record)
    .filter((test) => test.flip !== null && test.flip > 0)
    .slice(0, count)
    .map((test) => ({ test: testLink(test.name, test.codePath, link), flipRate: percentText(test.flip)! }));
}
