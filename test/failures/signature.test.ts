/**
 * What makes a signature (templates/assets/signature.js): which lines are error lines, and the
 * table of raw lines and the signatures they must give — real lines of both recordings, and the
 * forms Treeherder's error summary cleans (task and mozharness prefixes, process ids, addresses,
 * durations, the worker's build directory, temporary paths).
 */
import { describe, expect, it } from 'vitest';
import { errorLines, isErrorLine, normalizeLine } from '../../templates/assets/signature.js';

describe('error lines', () => {
  it.each([
    // The buildbot recording's failed tests, and the forms Treeherder's parser takes.
    'TEST-UNEXPECTED-FAIL | dom/base/nsGlobalWindow.cpp | assertion count 1 is more than expected 0',
    'PROCESS-CRASH | dom/tests/test_a.html | application crashed [@ mozalloc_abort] (pid 1234)',
    'Assertion failure: mRefCnt > 0, at xpcom/base/nsTraceRefcnt.cpp:120',
    '###!!! ABORT: file dom/base/nsGlobalWindow.cpp, line 7341',
    'SUMMARY: AddressSanitizer: heap-use-after-free dom/base/Foo.cpp:12 in Bar',
    'command timed out: 1200 seconds without output, attempting to kill',
    'js/src/jsapi.cpp:689: error: use of undeclared identifier rv',
    'c:\\builds\\moz2_slave\\build\\js\\src\\jsapi.cpp(689) : fatal error C1083: Cannot open include file',
    'make[2]: *** [libs] Error 2',
    'gmake: *** [all] Error 2',
    'KeyError: buildername',
    '[  FAILED  ] ParserTest.Empty (12 ms)',
    '10:07:13    ERROR - Return code: 1',
    '10:07:13     INFO - TEST-UNEXPECTED-FAIL | dom/tests/test_a.html | Test timed out.',
    '[task 2016-08-18T17:50:56.955523Z] TEST-UNEXPECTED-FAIL | dom/tests/test_a.html | Test timed out.',
    'fatal: unable to access https://hg.mozilla.org/: Could not resolve host',
  ])('%s', (line) => expect(isErrorLine(line)).toBe(true));

  it.each([
    'c++ -o js/src/jsapi.o -c -fno-rtti -O2 -DNDEBUG js/src/jsapi.cpp',
    "js/src/jsapi.cpp:689: warning: unused variable 'rv' [-Wunused-variable]",
    'TEST-PASS | dom/tests/test_a.html | all fine',
    'TEST-INFO | dom/tests/test_a.html | TEST-UNEXPECTED-FAIL would be reported here',
    'TEST-UNEXPECTED-WARNING | dom/tests/test_a.html | a warning',
    'a non-fatal error was logged',
    '10:07:13     INFO - Running tests',
    'Traceback (most recent call last):',
  ])('not %s', (line) => expect(isErrorLine(line)).toBe(false));

  it("takes a Python traceback's last line, its exception, for the traceback (the buildbot recording's err.text)", () => {
    const log = [
      'Traceback (most recent call last):',
      '  File "/usr/lib/python3/dist-packages/twisted/internet/defer.py", line 1660, in _inlineCallbacks',
      '    result = current_context.run(gen.send, result)',
      '--- <exception caught here> ---',
      '  File "/usr/lib/python3/dist-packages/buildbot/process/buildstep.py", line 486, in startStep',
      '    self.results = yield self.run()',
      "    raise RuntimeError('lost connection to hg server')",
      'builtins.RuntimeError: lost connection to hg server',
      'after it, an ordinary line',
    ].map((text, number) => ({ number, text }));
    expect([...errorLines(log)]).toEqual([{ number: 7, text: 'builtins.RuntimeError: lost connection to hg server' }]);
  });
});

describe('signatures', () => {
  it.each([
    // Real lines: the buildbot recording's, kept as they are (no prefix, nothing that varies).
    ['TEST-UNEXPECTED-FAIL | dom/base/nsGlobalWindow.cpp | assertion count 1 is more than expected 0', 'TEST-UNEXPECTED-FAIL | dom/base/nsGlobalWindow.cpp | assertion count 1 is more than expected 0'],
    ['builtins.RuntimeError: lost connection to hg server', 'builtins.RuntimeError: lost connection to hg server'],
    // The statusdb recording's: a failed step's name and text.
    ['run_tests: test (warnings)', 'run_tests: test (warnings)'],
    // Prefixes taken off.
    ['[task 2016-08-18T17:50:56.955523Z] TEST-UNEXPECTED-FAIL | dom/tests/test_a.html | Test timed out.', 'TEST-UNEXPECTED-FAIL | dom/tests/test_a.html | Test timed out.'],
    ['10:07:13     INFO - TEST-UNEXPECTED-FAIL | dom/tests/test_a.html | Test timed out.', 'TEST-UNEXPECTED-FAIL | dom/tests/test_a.html | Test timed out.'],
    ['10:07:13    ERROR - Return code: 1', 'Return code: 1'],
    ['PID 4821 | ###!!! ABORT: file dom/base/nsGlobalWindow.cpp, line 7341', '###!!! ABORT: file dom/base/nsGlobalWindow.cpp, line 7341'],
    ['GECKO(4821) | Assertion failure: mRefCnt > 0', 'Assertion failure: mRefCnt > 0'],
    ['[4821] ###!!! ABORT: file nsGlobalWindow.cpp, line 12', '###!!! ABORT: file nsGlobalWindow.cpp, line 12'],
    // What varies masked.
    ['PROCESS-CRASH | dom/tests/test_a.html | application crashed [@ mozalloc_abort] (pid 1234)', 'PROCESS-CRASH | dom/tests/test_a.html | application crashed [@ mozalloc_abort] (pid <pid>)'],
    ['Assertion failure: mRefCnt > 0 at 0x7f3a2b1c9d00', 'Assertion failure: mRefCnt > 0 at <hex>'],
    ['TEST-UNEXPECTED-TIMEOUT | dom/tests/test_b.html | timed out after 330 seconds', 'TEST-UNEXPECTED-TIMEOUT | dom/tests/test_b.html | timed out after <duration>'],
    ['[  FAILED  ] ParserTest.Empty (12 ms)', '[ FAILED ] ParserTest.Empty (<duration>)'],
    ['/builds/slave/m-cen-lnx64/build/src/dom/Foo.cpp:12: error: rv was not declared', '<builddir>/src/dom/Foo.cpp:12: error: rv was not declared'],
    ['c:\\builds\\moz2_slave\\m-cen-w32\\build\\js\\src\\jsapi.cpp(689) : fatal error C1083', '<builddir>\\js\\src\\jsapi.cpp(689) : fatal error C1083'],
    ['fatal error: cannot write /tmp/tmpa1b2c3/out.o', 'fatal error: cannot write <tmp>'],
    ['TEST-UNEXPECTED-FAIL | http://localhost:8854/tests/a.html | failed at 2010-03-04 10:11:12', 'TEST-UNEXPECTED-FAIL | http://localhost:<port>/tests/a.html | failed at <time>'],
    ['TEST-UNEXPECTED-FAIL | leakcheck | 2048 bytes leaked (nsFoo, nsBar)', 'TEST-UNEXPECTED-FAIL | leakcheck | <n> bytes leaked (nsFoo, nsBar)'],
  ])('%s', (line, signature) => expect(normalizeLine(line)).toBe(signature));

  it.each([
    // The same failure in two builds: one signature.
    ['[task 2016-08-18T17:50:56.955523Z] TEST-UNEXPECTED-FAIL | a.html | x', '[task 2017-01-02T03:04:05Z] TEST-UNEXPECTED-FAIL | a.html | x'],
    ['10:07:13     INFO - TEST-UNEXPECTED-FAIL | a.html | x', '23:59:01     INFO - TEST-UNEXPECTED-FAIL | a.html | x'],
    ['PID 1 | ###!!! ABORT: x', 'PID 99999 | ###!!! ABORT: x'],
    ['PROCESS-CRASH | a.html | application crashed (pid 12)', 'PROCESS-CRASH | a.html | application crashed (pid 34)'],
    ['Assertion failure: x at 0xdeadbeef', 'Assertion failure: x at 0x55aa55aa00'],
    ['timed out after 330 seconds', 'timed out after 331 seconds'],
    ['/builds/slave/m-cen-lnx64/build/src/a.cpp:1: error: x', '/builds/slave/try-lnx64/build/src/a.cpp:1: error: x'],
    ['fatal error: cannot write /tmp/tmpa1/out.o', 'fatal error: cannot write /tmp/tmpzz9/out.o'],
  ])('%s and %s share a signature', (a, b) => expect(normalizeLine(a)).toBe(normalizeLine(b)));

  it.each([
    // Different tests, or different messages: never one signature.
    ['TEST-UNEXPECTED-FAIL | dom/base/nsGlobalWindow.cpp | assertion count 1 is more than expected 0', 'TEST-UNEXPECTED-FAIL | js/src/jsapi.cpp | assertion count 1 is more than expected 0'],
    ['TEST-UNEXPECTED-FAIL | a.html | Test timed out.', 'TEST-UNEXPECTED-FAIL | a.html | Assertion failed'],
    ['builtins.RuntimeError: lost connection to hg server', 'builtins.RuntimeError: lost connection to git server'],
    ['src/a.cpp:1: error: x', 'src/b.cpp:1: error: x'],
  ])('%s and %s do not', (a, b) => expect(normalizeLine(a)).not.toBe(normalizeLine(b)));
});
