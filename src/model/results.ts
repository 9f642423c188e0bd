/**
 * Result vocabulary shared by buildbot and statusdb. Codes are looked up in a table, never used as
 * an index: real snapshots hold NULLs and codes nobody defined.
 */

export interface ResultView {
  /** Machine name, also the CSS class suffix: `r-success`. */
  key: string;
  /** What a person reads next to the colour. */
  label: string;
  /** One letter for dense listings (colour is never the only signal). */
  letter: string;
}

const KNOWN: ReadonlyMap<number, ResultView> = new Map([
  [0, { key: 'success', label: 'success', letter: 'S' }],
  [1, { key: 'warnings', label: 'warnings', letter: 'W' }],
  [2, { key: 'failure', label: 'failure', letter: 'F' }],
  [3, { key: 'skipped', label: 'skipped', letter: 'K' }],
  [4, { key: 'exception', label: 'exception', letter: 'E' }],
  [5, { key: 'retry', label: 'retry', letter: 'R' }],
  [6, { key: 'cancelled', label: 'cancelled', letter: 'C' }],
]);

const RUNNING: ResultView = { key: 'running', label: 'running', letter: '?' };
const LOST: ResultView = { key: 'lost', label: 'lost', letter: 'L' };
const NOT_STARTED: ResultView = { key: 'pending', label: 'not started', letter: '-' };
const NO_RESULT: ResultView = { key: 'pending', label: 'no result', letter: '?' };

/** Every code the archive names, in order: for legends and the home page's table. */
export const RESULT_CODES: readonly number[] = [...KNOWN.keys()];

function known(code: number): ResultView {
  return KNOWN.get(code) ?? { key: 'unknown', label: `unknown (${code})`, letter: 'X' };
}

/** A stored code no CI defines (NULL is not one: it means no result yet). */
export function isUnknownResult(code: number | null): boolean {
  return code !== null && !KNOWN.has(code);
}

/** Every result a build's letter may stand for, in order: the console's legend. */
export const BUILD_RESULTS: readonly ResultView[] = [...KNOWN.values(), RUNNING, LOST];

export function buildResult(build: {
  result: number | null;
  completeAt: number | null;
  lost: boolean;
}): ResultView {
  if (build.result !== null) return known(build.result);
  if (build.lost) return LOST;
  return build.completeAt === null ? RUNNING : NO_RESULT;
}

export function stepResult(step: {
  result: number | null;
  startedAt: number | null;
  completeAt: number | null;
}): ResultView {
  if (step.result !== null) return known(step.result);
  if (step.startedAt === null) return NOT_STARTED;
  return step.completeAt === null ? RUNNING : NO_RESULT;
}

/** A stored result code (or null) as the home page's summary names it. */
export function codeResult(code: number | null): ResultView {
  return code === null ? NO_RESULT : known(code);
}

/** Each result's colour, as domain.md gives buildbot's: copra.css names the same (`--success`…). */
export const RESULT_COLOURS: Readonly<Record<string, string>> = {
  success: '#88dd44',
  warnings: '#ffaa33',
  failure: '#c62828',
  skipped: '#aaddee',
  exception: '#cc66cc',
  retry: '#99ccff',
  cancelled: '#ff99cc',
  pending: '#e7d100',
  running: '#e7d100',
  lost: '#cccccc',
  unknown: '#bbbbbb',
};
