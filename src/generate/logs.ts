/**
 * Step logs for buildbot snapshots, at a modest volume: some steps get a stdio log of tens of
 * lines (each line tagged o/e/h as buildbot stores them), a few a text log of property changes,
 * exceptions an HTML log. Chunks mix raw (code 0) and zlib (code 1) content, as a real log does
 * when short chunks do not shrink or compression was switched on later.
 */
import { deflateSync } from 'node:zlib';
import { type GeneratedStep, RESULT } from './history.ts';
import type { Random } from './random.ts';

export interface GeneratedLog {
  name: string;
  slug: string;
  /** 's' stdio, 't' text, 'h' html. */
  type: 's' | 't' | 'h';
  complete: boolean;
  lines: string[];
}

export interface GeneratedChunk {
  firstLine: number;
  lastLine: number;
  content: Buffer;
  compressed: 0 | 1;
}

const STDIO_LOG_SHARE = 0.15;
const PROPERTY_LOG_SHARE = 0.03;
/** Chunks left raw although zlib would shrink them: logs written before compression was on. */
const RAW_CHUNK_SHARE = 0.15;

/** The logs of one step; most steps have none. */
export function stepLogs(random: Random, step: GeneratedStep, builddir: string): GeneratedLog[] {
  const logs: GeneratedLog[] = [];
  const complete = step.end !== null;
  if (random.chance(STDIO_LOG_SHARE)) {
    logs.push({ name: 'stdio', slug: 'stdio', type: 's', complete, lines: stdioLines(random, step, builddir) });
  }
  if (random.chance(PROPERTY_LOG_SHARE)) {
    logs.push({ name: 'property changes', slug: 'property_changes', type: 't', complete, lines: propertyLines(random) });
  }
  if (step.result === RESULT.exception) {
    logs.push({ name: 'err.html', slug: 'err_html', type: 'h', complete, lines: exceptionHtml(step.name) });
  }
  return logs;
}

/** Cuts a log into chunks of 5–40 lines, each zlib-compressed when that shrinks it. */
export function logChunks(random: Random, lines: readonly string[]): GeneratedChunk[] {
  const chunks: GeneratedChunk[] = [];
  for (let first = 0; first < lines.length; ) {
    const last = Math.min(lines.length, first + random.int(5, 40)) - 1;
    const raw = Buffer.from(lines.slice(first, last + 1).join('\n'), 'utf8');
    const deflated = random.chance(RAW_CHUNK_SHARE) ? raw : deflateSync(raw);
    chunks.push(
      deflated.length < raw.length
        ? { firstLine: first, lastLine: last, content: deflated, compressed: 1 }
        : { firstLine: first, lastLine: last, content: raw, compressed: 0 },
    );
    first = last + 1;
  }
  return chunks;
}

const COMPILER_WARNINGS = [
  "warning: unused variable 'rv' [-Wunused-variable]",
  'warning: comparison between signed and unsigned integer expressions',
  "warning: 'nsresult NS_NewFoo()' declared 'static' but never defined",
];
const OUTPUT_LINES = [
  'make[1]: Entering directory `/builds/slave/objdir\'',
  'TEST-PASS | /tests/content/base/test/test_bug123.html | passed',
  'INFO | automation.py | Application pid: 4242',
  'nsStringStats',
  '\x1b[32mPASS\x1b[0m js1_8_5/regress/regress-555246-0.js',
  'Downloading http://stage.mozilla.org/pub/mozilla.org/firefox/tinderbox-builds/ … done ✓',
];
const ERROR_LINES = [
  'TEST-UNEXPECTED-FAIL | /tests/layout/base/test/test_bug558663.html | Test timed out.',
  "error: 'nsIFrame' has no member named 'GetRect'",
  'PROCESS-CRASH | automation.py | application crashed (minidump found)',
  '\x1b[31mFAIL\x1b[0m js1_8_5/extensions/clone-errors.js',
];

function stdioLines(random: Random, step: GeneratedStep, builddir: string): string[] {
  const command = `make -f client.mk ${step.name}`;
  const lines = [
    `h${command}`,
    `h in dir ${builddir}/build (timeout 1200 secs)`,
    'h watching logfiles {}',
    `h argv: ['bash', '-c', '${command}']`,
    'h environment:',
    'h  HOME=/home/cltbld',
    'h  PATH=/usr/bin:/bin',
    `h  PWD=${builddir}/build`,
    'h using PTY: False',
  ];
  const output = random.int(5, 50);
  for (let i = 0; i < output; i++) {
    lines.push(random.chance(0.1) ? `e${random.pick(COMPILER_WARNINGS)}` : `o${random.pick(OUTPUT_LINES)}`);
  }
  const failed = step.result === RESULT.failure || step.result === RESULT.warnings;
  if (failed) lines.push(`e${random.pick(ERROR_LINES)}`, `o${random.pick(OUTPUT_LINES)}`);
  if (step.end !== null) {
    const elapsed = step.end - (step.start ?? step.end);
    lines.push(`hprogram finished with exit code ${failed ? 2 : 0}`, `helapsedTime=${elapsed.toFixed(6)}`);
  }
  return lines;
}

function propertyLines(random: Random): string[] {
  return [`buildid: '${random.int(20081029000000, 20101029194444)}'`, `got_revision_short: '${random.hex(12)}'`];
}

function exceptionHtml(stepName: string): string[] {
  return [
    '<div>',
    '  <div class="error">',
    `    <span>builtins.RuntimeError</span>: <span>lost connection to slave during ${stepName}</span>`,
    '  </div>',
    '  <div class="stackTrace">',
    '    <div class="frame"><span class="function">startStep</span> <code>self._running = True</code></div>',
    '  </div>',
    '</div>',
  ];
}
