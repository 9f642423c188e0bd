/**
 * What makes a log line an error or a warning, and how error lines gather into context blocks
 * (TBPL's failure summary: a few lines around each error, blocks within 3 lines merged).
 */
import type { StdioStream } from '../snapshot/logchunks.ts';

export type LineKind = 'error' | 'warning';

/** Patterns of build tools, test harnesses and buildbot itself. */
const ERROR_PATTERNS: readonly RegExp[] = [
  /\berror:/i,
  /TEST-UNEXPECTED-/,
  /\bFAIL(?:ED|URE)?\b/,
  /^Traceback \(most recent call last\)/,
  /\bfatal:/i,
  /\*\*\* .*Error \d+/,
  /\bexit (?:code|status) [1-9]\d*/i,
];
const WARNING_PATTERN = /\bwarning:/i;
/** Buildbot's own header lines quote commands, so only its verdict there counts. */
const HEADER_ERROR = /^program finished with exit code [1-9]\d*|^command timed out/;

export function lineKind(stream: StdioStream | null, text: string): LineKind | null {
  if (stream === 'h') return HEADER_ERROR.test(text) ? 'error' : null;
  if (ERROR_PATTERNS.some((pattern) => pattern.test(text))) return 'error';
  return WARNING_PATTERN.test(text) ? 'warning' : null;
}

export const CONTEXT_LINES = 3;
/** Blocks closer than this many lines are shown as one. */
const MERGE_GAP = 3;

export interface LineRange {
  first: number;
  last: number;
}

/** Context ranges around error lines (0-based numbers, ascending), merged, clipped to the log. */
export function contextRanges(errorLines: readonly number[], lineCount: number): LineRange[] {
  const ranges: LineRange[] = [];
  for (const line of errorLines) {
    const first = Math.max(0, line - CONTEXT_LINES);
    const last = Math.min(lineCount - 1, line + CONTEXT_LINES);
    const previous = ranges.at(-1);
    if (previous && first <= previous.last + MERGE_GAP + 1) previous.last = Math.max(previous.last, last);
    else ranges.push({ first, last });
  }
  return ranges;
}
