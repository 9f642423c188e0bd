import { type LogReading, readLog } from '../logs/readLog.ts';
import { type ResultView, stepResult } from '../model/results.ts';
import type { LogInfo } from '../model/types.ts';
import type { RecordReader } from '../record/reader.ts';
import { IN_JSON, jsonIds } from '../record/sql.ts';
import { assetUrl, type PageUrl, pathSegment } from '../urls.ts';
import { buildUrl } from './buildPage.ts';
import { type ArchiveOptions, type PageKind, cutByWeight, idSpan } from './kind.ts';
import { type LineView, lineView } from './logView.ts';
import { type Link, Linker, type PageBase, type Site, pageBase } from './site.ts';

export function logUrl(buildId: number, logId: number): PageUrl {
  return `build/${buildId}/log/${logId}/`;
}

/** A log's raw text, beside its page. */
export function rawLogUrl(buildId: number, logId: number, slug: string): string {
  return `build/${buildId}/log/${logId}/${pathSegment(slug)}.txt`;
}

/** Where a log's raw text goes, line by line: opened by the render layer, which owns files. */
export interface RawLogSink {
  write(line: string): void;
  close(): void;
}

export type LogPageSegment = { lines: LineView[] } | { omitted: { first: number; last: number; count: number } };

export interface LogPage extends PageBase {
  build: Link;
  step: { number: number; name: string; result: ResultView };
  name: string;
  /** buildbot's log type: s stdio, t text, h html, d deleted. */
  type: string;
  deleted: boolean;
  lineCount: number;
  capped: boolean;
  raw: { href: string; fileName: string };
  segments: LogPageSegment[];
  /** An HTML log's markup, sanitised by the template's filter. */
  html: string | null;
  errorCount: number;
  warningCount: number;
  missingCount: number;
  /** What is wrong with the log's data, in words. */
  problems: string[];
  /** Its step was still running when the archive last saw it: the log holds the lines written by then. */
  running: boolean;
  /** Failure summary of a failed or warning step's log: links into this page. */
  errorBlocks: LineView[][];
  /** A failed step's log opens at its first error, unless the address names a line. */
  openAtError: boolean;
  /** The log viewer's script. */
  script: string;
}

/** Error blocks a log page's failure summary shows; the page itself has every error. */
const SUMMARY_BLOCKS_PER_LOG = 20;

/** Whether a step's result is a failure its logs' pages sum up: warnings, failure, exception. */
const needsSummary = (result: number | null) => result === 1 || result === 2 || result === 4;

export interface LogPageOptions {
  pageLines: number;
  rawSink: (log: LogInfo) => RawLogSink;
}

/** A part of the log pages: these logs, ascending, with the lines their pages show. */
export interface LogPart {
  ids: number[];
  lines: number;
}

/** Log lines that weigh as much as one build page: a window of 1,000 holds 200,000 lines. */
const LINES_PER_WEIGHT = 200;

/** A page and a raw `.txt` file per buildbot log, with `--logs full`. */
export const logKind: PageKind<LogPart> = {
  name: 'log',
  body: 'log',
  folder: 'build',
  plan: ({ record, options }) => (options.logs === 'full' ? logParts(logSizes(record), options) : []),
  changed: ({ record, options }) => (options.logs === 'full' ? logParts(logSizes(record, changedLogs(record)), options) : []),
  pageCount: (part) => part.ids.length,
  weight: (part) => Math.max(part.ids.length, part.lines / LINES_PER_WEIGHT),
  describe: (part) => `logs ${idSpan(part.ids)}`,
  pages: ({ record, site, options }, part, files) =>
    logPages(record, site, part.ids, { pageLines: options.logPageLines, rawSink: (log) => files.rawLog(log) }),
};

/** Consecutive logs, each counting with the lines its page shows (longer ones are capped). */
function logParts(sizes: { id: number; lines: number }[], options: ArchiveOptions): LogPart[] {
  const shown = sizes.map(({ id, lines }) => ({ id, lines: Math.min(lines, options.logPageLines) }));
  return Array.from(cutByWeight(shown, (log) => Math.max(1, log.lines / LINES_PER_WEIGHT), options.buildsPerWindow), (run) => ({
    ids: run.map((log) => log.id),
    lines: run.reduce((sum, log) => sum + log.lines, 0),
  }));
}

/** Log pages (and, through the sink, raw files) for these logs. */
export function logPages(record: RecordReader, site: Site, ids: readonly number[], options: LogPageOptions): LogPage[] {
  return record.logInfos(`l.id ${IN_JSON}`, jsonIds(ids)).map((log) => logPage(record, site, log, options));
}

function logPage(record: RecordReader, site: Site, log: LogInfo, options: LogPageOptions): LogPage {
  const url = logUrl(log.buildId, log.id);
  const link = new Linker(url, site);
  // A deleted log has no lines, and so no raw file.
  const sink = log.type === 'd' ? null : options.rawSink(log);
  let reading;
  try {
    reading = readLog(log, (id) => record.logChunks(id), {
      pageLines: options.pageLines,
      maxErrorBlocks: SUMMARY_BLOCKS_PER_LOG,
      sink: sink ? (line) => sink.write(line) : undefined,
    });
  } finally {
    sink?.close();
  }
  const builder = link.builder(log.builderId);
  const rawPath = rawLogUrl(log.buildId, log.id, log.slug);
  const own = (line: Parameters<typeof lineView>[0]) => lineView(line, '');
  return {
    ...pageBase(link, site, `${builder.text} #${log.buildNumber} · ${log.stepName} · ${log.name}`, {
      above: [link.section('builders'), builder, { href: link.to(buildUrl(log.buildId)), text: `#${log.buildNumber}` }],
    }),
    build: { href: link.to(buildUrl(log.buildId)), text: `${builder.text} #${log.buildNumber}` },
    step: {
      number: log.stepNumber,
      name: log.stepName,
      result: stepResult({ result: log.stepResult, startedAt: log.stepStartedAt, completeAt: log.stepCompleteAt }),
    },
    name: log.name,
    type: log.type,
    deleted: log.type === 'd',
    lineCount: reading.lineCount,
    capped: reading.capped,
    raw: { href: link.to(rawPath), fileName: rawPath.split('/').at(-1)! },
    segments: reading.segments.map((segment) =>
      'lines' in segment
        ? { lines: segment.lines.map(own) }
        : {
            omitted: {
              first: segment.omitted.first + 1,
              last: segment.omitted.last + 1,
              count: segment.omitted.last - segment.omitted.first + 1,
            },
          },
    ),
    html: log.type === 'h' ? htmlOf(reading.segments) : null,
    errorCount: reading.errorCount,
    warningCount: reading.warningCount,
    missingCount: reading.missingCount,
    errorBlocks: needsSummary(log.stepResult) ? reading.errorBlocks.map((block) => block.map(own)) : [],
    openAtError: needsSummary(log.stepResult),
    script: link.to(assetUrl('log.js')),
    problems: logProblems(log, reading, link),
    running: stillWritten(log),
  };
}

/**
 * A log not whole: lines its chunks could not give, or fewer or more lines than it declares. A
 * running step's log is still being written (a snapshot of a live master catches its chunks ahead
 * of its line count): that is not broken data, and its page says it was running instead.
 */
function logProblems(log: LogInfo, reading: LogReading, link: Linker): string[] {
  if (log.type === 'd') return [];
  const what = `log ${log.id} of build ${log.buildId}`;
  const problems: string[] = [];
  if (reading.missingCount > 0) link.warn('log', `${what}: ${reading.missingCount} line${reading.missingCount === 1 ? '' : 's'} could not be read`);
  if (reading.lineCount !== log.numLines && !stillWritten(log)) {
    link.warn('log', `${what} has ${reading.lineCount} lines, its record says ${log.numLines}`);
    problems.push(`This log has ${reading.lineCount.toLocaleString('en-US')} lines; its record says ${log.numLines.toLocaleString('en-US')}.`);
  }
  return problems;
}

/** Whether the log's step was still running when the archive last saw it. */
const stillWritten = (log: LogInfo) => log.stepStartedAt !== null && log.stepCompleteAt === null && log.stepResult === null;

function htmlOf(segments: ReturnType<typeof readLog>['segments']): string {
  return segments.flatMap((segment) => ('lines' in segment ? segment.lines.map((line) => line.text) : [])).join('\n');
}

/** Id and line count of every log (or of these), by id: enough to plan windows of logs. */
function logSizes(record: RecordReader, ids?: readonly number[]): { id: number; lines: number }[] {
  const sql = `SELECT id, num_lines AS lines FROM logs ${ids ? `WHERE id ${IN_JSON}` : ''} ORDER BY id`;
  return record.db.prepare(sql).all(...(ids ? [jsonIds(ids)] : [])) as { id: number; lines: number }[];
}

/** Logs whose page the last update changed: new or changed logs, and the logs of changed steps. */
function changedLogs(record: RecordReader): number[] {
  return record.ids(
    `SELECT id FROM delta WHERE tbl = 'logs'
     UNION SELECT l.id FROM delta d JOIN logs l ON l.stepid = d.id WHERE d.tbl = 'steps'`,
    'logs',
  );
}
