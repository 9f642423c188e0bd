// What makes a failure's signature: which lines of a log are error lines, and how an error line is
// normalized so that the same failure in different builds reads the same. One module for the
// build (src/record/signatures.ts) and the browser (search.js normalizes a pasted line with it),
// so a line pasted from any build finds the signature its build was given. Treeherder's log
// parser (treeherder/log_parser/parsers.py) and error summary (treeherder/model/error_summary.py)
// are the anchors. Changing what this module says is a record migration: the record's signatures
// are computed with it (src/record/migrations/).

/** Whole phrases that make a line an error wherever they stand. */
const ERROR_PHRASES = [
  'TEST-UNEXPECTED-',
  'PROCESS-CRASH',
  'fatal error',
  'FATAL ERROR',
  'Assertion fail',
  '###!!! ABORT:',
  'SUMMARY: AddressSanitizer',
  'SUMMARY: ThreadSanitizer',
  'SUMMARY: UndefinedBehaviorSanitizer',
  'Hit MOZ_CRASH',
  'REFTEST ERROR',
  'Automation Error:',
  'command timed out:',
];

/** Forms an error line starts with: make's `*** … Error N`, `SomeError: `, gtest's `[  FAILED  ]`, git's `fatal:`. */
const ERROR_START = /^g?make(?:\[\d+\])?: \*\*\*|^[A-Za-z.]+Error: |^[A-Za-z.]*Exception: |^\[ {2}FAILED {2}\] |^error: |^fatal: |^abort: /;
/** Forms an error line holds: a compiler's `file:12: error:`, MSVC's `error C2065:`, a mozmake failure. */
const ERROR_INSIDE = /:\d+:(?:\d+:)? (?:fatal )?error:| error\(\d*\):| error R?C\d*:|mozmake\.(?:exe|EXE)(?:\[\d+\])?: \*\*\*/;
/** mozharness's own verdict on a line: `10:07:13    ERROR - …`. */
const MOZHARNESS_ERROR = /^\d+:\d+:\d+ +(?:ERROR|CRITICAL|FATAL) - /;
/** Lines that look like errors and are not: passes, expected warnings, "non-fatal error". */
const NOT_ERRORS = /TEST-(?:INFO|PASS) |^TEST-UNEXPECTED-WARNING\b|non-fatal error|Assertion failure$/;

/** A task runner's prefix, `[task 2016-08-18T17:50:56.955523Z] ` (not `[taskcluster:error]`). */
const TASK_PREFIX = /^\[(?!taskcluster:)[^\]]*\b\d{4}-\d{2}-\d{2}[^\]]*\]\s+/;
/** mozharness's time-and-level prefix, `10:07:13     INFO - `. */
const MOZHARNESS_PREFIX = /^\d{1,2}:\d{2}:\d{2}(?:\.\d+)? +(?:DEBUG|INFO|WARNING|ERROR|CRITICAL|FATAL) - +/;

/**
 * Whether a line a step printed (stdout or stderr, or a text log's line) is an error line.
 * @param {string} text
 * @returns {boolean}
 */
export function isErrorLine(text) {
  const line = text.replace(TASK_PREFIX, '');
  if (MOZHARNESS_ERROR.test(line)) return !NOT_ERRORS.test(line);
  const trimmed = line.replace(MOZHARNESS_PREFIX, '').trimEnd();
  if (NOT_ERRORS.test(trimmed)) return false;
  return ERROR_PHRASES.some((phrase) => trimmed.includes(phrase)) || ERROR_START.test(trimmed) || ERROR_INSIDE.test(trimmed);
}

const TRACEBACK = /^\s*Traceback \(most recent call last\):\s*$/;
/** Twisted prints this inside a traceback, at the frame that caught it. */
const TWISTED_CAUGHT = /^--- <exception caught here> ---$/;

/**
 * The error lines of a log, in order: each line that isErrorLine, and for a Python traceback its
 * last line, the exception (`builtins.RuntimeError: lost connection to hg server`), instead of the
 * traceback's first.
 * @param {Iterable<{ number: number, text: string }>} lines
 * @returns {Generator<{ number: number, text: string }>}
 */
export function* errorLines(lines) {
  let inTraceback = false;
  for (const line of lines) {
    if (TRACEBACK.test(line.text)) {
      inTraceback = true;
      continue;
    }
    if (inTraceback) {
      // Frames are indented; the exception is the first line that is not.
      if (/^\s/.test(line.text) || TWISTED_CAUGHT.test(line.text) || line.text === '') continue;
      inTraceback = false;
      yield line;
      continue;
    }
    if (isErrorLine(line.text)) yield line;
  }
}

/**
 * What varies between builds in a line of the same failure, and what it reads as in a signature.
 * @type {[RegExp, string][]}
 */
const VARYING = [
  // Times: an ISO moment, a clock time, a duration.
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<time>'],
  [/\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g, '<time>'],
  [/\b\d+(?:\.\d+)?\s?(?:ms|msec|s|sec|secs|seconds?|min|mins|minutes?|h|hours?)\b/g, '<duration>'],
  // Processes: `PID 123 |`, `GECKO(123)`, `(pid 123`, `pid=123`, `[1234] `.
  [/\bGECKO\(\d+\)/g, 'GECKO(<pid>)'],
  [/\bpid[ =:]?\d+/gi, 'pid <pid>'],
  [/^\[\d+\] +/g, ''],
  // Memory addresses.
  [/\b0x[0-9a-fA-F]+\b/g, '<hex>'],
  // Temporary files and folders.
  [/(?<![\w.~-])(?:[A-Za-z]:)?(?:[\\/](?:tmp|var[\\/]tmp|private[\\/]var[\\/]folders|var[\\/]folders)|[\\/]Users[\\/][^\\/\s]+[\\/]AppData[\\/]Local[\\/]Temp)(?:[\\/][^\s'"|,;:)]*)?/gi, '<tmp>'],
  // The worker's build directory: an absolute path up to its last `build`, `builds` or `workspace` folder.
  [/(?<![\w.~-])(?:[A-Za-z]:)?(?:[\\/][^\s\\/'"|,;:()]+)*[\\/](?:build|builds|workspace)(?=[\\/])/gi, '<builddir>'],
  // A local server's port, leak sizes, values and counts that drift.
  [/(https?:\/\/(?:localhost|127\.0\.0\.1)):\d+/g, '$1:<port>'],
  [/\b\d+ bytes leaked\b/g, '<n> bytes leaked'],
  [/ leaked \d+ window\(s\)/g, ' leaked <n> window(s)'],
  [/\bvalue=\d+/g, 'value=<n>'],
  [/\bgot \d+, expected \d+/g, 'got <n>, expected <n>'],
];

/** A signature's text at most: long enough to tell failures apart, short enough to read. */
export const SIGNATURE_LENGTH = 300;

/**
 * An error line as its signature reads: the prefixes and the parts that vary between builds of
 * the same failure (times, process ids, addresses, durations, the build directory, temporary
 * paths) taken out or masked, white space folded. What tells failures apart stays: the test's
 * path, the message, the file and line of a compiler's error.
 * @param {string} line
 * @returns {string}
 */
export function normalizeLine(line) {
  let text = line.replace(TASK_PREFIX, '').replace(MOZHARNESS_PREFIX, '');
  // `PID 123 | ` and `GECKO(123) | ` prefix what a process printed: the same line without them.
  text = text.replace(/(?:PID \d+|GECKO\(\d+\)) \| +/g, '');
  for (const [pattern, replacement] of VARYING) text = text.replace(pattern, replacement);
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > SIGNATURE_LENGTH ? text.slice(0, SIGNATURE_LENGTH) : text;
}
