/**
 * The words a synthetic snapshot is made of, modelled on Mozilla's 2010 build farm: branches,
 * platforms, kinds of builder, step names, people and what they committed. Names and addresses
 * of people are made up.
 */
import type { Random } from './random.ts';

/** Branches, which are also the builders' categories. 17, 11 and 41 are coprime: see farm.ts. */
export const BRANCHES = [
  'mozilla-central',
  'try',
  'tracemonkey',
  'mozilla-1.9.2',
  'mozilla-1.9.1',
  'places',
  'electrolysis',
  'jaegermonkey',
  'birch',
  'cedar',
  'maple',
  'addonsmgr',
  'mobile-browser',
  'comm-central',
  'services-central',
  'lorentz',
  'l10n-central',
] as const;

/** How often each branch is pushed to, in the order of BRANCHES. */
export const BRANCH_WEIGHTS = [22, 20, 10, 8, 5, 3, 3, 4, 2, 2, 2, 2, 4, 6, 2, 1, 4];

export interface Platform {
  /** As builder names spell it. */
  name: string;
  /** The `platform` build property. */
  property: string;
  /** printf-like slave name: `#` is replaced by the slave's number on this platform. */
  slavePattern: string;
}

export const PLATFORMS: readonly Platform[] = [
  { name: 'Linux', property: 'linux', slavePattern: 'moz2-linux-slave#' },
  { name: 'Linux x86-64', property: 'linux64', slavePattern: 'moz2-linux64-slave#' },
  { name: 'OS X 10.5.2', property: 'macosx', slavePattern: 'moz2-darwin9-slave#' },
  { name: 'OS X 10.6.2', property: 'macosx64', slavePattern: 'moz2-darwin10-slave#' },
  { name: 'WINNT 5.2', property: 'win32', slavePattern: 'mw32-ix-slave#' },
  { name: 'WINNT 6.1 x86-64', property: 'win64', slavePattern: 'w64-ix-slave#' },
  { name: 'Rev3 Fedora 12', property: 'linux', slavePattern: 'talos-r3-fed-#' },
  { name: 'Rev3 Fedora 12x64', property: 'linux64', slavePattern: 'talos-r3-fed64-#' },
  { name: 'Rev3 MacOSX Leopard 10.5.8', property: 'macosx', slavePattern: 'talos-r3-leopard-#' },
  { name: 'Rev3 WINNT 5.1', property: 'win32', slavePattern: 'talos-r3-xp-#' },
  { name: 'Maemo 5 GTK', property: 'maemo5-gtk', slavePattern: 'n900-#' },
];

/** What a builder does: decides its steps, its properties and which pushes it builds. */
export type KindClass = 'build' | 'nightly' | 'l10n' | 'test' | 'talos';

export interface BuilderKind {
  name: string;
  kindClass: KindClass;
}

const kinds = (kindClass: KindClass, names: string[]): BuilderKind[] => names.map((name) => ({ name, kindClass }));

const TALOS_SUITES = ['tp4', 'ts', 'tdhtml', 'tsvg', 'dromaeo', 'a11y', 'chrome', 'nochrome', 'cold', 'dirty'];
const TEST_SUITES = ['mochitests-1/5', 'mochitests-2/5', 'mochitests-3/5', 'mochitests-4/5', 'mochitests-5/5',
  'mochitest-other', 'reftest', 'crashtest', 'jsreftest', 'xpcshell'];

export const BUILDER_KINDS: readonly BuilderKind[] = [
  ...kinds('build', ['build', 'leak test build', 'debug build', 'xulrunner build', 'shark build']),
  ...kinds('nightly', ['nightly', 'l10n nightly', 'xulrunner nightly']),
  ...kinds('l10n', ['l10n repack', 'l10n dep']),
  ...kinds('test', [
    ...TEST_SUITES.map((suite) => `opt test ${suite}`),
    ...TEST_SUITES.map((suite) => `debug test ${suite}`),
    'unit test',
  ]),
  ...kinds('talos', TALOS_SUITES.map((suite) => `talos ${suite}`)),
];

export const MASTER_NAMES = [
  'production-master01', 'production-master02', 'production-master03', 'talos-master02', 'test-master01',
  'try-master', 'preproduction-master', 'staging-master', 'production-master04', 'talos-master03', 'mobile-master',
];

/**
 * Steps of compiling builders, in order: at least as many as a build can have, names unique within a
 * build (buildbot's steps_name index), `set_platform` at PLATFORM_STEP_INDEX.
 */
export const BUILD_STEPS = [
  'get_basedir', 'rm_builddir', 'rm_old_pkg', 'downloading_to_buildtools', 'checking_clobber_times', 'hg_update_tools',
  'clobber', 'tinderbox_clobber', 'set_buildid', 'hg_update', 'set_platform', 'set_got_revision', 'get_hg_revision', 'mozconfig',
  'cat_mozconfig', 'rm_objdir', 'compile', 'make_buildsymbols', 'make_uploadsymbols', 'package', 'make_installer',
  'make_update', 'make_check', 'sum_compare', 'leak_test', 'alloc_test', 'get_build_id', 'get_app_version', 'upload',
  'set_package_url', 'make_sdk', 'sendchange_unittest', 'sendchange_talos', 'codesize', 'codesize_log', 'trace_malloc',
  'graph_server_post', 'check_test_complete', 'maybe_rebooting', 'clean_up', 'trigger_tests', 'reboot',
];

/** Steps of test, talos and l10n builders, likewise. */
export const TEST_STEPS = [
  'get_basedir', 'rm_builddir', 'downloading_to_buildtools', 'set_props', 'download_build', 'download_tests',
  'download_symbols', 'unpack_build', 'unpack_tests', 'get_build_info', 'set_platform', 'disk_check', 'find_process',
  'kill_process', 'cleanup_profile', 'install_app', 'create_profile', 'run_xpcshell', 'mochitest_plain', 'mochitest_chrome',
  'mochitest_browser_chrome', 'mochitest_a11y', 'mochitest_ipcplugins', 'reftest', 'crashtest', 'jsreftest', 'check_leaks',
  'run_talos', 'graph_server_post', 'compare_locales', 'repack', 'upload_repack', 'symbol_upload', 'check_test_complete',
  'archive_logs', 'rm_profile', 'uninstall_app', 'clean_up', 'maybe_rebooting', 'reboot', 'upload_logs', 'done',
];

/** The step that sets the `platform` property: builds stopped before it have none. */
export const PLATFORM_STEP_INDEX = 10;

const FIRST_NAMES = ['Alice', 'Boris', 'Chen', 'Dana', 'Emeka', 'Fatima', 'Gustav', 'Hiroshi', 'Ines', 'Jakub', 'Kwame',
  'Lena', 'Mateo', 'Nadia', 'Oskar', 'Priya', 'Quentin', 'Rosa', 'Sven', 'Tamar', 'Uma', 'Viktor', 'Wen', 'Yusuf'];
const LAST_NAMES = ['Abbott', 'Berg', 'Castillo', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Haas', 'Ivanova', 'Jensen',
  'Kowalski', 'Lindqvist', 'Moreau', 'Novak', 'Okafor', 'Petrov', 'Quinn', 'Rossi', 'Schmidt', 'Tanaka'];
/** People whose names leave ASCII: statusdb stored them as UTF-8 bytes in latin1 columns. */
const NON_ASCII_AUTHORS = ['Jörg Müller <joerg@example.de>', 'José Ñúñez <jose@example.es>', 'Søren Ødegård <soren@example.dk>',
  '山田 太郎 <taro@example.jp>', 'Zoë Brontë <zoe@example.org>', 'Łukasz Żółć <lukasz@example.pl>'];

export function authorName(random: Random): string {
  if (random.chance(0.03)) return random.pick(NON_ASCII_AUTHORS);
  const first = random.pick(FIRST_NAMES);
  const last = random.pick(LAST_NAMES);
  return `${first} ${last} <${first.toLowerCase()}.${last.toLowerCase()}@example.org>`;
}

export function nonAsciiAuthor(random: Random): string {
  return random.pick(NON_ASCII_AUTHORS);
}

const VERBS = ['Fix', 'Remove', 'Add', 'Make', 'Implement', 'Back out', 'Update', 'Don\'t crash in', 'Speed up', 'Clean up'];
const SUBJECTS = ['nsPresShell::Paint', 'the JIT tracer', 'plugin painting', 'session restore', 'the places DB schema',
  'jemalloc on Mac', 'XPCOM shutdown leaks', 'the add-ons manager UI', 'OOP plugins', 'SVG filter invalidation',
  'the HTML5 parser', 'IndexedDB transactions', 'frame reflow', 'Windows 7 taskbar previews', 'l10n repacks'];
const REVIEWERS = ['bz', 'dbaron', 'roc', 'jst', 'gavin', 'dolske', 'bsmedberg', 'mconnor', 'sayrer', 'ted', 'Waldo'];

export function commitSummary(random: Random): string {
  const bug = random.int(400_000, 609_999);
  return `Bug ${bug} - ${random.pick(VERBS)} ${random.pick(SUBJECTS)}, r=${random.pick(REVIEWERS)}`;
}

/**
 * A long commit message over many lines, with what real ones contain: HTML-ish text, quotes,
 * ampersands, URLs and, now and then, non-ASCII text.
 */
export function longCommitMessage(random: Random, nonAscii: boolean): string {
  const bug = random.int(400_000, 609_999);
  const lines = [
    commitSummary(random),
    '',
    `This changes how ${random.pick(SUBJECTS)} handles <b>bold</b> "quoted" & 'single-quoted' input,`,
    `see https://bugzilla.mozilla.org/show_bug.cgi?id=${bug}&comment=${random.int(1, 90)} for the discussion.`,
  ];
  const extra = random.int(4, 30);
  for (let i = 0; i < extra; i++) {
    const line = `  * ${random.pick(VERBS).toLowerCase()} ${random.pick(SUBJECTS)} (part ${i + 1}) <script>alert("x")</script>`;
    // Cut anywhere, even inside the tag: what copra shows must survive half-written markup.
    lines.push(line.slice(0, random.int(40, 110)));
  }
  if (nonAscii) lines.push('Übersetzung: 日本語のテスト — naïve café, «guillemets»');
  lines.push(`--HG--\nextra : transplant_source : ${random.hex(12)}`);
  return lines.join('\n');
}

const DIRS = ['layout/base', 'layout/generic', 'dom/base', 'content/html/content/src', 'js/src', 'js/src/jit-test/tests',
  'netwerk/protocol/http', 'toolkit/mozapps/update/src', 'browser/base/content', 'browser/app/profile', 'gfx/thebes',
  'xpcom/base', 'modules/plugin/base/src', 'widget/src/cocoa', 'widget/src/windows', 'security/manager/ssl/src',
  'testing/mochitest', 'build/unix', 'config', 'intl/locales/ja'];
const STEMS = ['nsPresShell', 'nsGlobalWindow', 'jsapi', 'jstracer', 'nsHttpChannel', 'nsUpdateService', 'browser',
  'firefox', 'gfxContext', 'nsCycleCollector', 'nsPluginHost', 'nsChildView', 'nsWindow', 'nsNSSComponent', 'Makefile',
  'test_bug', 'configure', 'rules', 'nsFrame', 'nsBlockFrame'];
const EXTENSIONS = ['.cpp', '.h', '.js', '.xul', '.in', '.mk', '.html', '.properties', '.py', '.c'];
/** A path as a git poller records a non-ASCII name: git's quoted octal form. */
export const GIT_QUOTED_PATH = 'intl/locales/ja/\\346\\227\\245\\346\\234\\254\\350\\252\\236.properties';

/**
 * The path of file number `id`: a pure function of the id, so a file's path need not be kept to
 * mention it again in a later change.
 */
export function filePath(id: number): string {
  if (id % 997 === 0) return GIT_QUOTED_PATH;
  const hash = Math.imul(id ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  const dir = DIRS[hash % DIRS.length];
  const stem = STEMS[(hash >>> 8) % STEMS.length];
  const extension = EXTENSIONS[(hash >>> 16) % EXTENSIONS.length];
  return `${dir}/${stem}${id % 5 === 0 ? `_${id}` : ''}${extension}`;
}

/** What sendchange reports: the URLs of the build to test and of its tests. */
export function sendchangeUrls(branch: string, platform: string, time: number): string[] {
  const base = `http://stage.mozilla.org/pub/mozilla.org/firefox/tinderbox-builds/${branch}-${platform}/${time}`;
  return [`${base}/firefox-3.7a5pre.en-US.${platform}.tar.bz2`, `${base}/firefox-3.7a5pre.en-US.${platform}.tests.zip`];
}

export const LOCALES = ['de', 'fr', 'ja', 'ja-JP-mac', 'pl', 'pt-BR', 'ru', 'zh-TW', 'es-ES', 'it'];
