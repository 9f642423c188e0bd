/**
 * What a build's page shows of what its steps reported besides logs (buildbot 2.9+): test result
 * sets with their results, and build data. Read for a part's builds at once, like its failures.
 */
import type { RecordReader } from '../record/reader.ts';
import { IN_JSON, groupBy } from '../record/sql.ts';
import { pathSegment } from '../urls.ts';
import { buildUrl } from './buildPage.ts';
import type { PageFiles } from './kind.ts';
import type { Link, Linker } from './site.ts';
import { isPassFail, testDurationText, testLink, testOutcome } from './testPage.ts';

/** Results a list of a set shows; the rest are counted ("and 1,234 more"). */
export const RESULTS_SHOWN = 500;
/** Build data shown inline when it is UTF-8 text no longer than this (bytes). */
const INLINE_DATA = 2000;

export interface TestResultView {
  test: Link;
  /** `path/to/file.cpp:12`, or null without a code path. */
  where: string | null;
  duration: string;
  value: string;
}

export interface TestSetView {
  /** Its anchor on the build's page, which its step's row links. */
  anchor: string;
  stepId: number | null;
  /** What its step's row says of it: "mochitests: 1 of 40 tests failed", "compiler warnings: 87 results". */
  summary: string;
  /** The step that reported it: `3 mochitest`. */
  step: string;
  description: string | null;
  category: string;
  unit: string;
  passed: number | null;
  failed: number | null;
  /** The results the archive holds of it. */
  resultCount: number;
  complete: boolean;
  /** A pass/fail set lists its failed results, and folds its passed ones; any other lists values. */
  passFail: boolean;
  failedResults: TestResultView[];
  /** Passed results (pass/fail sets), or every result (sets of values). */
  otherResults: TestResultView[];
  /** Results beyond those shown, per list. */
  moreFailed: number;
  moreOther: number;
}

export interface BuildDataView {
  name: string;
  source: string;
  size: string;
  /** The value as a file of the archive; null when it was too large to keep. */
  href: string | null;
  /** Short UTF-8 values, shown as they are. */
  text: string | null;
}

/** What a build's page lists besides steps: its test result sets and its build data. */
export interface BuildReports {
  tests: TestSetView[];
  data: BuildDataView[];
}

interface SetRow {
  id: number;
  buildid: number;
  stepid: number | null;
  step_number: number | null;
  step_name: string | null;
  description: string | null;
  category: string;
  value_unit: string;
  tests_passed: number | null;
  tests_failed: number | null;
  complete: number;
}

interface ResultRow {
  setid: number;
  name: string | null;
  code_path: string | null;
  line: number | null;
  duration_ns: number | null;
  value: string;
}

interface DataRow {
  buildid: number;
  name: string;
  value: Buffer | null;
  length: number;
  source: string;
}

/** The address of a build data value's file. */
export const buildDataUrl = (buildId: number, name: string) => `${buildUrl(buildId)}data/${pathSegment(name)}`;

/** `62 bytes`, `12.3 KB`, `4.0 MB`. */
export function sizeText(bytes: number): string {
  if (bytes < 1000) return `${bytes} byte${bytes === 1 ? '' : 's'}`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} KB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const textOf = (bytes: Buffer): string | null => {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
};

/**
 * The test results and build data of these builds (a JSON list of ids), by build; build data
 * values are written as files of the archive (`files`), each beside its build's page.
 */
export function buildReports(record: RecordReader, idList: string, links: (id: number) => Linker, files: PageFiles): Map<number, BuildReports> {
  const sets = record
    .statement(
      `SELECT t.*, s.number AS step_number, s.name AS step_name FROM test_result_sets t LEFT JOIN steps s ON s.id = t.stepid
       WHERE t.buildid ${IN_JSON} ORDER BY t.buildid, s.number, t.id`,
    )
    .all(idList) as SetRow[];
  const results = groupBy(
    record
      .statement(
        `SELECT r.setid, r.name, r.code_path, r.line, r.duration_ns, r.value FROM test_result_sets t JOIN test_results r ON r.setid = t.id
         WHERE t.buildid ${IN_JSON} ORDER BY r.setid, r.id`,
      )
      .all(idList) as ResultRow[],
    (row) => row.setid,
  );
  const data = record
    .statement(`SELECT buildid, name, value, length, source FROM build_data WHERE buildid ${IN_JSON} ORDER BY buildid, name, id`)
    .all(idList) as DataRow[];
  const reports = new Map<number, BuildReports>();
  const reportOf = (id: number) => reports.get(id) ?? reports.set(id, { tests: [], data: [] }).get(id)!;
  for (const set of sets) reportOf(set.buildid).tests.push(testSetView(set, results.get(set.id) ?? [], links(set.buildid)));
  for (const row of data) {
    if (row.value !== null) files.file(buildDataUrl(row.buildid, row.name), row.value);
    const text = row.value !== null && row.value.length <= INLINE_DATA ? textOf(row.value) : null;
    reportOf(row.buildid).data.push({
      name: row.name,
      source: row.source,
      size: sizeText(row.length),
      href: row.value === null ? null : links(row.buildid).to(buildDataUrl(row.buildid, row.name)),
      text,
    });
  }
  return reports;
}

function testSetView(set: SetRow, rows: ResultRow[], link: Linker): TestSetView {
  const passFail = isPassFail(set.value_unit);
  const view = (row: ResultRow): TestResultView => ({
    test: testLink(row.name, row.code_path, link),
    where: row.code_path === null ? null : row.line === null ? row.code_path : `${row.code_path}:${row.line}`,
    duration: row.duration_ns === null ? '' : testDurationText(row.duration_ns),
    value: passFail ? testOutcome(row.value) : `${row.value}${set.value_unit === 'message' ? '' : ` ${set.value_unit}`}`,
  });
  const failed = passFail ? rows.filter((row) => testOutcome(row.value) === 'failed') : [];
  const other = passFail ? rows.filter((row) => testOutcome(row.value) !== 'failed') : rows;
  const counted = set.tests_failed !== null && set.tests_passed !== null;
  return {
    anchor: `tests-${set.id}`,
    stepId: set.stepid,
    summary: `${set.description ?? set.category}: ${
      !passFail || !counted
        ? `${rows.length.toLocaleString('en-US')} result${rows.length === 1 ? '' : 's'}`
        : set.tests_failed! > 0
          ? `${set.tests_failed!.toLocaleString('en-US')} of ${(set.tests_failed! + set.tests_passed!).toLocaleString('en-US')} tests failed`
          : `${set.tests_passed!.toLocaleString('en-US')} tests passed`
    }`,
    step: set.step_number === null ? 'a step not in the archive' : `${set.step_number} ${set.step_name ?? ''}`.trim(),
    description: set.description,
    category: set.category,
    unit: set.value_unit,
    passed: set.tests_passed,
    failed: set.tests_failed,
    resultCount: rows.length,
    complete: set.complete !== 0,
    passFail,
    failedResults: failed.slice(0, RESULTS_SHOWN).map(view),
    otherResults: other.slice(0, RESULTS_SHOWN).map(view),
    moreFailed: Math.max(0, failed.length - RESULTS_SHOWN),
    moreOther: Math.max(0, other.length - RESULTS_SHOWN),
  };
}
