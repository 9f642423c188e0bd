import { type LogReading, readLog } from '../logs/readLog.ts';
import { type ResultView, stepResult } from '../model/results.ts';
import type { LogInfo } from '../model/types.ts';
import type { Snapshot } from '../snapshot/types.ts';
import { urls } from '../urls.ts';
import { SUMMARY_BLOCKS_PER_LOG, needsSummary } from './failureSummary.ts';
import { type LineView, lineView } from './logView.ts';
import { type ArchiveOptions, type PageKind, cutByWeight, idSpan } from './kind.ts';
import { type Link, Linker, type PageBase, type Site, pageBase } from './site.ts';

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
  /** Failure summary of a failed or warning step's log: links into this page. */
  errorBlocks: LineView[][];
  /** A failed step's log opens at its first error, unless the address names a line. */
  openAtError: boolean;
  /** The log viewer's script. */
  script: string;
}

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
  template: 'log',
  plan: ({ snapshot, options }) => (options.logs === 'full' ? logParts(snapshot.logSizes(), options) : []),
  changed: ({ snapshot, options }) => (options.logs === 'full' ? logParts(snapshot.logSizes(snapshot.changedLogs()), options) : []),
  pageCount: (part) => part.ids.length,
  weight: (part) => Math.max(part.ids.length, part.lines / LINES_PER_WEIGHT),
  describe: (part) => `logs ${idSpan(part.ids)}`,
  pages: ({ snapshot, site, options }, part, files) =>
    logPages(snapshot, site, part.ids, { pageLines: options.logPageLines, rawSink: (log) => files.rawLog(log) }),
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
export function logPages(snapshot: Snapshot, site: Site, ids: readonly number[], options: LogPageOptions): LogPage[] {
  return snapshot.logs(ids).map((log) => logPage(snapshot, site, log, options));
}

function logPage(snapshot: Snapshot, site: Site, log: LogInfo, options: LogPageOptions): LogPage {
  const url = urls.log(log.buildId, log.id);
  const link = new Linker(url, site);
  // A deleted log has no lines, and so no raw file.
  const sink = log.type === 'd' ? null : options.rawSink(log);
  let reading;
  try {
    reading = readLog(log, (id) => snapshot.logChunks(id), {
      pageLines: options.pageLines,
      maxErrorBlocks: SUMMARY_BLOCKS_PER_LOG,
      sink: sink ? (line) => sink.write(line) : undefined,
    });
  } finally {
    sink?.close();
  }
  const builder = link.builder(log.builderId);
  const rawPath = urls.rawLog(log.buildId, log.id, log.slug);
  const own = (line: Parameters<typeof lineView>[0]) => lineView(line, '');
  return {
    ...pageBase(link, site, `${log.name} · ${log.stepName} · ${builder.text} #${log.buildNumber}`, {
      above: [link.section('builders'), builder, { href: link.to(urls.build(log.buildId)), text: `#${log.buildNumber}` }],
    }),
    build: { href: link.to(urls.build(log.buildId)), text: `${builder.text} #${log.buildNumber}` },
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
    script: link.to(urls.asset('log.js')),
    problems: logProblems(log, reading, site),
  };
}

/** A log not whole: lines its chunks could not give, or fewer or more lines than it declares. */
function logProblems(log: LogInfo, reading: LogReading, site: Site): string[] {
  if (log.type === 'd') return [];
  const what = `log ${log.id} of build ${log.buildId}`;
  const problems: string[] = [];
  if (reading.missingCount > 0) site.warnings.add('log', `${what}: ${reading.missingCount} line${reading.missingCount === 1 ? '' : 's'} could not be read`);
  if (reading.lineCount !== log.numLines) {
    site.warnings.add('log', `${what} has ${reading.lineCount} lines, its record says ${log.numLines}`);
    problems.push(`This log has ${reading.lineCount.toLocaleString('en-US')} lines; its record says ${log.numLines.toLocaleString('en-US')}.`);
  }
  return problems;
}

function htmlOf(segments: ReturnType<typeof readLog>['segments']): string {
  return segments.flatMap((segment) => ('lines' in segment ? segment.lines.map((line) => line.text) : [])).join('\n');
}
