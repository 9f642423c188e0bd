import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { type HTMLElement, parse } from 'node-html-parser';
import { afterAll } from 'vitest';
import { buildArchive } from '../../src/build.ts';

export const REPO = join(import.meta.dirname, '..', '..');
export const BUILDBOT_FIXTURE = join(REPO, 'data', 'buildbot-3.7-gecko-mini.sqlite');
export const STATUSDB_FIXTURE = join(REPO, 'test', 'fixtures', 'statusdb-gecko-mini.sqlite');
export const FIXTURES = [
  { name: 'buildbot 3.7', file: BUILDBOT_FIXTURE },
  { name: 'statusdb', file: STATUSDB_FIXTURE },
] as const;

/** A temporary directory removed after the test file. */
export function scratchDir(prefix = 'copra-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
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
  const dir = mkdtempSync(join(tmpdir(), 'copra-sql-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return new Database(fixtureCopy(file, dir), { readonly: true });
}

const quiet = { write: () => {} };

/** Builds the archive of `snapshot` into a fresh directory and returns it. */
export async function buildInto(snapshot: string, options: { jobs?: number; buildsPerWindow?: number } = {}) {
  const out = join(scratchDir(), 'dist');
  const report = await buildArchive(snapshot, { out, output: quiet, jobs: options.jobs ?? 2, ...options });
  return { out, report };
}

/** A page of a built archive, parsed. `url` is the page's directory ('' for home) or a file. */
export function readPage(out: string, url: string): HTMLElement {
  const file = url === '' || url.endsWith('/') ? join(out, url, 'index.html') : join(out, url);
  return parse(readFileSync(file, 'utf8'));
}

/** Every file of a built archive, as paths relative to it. */
export function archiveFiles(out: string): string[] {
  return (readdirSync(out, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => relative(out, join(entry.parentPath, entry.name)))
    .sort();
}

/** The visible text of an element, whitespace folded. */
export function text(element: HTMLElement | null | undefined): string {
  return (element?.textContent ?? '').replace(/\s+/g, ' ').trim();
}
