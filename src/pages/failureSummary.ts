import { readLog } from '../logs/readLog.ts';
import type { LogInfo } from '../model/types.ts';
import type { RecordReader } from '../record/reader.ts';
import { logUrl } from './logPage.ts';
import { type LineView, lineView } from './logView.ts';
import type { Linker } from './site.ts';

export type LogMode = 'full' | 'summary' | 'none';

/** Blocks a summary shows per log; the log page has every error. */
export const SUMMARY_BLOCKS_PER_LOG = 20;
/** Results whose steps get a failure summary: warnings, failure, exception. */
const SUMMARISED_RESULTS = new Set([1, 2, 4]);

export interface LogSummary {
  stepNumber: number;
  stepName: string;
  logName: string;
  logHref: string | null;
  errorCount: number;
  warningCount: number;
  blocks: LineView[][];
  /** Error blocks beyond the bound. */
  moreBlocks: number;
}

export function needsSummary(result: number | null): boolean {
  return result !== null && SUMMARISED_RESULTS.has(result);
}

/**
 * The failure summary of a step's log: its error lines with context, each linked to its line on
 * the log page (when log pages are written).
 */
export function logSummary(record: RecordReader, log: LogInfo, link: Linker | null, pageLines: number): LogSummary {
  const reading = readLog(log, (id) => record.logChunks(id), { pageLines, maxErrorBlocks: SUMMARY_BLOCKS_PER_LOG + 1 });
  const logHref = link ? link.to(logUrl(log.buildId, log.id)) : null;
  return {
    stepNumber: log.stepNumber,
    stepName: log.stepName,
    logName: log.name,
    logHref,
    errorCount: reading.errorCount,
    warningCount: reading.warningCount,
    blocks: reading.errorBlocks.slice(0, SUMMARY_BLOCKS_PER_LOG).map((block) => block.map((line) => lineView(line, logHref))),
    moreBlocks: Math.max(0, reading.errorBlocks.length - SUMMARY_BLOCKS_PER_LOG),
  };
}

/** Summaries of the logs of a build's failed and warning steps that found something. */
export function buildFailureSummary(
  record: RecordReader,
  steps: { id: number; result: number | null }[],
  link: Linker,
  mode: LogMode,
  pageLines: number,
): LogSummary[] {
  if (mode === 'none') return [];
  const stepIds = steps.filter((step) => needsSummary(step.result)).map((step) => step.id);
  if (stepIds.length === 0) return [];
  return record
    .logsOfSteps(stepIds)
    .filter((log) => log.type === 's' || log.type === 't')
    .map((log) => logSummary(record, log, mode === 'full' ? link : null, pageLines))
    .filter((summary) => summary.errorCount > 0 || summary.warningCount > 0);
}
