/**
 * What a failed build's page says of its failure (warnings, failure or exception): its error lines,
 * one per signature, each with what the archive knew of it as of this build; the builder's builds
 * around it; its regression range (the last good build, since when the builder fails, and the
 * changes in between); and builds of its builder that passed at the same revision. Everything here
 * looks at builds before it (started earlier, or earlier in its builder's order), so a build's page
 * stays as it is when later builds arrive — but for a success at its revision, which the build
 * kind's update follows (PASSED_SINCE).
 */
import { type LineView, lineView } from './logView.ts';
import { linesAround } from '../logs/readLog.ts';
import { type TimeView, timeView } from '../model/time.ts';
import type { BuildSummary, Change } from '../model/types.ts';
import { type RecordReader, SUMMARY_COLUMNS, type SummaryRow, buildSummary } from '../record/reader.ts';
import { FAILED } from '../record/schema.ts';
import { IN_JSON, groupBy, jsonIds } from '../record/sql.ts';
import { type BuildChip, buildChip } from './buildChips.ts';
import { buildUrl } from './buildPage.ts';
import { changeUrl } from './changePage.ts';
import { STAMPS_PER_CONSOLE_PAGE, consoleUrl } from './consolePage.ts';
import { failureUrl, passedAtRevision } from './failurePage.ts';
import { logUrl } from './logPage.ts';
import { fixedPaging } from './paging.ts';
import { revisionUrl } from './revisionPage.ts';
import type { Link, Linker } from './site.ts';

/**
 * How far a failed build's page looks among its builder's builds (in the builder's order of
 * numbers): its `around` builds either side, and its `lookback` builds before it, where it counts
 * the builds that hit each of its failures. Bounded, so that a build changes the pages of at most
 * `around` builds before it, or `lookback` after it when its own result changed later (the build
 * kind's update follows this).
 */
export const SIMILAR = { around: 10, lookback: 200 } as const;
/** Error lines a failed build's page shows before the rest are folded away. */
export const FAILURE_LINES_SHOWN = 10;
/** Lines around an error line, folded beneath it. */
const CONTEXT_LINES = 3;
/** Changes a regression range lists; past these, how many more. */
export const BLAMELIST_CHANGES = 50;

/** One of a failed build's failures: its error line as printed, and what the archive knew of it then. */
export interface FailureLine {
  failure: Link;
  /** The line as the build printed it. */
  example: string;
  /** The line on its log page; null where there is none (no log, or no log pages). */
  lineHref: string | null;
  step: string;
  /** How many lines of the build's logs gave this signature. */
  lines: number;
  /** Builds that hit it before this one (started earlier, ties by id), on how many builders, since when. */
  earlier: number;
  earlierBuilders: number;
  since: TimeView;
  /** Builds among its builder's `lookback` before this one that hit it. */
  onBuilder: number;
  /** The lines around it in the log, folded beneath it; empty without a log. */
  context: LineView[];
}

/** The range of changes a failed build may have come from, as its builder saw it. */
export interface RegressionRange {
  /** The builder's last success before this build, or null when none of its earlier builds succeeded. */
  lastGood: Link | null;
  /** The first build after the last good one: the builder has failed since (possibly this build). */
  failingSince: { build: Link; start: TimeView; isThis: boolean } | null;
  /** Changes of the builder's builds after the last good one, up to this one, newest first. */
  changes: BlameRow[];
  /** Changes beyond those listed, and where all of them are. */
  more: { count: number; console: Link | null } | null;
}

export interface BlameRow {
  change: Link;
  author: string;
  revision: Link | null;
  summary: string;
}

/** What a failed build's page shows of its failure. */
export interface BuildFailures {
  /** The builder's builds before and after it, in its order of numbers. */
  before: BuildChip[];
  after: BuildChip[];
  /** Its failures in the order its steps ran: the first FAILURE_LINES_SHOWN, then the rest (folded). */
  shown: FailureLine[];
  folded: FailureLine[];
  /** How many of its builder's builds before it the counts look at. */
  lookback: number;
  regression: RegressionRange;
  /** Builds of its builder at the same revision that succeeded: the failure is intermittent. */
  passedAtRevision: Link[];
}

/** Where a build stands in its builder's order. */
export interface BuildPlace {
  id: number;
  builderid: number;
  number: number;
  started_at: number | null;
}

/** The failure sections of these builds' pages, for those that failed. */
export function buildFailures(record: RecordReader, ids: readonly number[], links: (id: number) => Linker, logPages: boolean): Map<number, BuildFailures> {
  const targets = record
    .statement(`SELECT id, builderid, number, started_at FROM builds WHERE id ${IN_JSON} AND results IN ${FAILED} ORDER BY id`)
    .all(jsonIds(ids)) as BuildPlace[];
  const signatures = groupBy(signatureRows(record, targets.map((target) => target.id)), (row) => row.buildid);
  const result = new Map<number, BuildFailures>();
  for (const target of targets) {
    const link = links(target.id);
    const lookback = besideRows(record, target, 'previous', SIMILAR.lookback, 'b.id').map((row) => row.id);
    const own = mergedSignatures(signatures.get(target.id) ?? []);
    const onBuilder = new Map(
      (
        record
          .statement(`SELECT signature, count(*) AS builds FROM build_signatures WHERE buildid ${IN_JSON} AND signature ${IN_JSON} GROUP BY signature`)
          .all(jsonIds(lookback), jsonIds(own.map((row) => row.signature))) as { signature: number; builds: number }[]
      ).map((row) => [row.signature, row.builds]),
    );
    const before = buildSummariesById(record, lookback.slice(0, SIMILAR.around));
    const chips = (builds: BuildSummary[]) => builds.map((build) => buildChip(build, link, false));
    const lines = failureLines(record, own, onBuilder, link, logPages);
    result.set(target.id, {
      before: chips(lookback.slice(0, SIMILAR.around).map((id) => before.get(id)!).reverse()),
      after: chips(besideRows<SummaryRow>(record, target, 'next', SIMILAR.around, SUMMARY_COLUMNS).map(buildSummary)),
      shown: lines.slice(0, FAILURE_LINES_SHOWN),
      folded: lines.slice(FAILURE_LINES_SHOWN),
      lookback: SIMILAR.lookback,
      regression: regressionRange(record, target, link),
      passedAtRevision: (
        record
          .statement(`SELECT DISTINCT ok.id, ok.number FROM builds f ${passedAtRevision('f')} WHERE f.id = ? ORDER BY ok.number, ok.id`)
          .all(target.id) as { id: number; number: number }[]
      ).map((build) => ({ href: link.to(buildUrl(build.id)), text: `#${build.number}` })),
    });
  }
  return result;
}

/** The first failure of each of these builds (of its first failed step, first line): key and text. */
export function firstFailures(record: RecordReader, buildIds: readonly number[]): Map<number, { key: string; text: string }> {
  const first = new Map<number, { key: string; text: string }>();
  for (const row of signatureRows(record, buildIds)) if (!first.has(row.buildid)) first.set(row.buildid, { key: row.key, text: row.text });
  return first;
}

/** The step that gave each of these builds its result (its first step with that result). */
export function failedSteps(record: RecordReader, ids: readonly number[]): Map<number, string> {
  const rows = record
    .statement(
      `SELECT b.id, (SELECT st.name FROM steps st WHERE st.buildid = b.id AND st.results = b.results ORDER BY st.number LIMIT 1) AS step
       FROM builds b WHERE b.id ${IN_JSON}`,
    )
    .all(jsonIds(ids)) as { id: number; step: string | null }[];
  return new Map(rows.flatMap((row) => (row.step === null ? [] : [[row.id, row.step] as const])));
}

interface SignatureRow {
  buildid: number;
  signature: number;
  key: string;
  text: string;
  earlier: number;
  earlier_builders: number;
  since: number | null;
  example: string;
  logid: number | null;
  logtype: string | null;
  line: number | null;
  lines: number;
  step: string | null;
}

/** Each failed step's signatures of these builds, in the order the steps ran and the lines came. */
function signatureRows(record: RecordReader, buildIds: readonly number[]): SignatureRow[] {
  return record
    .statement(
      `SELECT bs.buildid, bs.signature, s.key, s.text, bs.earlier, bs.earlier_builders, bs.since,
              ss.example, ss.logid, l.type AS logtype, ss.line, ss.lines, st.name AS step
       FROM build_signatures bs JOIN signatures s ON s.id = bs.signature
       JOIN steps st ON st.buildid = bs.buildid JOIN step_signatures ss ON ss.stepid = st.id AND ss.signature = bs.signature
       LEFT JOIN logs l ON l.id = ss.logid
       WHERE bs.buildid ${IN_JSON} ORDER BY bs.buildid, st.number, st.id, ss.logid, ss.line, s.key`,
    )
    .all(jsonIds(buildIds)) as SignatureRow[];
}

/** One row per signature: the first step's line, with the lines of every step counted. */
function mergedSignatures(rows: readonly SignatureRow[]): SignatureRow[] {
  const bySignature = new Map<number, SignatureRow>();
  for (const row of rows) {
    const seen = bySignature.get(row.signature);
    if (seen) seen.lines += row.lines;
    else bySignature.set(row.signature, { ...row });
  }
  return [...bySignature.values()];
}

function failureLines(record: RecordReader, rows: readonly SignatureRow[], onBuilder: Map<number, number>, link: Linker, logPages: boolean): FailureLine[] {
  const contexts = new Map<number, Map<number, LineView[]>>();
  for (const [logid, ofLog] of groupBy(
    rows.filter((row) => row.logid !== null),
    (row) => row.logid!,
  )) {
    const type = ofLog[0]!.logtype ?? 's';
    const buildId = ofLog[0]!.buildid;
    const href = logPages ? link.to(logUrl(buildId, logid)) : null;
    const around = linesAround({ id: logid, type }, (id) => record.logChunks(id), ofLog.map((row) => row.line!), CONTEXT_LINES);
    contexts.set(logid, new Map([...around].map(([line, lines]) => [line, lines.map((shown) => lineView(shown, href))])));
  }
  return rows.map((row) => ({
    failure: { href: link.to(failureUrl(row.key)), text: row.text },
    example: row.example,
    lineHref: logPages && row.logid !== null ? `${link.to(logUrl(row.buildid, row.logid))}#L${row.line! + 1}` : null,
    step: row.step ?? 'step',
    lines: row.lines,
    earlier: row.earlier,
    earlierBuilders: row.earlier_builders,
    since: timeView(row.since),
    onBuilder: onBuilder.get(row.signature) ?? 0,
    context: (row.logid !== null && contexts.get(row.logid)?.get(row.line!)) || [],
  }));
}

/** The builder's last success before `build`, in its order of numbers (ids breaking ties). */
function lastGood(record: RecordReader, build: BuildPlace): { id: number; number: number } | undefined {
  return record
    .statement(
      `SELECT id, number FROM builds WHERE builderid = ? AND results = 0 AND (number < ? OR (number = ? AND id < ?))
       ORDER BY number DESC, id DESC LIMIT 1`,
    )
    .get(build.builderid, build.number, build.number, build.id) as { id: number; number: number } | undefined;
}

/** The first build after `good` (or the builder's first build), in the builder's order. */
function buildAfter(record: RecordReader, builder: number, good: { id: number; number: number } | undefined): BuildSummary {
  const [number, id] = good ? [good.number, good.id] : [-Infinity, -Infinity];
  return buildSummary(
    record
      .statement(`SELECT ${SUMMARY_COLUMNS} FROM builds b WHERE b.builderid = ? AND (b.number > ? OR (b.number = ? AND b.id > ?)) ORDER BY b.number, b.id LIMIT 1`)
      .get(builder, number, number, id) as SummaryRow,
  );
}

/**
 * Since when the builder of a failed build has been failing, as of that build: the first build
 * after its last success (the builder's first build when none succeeded before).
 */
export function failingSince(record: RecordReader, build: BuildPlace): BuildSummary {
  return buildAfter(record, build.builderid, lastGood(record, build));
}

/**
 * The builder's last success before `build` (in its order of numbers), the first build after it,
 * and the changes of the builds from there to `build`: newest first, the first BLAMELIST_CHANGES.
 * With no earlier success, `build`'s own changes.
 */
function regressionRange(record: RecordReader, build: BuildPlace, link: Linker): RegressionRange {
  const good = lastGood(record, build);
  const since = good ? buildAfter(record, build.builderid, good) : null;
  const changes = blamelist(record, build, good);
  const hidden = changes.length - BLAMELIST_CHANGES;
  return {
    lastGood: good ? { href: link.to(buildUrl(good.id)), text: `#${good.number}` } : null,
    failingSince: since && {
      build: { href: link.to(buildUrl(since.id)), text: `#${since.number}` },
      start: timeView(since.startedAt),
      isThis: since.id === build.id,
    },
    changes: changes.slice(0, BLAMELIST_CHANGES).map((change) => blameRow(change, link)),
    more: hidden > 0 ? { count: hidden, console: consoleOfBuild(record, build.id, link) } : null,
  };
}

/**
 * The changes of the builder's builds after `good` up to `build` (else of `build` alone), newest
 * first: where the failure came from.
 */
function blamelist(record: RecordReader, build: BuildPlace, good: { id: number; number: number } | undefined): Change[] {
  const from = good ?? { number: build.number, id: build.id - 1 };
  const changeIds = record
    .statement(
      `SELECT DISTINCT sc.changeid FROM builds b JOIN build_sourcestamps bs ON bs.buildid = b.id JOIN stamp_changes sc ON sc.sourcestampid = bs.sourcestampid
       WHERE b.builderid = ? AND (b.number > ? OR (b.number = ? AND b.id > ?)) AND (b.number < ? OR (b.number = ? AND b.id <= ?))`,
    )
    .pluck()
    .all(build.builderid, from.number, from.number, from.id, build.number, build.number, build.id) as number[];
  return changeIds.length === 0 ? [] : record.changesWithIds(changeIds).sort((a, b) => (b.when ?? 0) - (a.when ?? 0) || b.id - a.id);
}

/** The authors of a failed build's regression range (its blamelist), in the order they last changed something. */
export function blamedAuthors(record: RecordReader, build: BuildPlace): string[] {
  return [...new Set(blamelist(record, build, lastGood(record, build)).map((change) => change.author ?? 'unknown author'))];
}

function blameRow(change: Change, link: Linker): BlameRow {
  return {
    change: { href: link.to(changeUrl(change.id)), text: `change ${change.id}` },
    author: change.author ?? 'unknown author',
    revision: change.revision ? { href: link.to(revisionUrl(change.revision)), text: change.revision.slice(0, 12) } : null,
    summary: change.comments.split('\n', 1)[0]!.slice(0, 200),
  };
}

/** The console page that shows the build's first sourcestamp, among its branch's stamps. */
function consoleOfBuild(record: RecordReader, buildId: number, link: Linker): Link | null {
  const stamp = record
    .statement(
      `SELECT s.id, s.branch FROM build_sourcestamps bs JOIN sourcestamps s ON s.id = bs.sourcestampid WHERE bs.buildid = ? ORDER BY s.id LIMIT 1`,
    )
    .get(buildId) as { id: number; branch: string | null } | undefined;
  if (!stamp) return null;
  const { before, all } = record
    .statement('SELECT count(*) FILTER (WHERE id < ?) AS before, count(*) AS all FROM sourcestamps WHERE branch IS ?')
    .get(stamp.id, stamp.branch) as { before: number; all: number };
  const pageCount = fixedPaging.count(all, STAMPS_PER_CONSOLE_PAGE);
  return { href: link.to(consoleUrl(stamp.branch, fixedPaging.pageOf(before, all, STAMPS_PER_CONSOLE_PAGE), pageCount)), text: 'the console' };
}

function buildSummariesById(record: RecordReader, ids: readonly number[]): Map<number, BuildSummary> {
  const rows = record.statement(`SELECT ${SUMMARY_COLUMNS} FROM builds b WHERE b.id ${IN_JSON}`).all(jsonIds([...new Set(ids)])) as SummaryRow[];
  return new Map(rows.map((row) => [row.id, buildSummary(row)]));
}

/**
 * `columns` of up to `limit` builds before (newest first) or after (oldest first) a build in its
 * builder's order of numbers, ids breaking ties: each side two range lookups on the
 * (builderid, number) index, as a build's neighbours are found, never a scan of the builder.
 */
function besideRows<Row extends { id: number }>(record: RecordReader, build: BuildPlace, which: 'previous' | 'next', limit: number, columns: string): Row[] {
  const [comparison, order] = which === 'previous' ? ['<', 'DESC'] : ['>', 'ASC'];
  const sameNumber = record
    .statement(`SELECT ${columns} FROM builds b WHERE b.builderid = ? AND b.number = ? AND b.id ${comparison} ? ORDER BY b.id ${order} LIMIT ?`)
    .all(build.builderid, build.number, build.id, limit) as Row[];
  const others = record
    .statement(`SELECT ${columns} FROM builds b WHERE b.builderid = ? AND b.number ${comparison} ? ORDER BY b.number ${order}, b.id ${order} LIMIT ?`)
    .all(build.builderid, build.number, limit - sameNumber.length) as Row[];
  return [...sameNumber, ...others];
}
