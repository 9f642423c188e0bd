/**
 * Reads one log in a single streaming pass: counts its lines, finds its errors and warnings, keeps
 * what its page shows (all of it, or head and tail when it is larger than the page cap) and hands
 * every line to an optional sink (the raw download). A second pass, only for capped logs with
 * errors, picks the lines around the errors.
 */
import type { LogInfo } from '../model/types.ts';
import { type LogChunk, type LogLine, type StdioStream, logLines, splitStream } from '../snapshot/logchunks.ts';
import { type LineKind, type LineRange, contextRanges, lineKind } from './errors.ts';

export interface ShownLine {
  /** 0-based, as stored; pages number from 1. */
  number: number;
  stream: StdioStream | null;
  text: string;
  kind: LineKind | null;
  /** Why the line could not be read (corrupt or unknown chunk). */
  missing?: string;
}

export type LogSegment = { lines: ShownLine[] } | { omitted: LineRange };

export interface LogReading {
  lineCount: number;
  /** The page's lines: everything, or head, error blocks and tail with the omitted ranges between. */
  segments: LogSegment[];
  capped: boolean;
  /** Error lines with context, for failure summaries (at most `maxErrorBlocks` blocks). */
  errorBlocks: ShownLine[][];
  errorCount: number;
  warningCount: number;
  missingCount: number;
}

export interface ReadLogOptions {
  /** Logs with more lines than this show head, tail and error blocks only. */
  pageLines: number;
  /** Bound on the blocks a failure summary shows. */
  maxErrorBlocks: number;
  /** Receives every line's text (stream letter removed) in order, e.g. to write the raw file. */
  sink?: (text: string) => void;
}

export type ChunkSource = (logId: number) => Iterable<LogChunk>;

/** The line as shown: stdio logs carry a stream letter first; other types are plain text. */
function shownLine(type: string, line: LogLine): ShownLine {
  if ('missing' in line) return { number: line.number, stream: null, text: '', kind: null, missing: line.reason };
  const { stream, text } = type === 's' ? splitStream(line.text) : { stream: null, text: line.text };
  return { number: line.number, stream, text, kind: type === 'h' ? null : lineKind(stream, text) };
}

export function readLog(log: LogInfo, chunks: ChunkSource, options: ReadLogOptions): LogReading {
  if (log.type === 'd') {
    return { lineCount: 0, segments: [], capped: false, errorBlocks: [], errorCount: 0, warningCount: 0, missingCount: 0 };
  }
  const headSize = Math.ceil(options.pageLines / 2);
  const tailSize = options.pageLines - headSize;
  const kept: ShownLine[] = [];
  const tail: ShownLine[] = [];
  const errorLines: number[] = [];
  let lineCount = 0;
  let warningCount = 0;
  let missingCount = 0;

  for (const line of logLines(chunks(log.id))) {
    const shown = shownLine(log.type, line);
    options.sink?.(shown.missing ? `[copra: line ${shown.number + 1} could not be read: ${shown.missing}]` : shown.text);
    lineCount++;
    if (shown.kind === 'error') errorLines.push(shown.number);
    if (shown.kind === 'warning') warningCount++;
    if (shown.missing) missingCount++;
    if (lineCount <= options.pageLines) kept.push(shown);
    // The last `tailSize` lines, in a ring: no per-line shifting on logs of millions of lines.
    if (lineCount > headSize && tailSize > 0) tail[(lineCount - headSize - 1) % tailSize] = shown;
  }

  const capped = lineCount > options.pageLines;
  const blockRanges = contextRanges(errorLines, lineCount).slice(0, options.maxErrorBlocks);
  const linesByNumber = capped ? linesInRanges(log, chunks, blockRanges) : new Map(kept.map((line) => [line.number, line]));
  const errorBlocks = blockRanges.map((range) => rangeLines(range, linesByNumber));
  const head = kept.slice(0, headSize);
  return {
    lineCount,
    segments: capped ? cappedSegments([head, ...errorBlocks, unrollRing(tail, lineCount - headSize, tailSize)], lineCount) : [{ lines: kept }],
    capped,
    errorBlocks,
    errorCount: errorLines.length,
    warningCount,
    missingCount,
  };
}

/** The ring's lines oldest first, given how many lines passed through it. */
function unrollRing<T>(ring: T[], written: number, size: number): T[] {
  if (written <= size) return ring.slice(0, written);
  const start = written % size;
  return [...ring.slice(start), ...ring.slice(0, start)];
}

function rangeLines(range: LineRange, lines: Map<number, ShownLine>): ShownLine[] {
  const block: ShownLine[] = [];
  for (let number = range.first; number <= range.last; number++) {
    const line = lines.get(number);
    if (line) block.push(line);
  }
  return block;
}

/**
 * The lines around each of these line numbers (0-based), `context` either side, each run as its
 * own list; the log is read only as far as the last of them.
 */
export function linesAround(log: Pick<LogInfo, 'id' | 'type'>, chunks: ChunkSource, numbers: readonly number[], context: number): Map<number, ShownLine[]> {
  const around = new Map(numbers.map((number) => [number, [] as ShownLine[]]));
  if (numbers.length === 0) return around;
  const last = Math.max(...numbers) + context;
  for (const line of logLines(chunks(log.id))) {
    if (line.number > last) break;
    for (const [number, lines] of around) if (Math.abs(line.number - number) <= context) lines.push(shownLine(log.type, line));
  }
  return around;
}

/** Second pass over a capped log: only the lines inside `ranges` are kept. */
function linesInRanges(log: LogInfo, chunks: ChunkSource, ranges: LineRange[]): Map<number, ShownLine> {
  const lines = new Map<number, ShownLine>();
  if (ranges.length === 0) return lines;
  let index = 0;
  for (const line of logLines(chunks(log.id))) {
    while (index < ranges.length && line.number > ranges[index]!.last) index++;
    const range = ranges[index];
    if (!range) break;
    if (line.number >= range.first) lines.set(line.number, shownLine(log.type, line));
  }
  return lines;
}

/** Head, error blocks and tail in line order, overlaps removed, with the gaps named. */
function cappedSegments(pieces: ShownLine[][], lineCount: number): LogSegment[] {
  const segments: LogSegment[] = [];
  let next = 0;
  const ordered = pieces.filter((piece) => piece.length > 0).sort((a, b) => a[0]!.number - b[0]!.number);
  for (const piece of ordered) {
    const fresh = piece.filter((line) => line.number >= next);
    if (fresh.length === 0) continue;
    const first = fresh[0]!.number;
    if (first > next) segments.push({ omitted: { first: next, last: first - 1 } });
    const previous = segments.at(-1);
    if (previous && 'lines' in previous && first === next) previous.lines.push(...fresh);
    else segments.push({ lines: fresh });
    next = fresh.at(-1)!.number + 1;
  }
  if (next < lineCount) segments.push({ omitted: { first: next, last: lineCount - 1 } });
  return segments;
}
