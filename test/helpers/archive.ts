import Database from 'better-sqlite3';
import { type HTMLElement, parse } from 'node-html-parser';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, inject } from 'vitest';
import { type BuildOptions, buildArchive } from '../../src/build.ts';
import { BUILDBOT4_FIXTURE, BUILDBOT_FIXTURE, REPO, STATUSDB_FIXTURE } from './fixtures.ts';

export { BUILDBOT4_FIXTURE, BUILDBOT_FIXTURE, REPO, STATUSDB_FIXTURE };

/**
 * How each fixture's archive is built, wherever a test builds one to compare with fixtureArchive's.
 * The buildbot 4.3 recording's without log pages (`--logs summary`): its logs are 3.7's kinds,
 * whose pages the 3.7 archive's tests check; without them it builds in a fraction of the time,
 * and the tests of what only buildbot 4 has keep the suite within its time.
 */
export const ARCHIVE_OPTIONS: Record<FixtureArchive, Partial<BuildOptions>> = { buildbot: {}, statusdb: {}, buildbot4: { logs: 'summary' } };

/** Every fixture, with the name of its archive (fixtureArchive). */
export const ALL_FIXTURES = [
  { name: 'buildbot 3.7', file: BUILDBOT_FIXTURE, archive: 'buildbot' },
  { name: 'statusdb', file: STATUSDB_FIXTURE, archive: 'statusdb' },
  { name: 'buildbot 4.3', file: BUILDBOT4_FIXTURE, archive: 'buildbot4' },
] as const;

/** The fixtures whose archives every page test walks: buildbot 3.7 and statusdb. */
export const FIXTURES = ALL_FIXTURES.slice(0, 2);

export type FixtureArchive = (typeof ALL_FIXTURES)[number]['archive'];

/**
 * The archive of a fixture, built once for the whole run by the first test file that asks for it
 * (test processes run side by side: the others wait for it). Tests read it and never write into it.
 */
export async function fixtureArchive(name: FixtureArchive): Promise<string> {
  const out = join(inject('archivesDir'), name);
  const lock = `${out}.lock`;
  for (;;) {
    // Built elsewhere and renamed into place whole: there means done.
    if (existsSync(out)) return out;
    try {
      mkdirSync(lock);
    } catch {
      // Another test process builds it; take over if that process is gone.
      const holder = Number(readFileSync(join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }));
      if (holder > 0 && !processAlive(holder)) rmSync(lock, { recursive: true, force: true });
      await sleep(200);
      continue;
    }
    try {
      writeFileSync(join(lock, 'pid'), String(process.pid));
      const fixture = ALL_FIXTURES.find((entry) => entry.archive === name)!.file;
      const building = `${out}.building`;
      rmSync(building, { recursive: true, force: true });
      await buildArchive(fixture, { out: building, output: quiet, jobs: 2, ...ARCHIVE_OPTIONS[name] });
      renameSync(building, out);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const scratchDirs: string[] = [];
// Registered when a test file imports this module, so directories made inside hooks and tests
// are removed too.
afterAll(() => scratchDirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** What an interrupted build or merge leaves beside its archive in `dir`: scratch folders and locks. */
export const copraLeftovers = (dir: string): string[] =>
  readdirSync(dir).filter((name) => name.includes('.copra-tmp-') || name.endsWith('copra-lock'));

/** A temporary directory (in RAM where vitest.config.ts found a RAM file system), removed after the test file. */
export function scratchDir(prefix = 'copra-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratchDirs.push(dir);
  return dir;
}

/**
 * A copy of a fixture to change in a test. WAL-mode fixtures are read through a copy anyway; this
 * one is switched to rollback journalling so a test's writes land in the file itself.
 */
export function fixtureCopy(fixture: string, dir: string, name = 'snapshot.sqlite'): string {
  const copy = join(dir, name);
  copyFileSync(fixture, copy);
  const db = new Database(copy);
  db.pragma('journal_mode = DELETE');
  db.close();
  return copy;
}

/** Opens a snapshot file (or fixture copy) for the test's own SQL, read-only through a copy. */
export function querySnapshot(file: string): Database.Database {
  return new Database(fixtureCopy(file, scratchDir('copra-sql-')), { readonly: true });
}

/** What a command writes to stdout and stderr, for `main(argv, io)`. */
export function captured() {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    io: { stdout: { write: (s: string) => void stdout.push(s) }, stderr: { write: (s: string) => void stderr.push(s) } },
    stdout: () => stdout.join(''),
    stderr: () => stderr.join(''),
  };
}

/** Progress output nobody reads. */
export const quiet = { write: () => {} };

/** Builds the archive of `snapshot` into a fresh directory and returns it. */
export async function buildInto(snapshot: string, options: Omit<Partial<BuildOptions>, 'out' | 'output'> = {}) {
  const out = join(scratchDir(), 'dist');
  const report = await buildArchive(snapshot, { out, output: quiet, jobs: options.jobs ?? 2, ...options });
  return { out, report };
}

/** A page of a built archive, parsed. `url` is the page's directory ('' for home) or a file. */
export function readPage(out: string, url: string): HTMLElement {
  const file = url === '' || url.endsWith('/') ? join(out, url, 'index.html') : join(out, url);
  // node-html-parser keeps <pre> as raw text by default; copra's logs are markup inside <pre>.
  return parse(readFileSync(file, 'utf8'), { blockTextElements: { script: true, noscript: true, style: true } });
}

/** Every file of a built archive, as paths relative to it. */
export function archiveFiles(out: string): string[] {
  return (readdirSync(out, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => relative(out, join(entry.parentPath, entry.name)))
    .sort();
}

/** The HTML pages of an archive, as the addresses its sitemap should list under `baseUrl`. */
export const sitemapAddresses = (out: string, baseUrl: string) =>
  archiveFiles(out)
    .filter((file) => file.endsWith('.html') && file !== '404.html' && !/^(\.copra|assets|pagefind)\//.test(file))
    .map((file) => baseUrl + file.replace(/(^|\/)index\.html$/, '$1'))
    .sort();

/** The addresses a sitemap lists, unescaped. */
export const locs = (xml: string) =>
  [...xml.matchAll(/<loc>([^<]*)<\/loc>/g)].map((match) => match[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));

/** Folders whose next segment names one thing of a kind: a revision, a failure's or test's key, a branch, a tag, a project. */
const NAMED_BY_NEXT = new Set(['revision', 'failure', 'test', 'console', 'branch', 'tag', 'project']);

/** A page's kind: its address with the ids, names, revisions and page numbers in it left out. */
export const kindOf = (page: string) =>
  page
    .split('/')
    .map((segment, index, segments) => (/^\d+$/.test(segment) || (NAMED_BY_NEXT.has(segments[index - 1]!) && segment !== 'index.html') ? '#' : segment))
    .join('/');

/** The first of `pages` (paths in an archive) of each kind. */
export const oneOfEachKind = (pages: readonly string[]) => [...new Map(pages.map((page) => [kindOf(page), page])).values()];

/**
 * Every file of an archive with a hash of its bytes: what "the same archive" means. copra's
 * record (under .copra/) is left out unless asked for: two archives of the same history may have
 * reached it by different snapshots.
 */
export function archiveHashes(out: string, { record = false } = {}): Map<string, string> {
  return new Map(
    archiveFiles(out)
      .filter((file) => record || !file.startsWith('.copra/'))
      .map((file) => [file, createHash('sha256').update(readFileSync(join(out, file))).digest('hex')]),
  );
}

/** Files whose bytes differ between two archives' hashes, or that only one side has. */
export function differences(actual: Map<string, string>, expected: Map<string, string>): string[] {
  const names = new Set([...actual.keys(), ...expected.keys()]);
  return [...names].filter((name) => actual.get(name) !== expected.get(name)).sort();
}

/** The visible text of an element, whitespace folded. */
export function text(element: HTMLElement | null | undefined): string {
  return (element?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** The same file name in its own folder: an archive is titled after its first snapshot's name. */
export function snapshotFile(dir: string, stage: string, fixture: string): string {
  mkdirSync(join(dir, stage));
  return join(dir, stage, fixture.split('/').pop()!);
}

/** The one number an SQL query over a snapshot file gives. */
export function count(file: string, sql: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
}

/**
 * Pages of the buildbot 4.3 archive `out` showing what only buildbot 4 has, one of each: a project,
 * a test's newest and older pages, `tests/`, the board grouped by project, the build with the most
 * test results, one with build data and a lock wait, a commit's revision page, a change with its
 * codebase. The page tests check these beside every kind of the other fixtures' archives.
 */
export function buildbot4Pages(out: string): string[] {
  const db = querySnapshot(BUILDBOT4_FIXTURE);
  try {
    const one = (sql: string) => db.prepare(sql).pluck().get() as number | string;
    const pages = archiveFiles(out).filter((path) => /^(project|tests?)\//.test(path) && path.endsWith('.html'));
    return [
      ...oneOfEachKind(pages),
      'builders/index.html',
      `build/${one('SELECT t.buildid FROM test_result_sets t JOIN test_results r ON r.test_result_setid = t.id GROUP BY t.buildid ORDER BY count(*) DESC LIMIT 1')}/index.html`,
      `build/${one('SELECT d.buildid FROM build_data d JOIN builds b ON b.id = d.buildid WHERE b.locks_duration_s > 0 ORDER BY d.buildid LIMIT 1')}/index.html`,
      `revision/${one('SELECT c.revision FROM codebase_commits c WHERE c.parent_commitid IS NOT NULL AND EXISTS (SELECT 1 FROM codebase_commits k WHERE k.parent_commitid = c.id) LIMIT 1')}/index.html`,
      `change/${one("SELECT changeid FROM changes WHERE codebase <> '' LIMIT 1")}/index.html`,
    ];
  } finally {
    db.close();
  }
}

/**
 * The pages the page tests (valid HTML, layout, accessibility) check in a fixture's archive: one of
 * every kind; of the buildbot 4.3 archive, what only it has (its other kinds are those of 3.7's).
 */
export const pagesToCheck = (archive: FixtureArchive, out: string, pages: readonly string[]) =>
  archive === 'buildbot4' ? buildbot4Pages(out) : oneOfEachKind(pages);
