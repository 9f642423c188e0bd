import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.ts';
import { type SnapshotStats, snapshotStats } from '../src/stats.ts';
import { FIXTURES, archiveFiles, captured, fixtureArchive, fixtureCopy, querySnapshot, scratchDir } from './helpers/archive.ts';

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const leftovers = () => readdirSync(tmpdir()).filter((name) => name.startsWith('copra-stats-'));

/** What the built archive holds besides pages: copra's record, assets, search, raw logs. */
const notAPage = (file: string) => /^(\.copra|assets|pagefind|search\/builds)\/|^search\/manifest\.json$|^build\/.*\.txt$/.test(file);


describe.each(FIXTURES)('copra stats of the $name recording', ({ file, archive }) => {
  let stats: SnapshotStats;
  const leftBefore = leftovers();
  const snapshotBefore = sha256(file);

  it('counts what the snapshot holds, as the snapshot says', async () => {
    stats = await snapshotStats(file, { logs: 'full', search: true, templates: null });
    const db = querySnapshot(file);
    const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    const buildbot = archive === 'buildbot';
    expect(stats.rows).toEqual({
      builders: count('builders'),
      workers: count(buildbot ? 'workers' : 'slaves'),
      masters: count('masters'),
      builds: count('builds'),
      steps: count('steps'),
      sourcestamps: count('sourcestamps'),
      changes: count('changes'),
    });
    expect(stats.logs).toEqual(
      buildbot
        ? {
            logs: count('logs'),
            lines: db.prepare('SELECT sum(num_lines) FROM logs').pluck().get(),
            storedBytes: db.prepare('SELECT sum(length(content)) FROM logchunks').pluck().get(),
          }
        : { logs: 0, lines: 0, storedBytes: 0 },
    );
    db.close();
  });

  it("says exactly how many pages the archive has, and nearly its files and bytes", async () => {
    const out = await fixtureArchive(archive);
    const files = archiveFiles(out).filter((path) => !path.startsWith('.copra/'));
    const bytes = files.reduce((sum, path) => sum + statSync(join(out, path)).size, 0);
    expect(stats.total.pages).toBe(files.filter((path) => !notAPage(path)).length);
    expect(Math.abs(stats.total.files - files.length) / files.length).toBeLessThan(0.01);
    // A sample of each kind's pages rendered, scaled: within 15 % of the real archive.
    expect(Math.abs(stats.total.bytes - bytes) / bytes).toBeLessThan(0.15);
    const builds = stats.parts.find((part) => part.name === 'build')!;
    expect(builds.pages).toBe(stats.rows.builds);
    expect(builds.bytes).toBeGreaterThan(0);
    expect(stats.seconds).toBeCloseTo(stats.total.pages / (stats.pagesPerSecondPerJob * stats.jobs));
  });

  it('writes nothing: the snapshot is as it was, and no scratch folder is left', () => {
    expect(sha256(file)).toBe(snapshotBefore);
    expect(leftovers()).toEqual(leftBefore);
    expect(existsSync(join(tmpdir(), 'copra-not-written'))).toBe(false);
  });

  it('leaves out the log pages with --logs summary, and the search with --no-search', async () => {
    const fewer = await snapshotStats(file, { logs: 'summary', search: false, templates: null });
    const logPages = stats.parts.find((part) => part.name === 'log')?.pages ?? 0;
    expect(archive === 'buildbot' ? logPages : 0).toBe(stats.logs.logs);
    expect(fewer.total.pages).toBe(stats.total.pages - logPages);
    expect(fewer.parts.map((part) => part.name)).not.toContain('log');
    expect(fewer.parts.map((part) => part.name)).not.toContain('search index');
    expect(stats.parts.map((part) => part.name)).toContain('search index');
  });
});

describe('copra stats on the command line', () => {
  const { file } = FIXTURES.find((fixture) => fixture.archive === 'statusdb')!;

  it('prints the counts and a table of the archive, or all of it as JSON', async () => {
    const text = captured();
    expect(await main(['stats', file, '--jobs', '2'], text.io)).toBe(0);
    const json = captured();
    expect(await main(['stats', file, '--jobs', '2', '--json'], json.io)).toBe(0);
    const stats = JSON.parse(json.stdout()) as SnapshotStats;
    const total = text.stdout().split('\n').find((line) => line.trim().startsWith('total'))!;
    expect(total.trim().split(/\s+/).slice(1, 3)).toEqual([stats.total.pages, stats.total.files].map((n) => n.toLocaleString('en-US')));
    expect(text.stdout()).toContain(`${stats.rows.builds.toLocaleString('en-US')} builds of ${stats.rows.builders} builders`);
    expect(text.stdout()).toMatch(/Building it takes about \S+ with 2 render processes/);
    expect(text.stderr()).toBe('');
  });

  it('refuses what is not a snapshot, a damaged one, and bad options, in one line', async () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'notes.txt'), 'not a database\n');
    // Damage where stats reads last: the steps, which stay in the snapshot.
    const damaged = fixtureCopy(file, dir, 'damaged.sqlite');
    const db = new Database(damaged);
    const stepsRoot = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'steps'").pluck().get() as number;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.close();
    const bytes = readFileSync(damaged);
    bytes.fill(0xff, (stepsRoot - 1) * pageSize + 200, stepsRoot * pageSize - 200);
    writeFileSync(damaged, bytes);
    for (const [args, message] of [
      [[damaged], /damaged\.sqlite is damaged: SQLite says/],
      [[join(dir, 'notes.txt')], /notes\.txt is not an SQLite database/],
      [[join(dir, 'missing.sqlite')], /no such file/],
      [[file, '--logs', 'some'], /--logs takes full, summary or none/],
      [[], /copra stats takes one snapshot file/],
    ] as const) {
      const run = captured();
      expect(await main(['stats', ...args], run.io)).toBe(2);
      expect(run.stderr()).toMatch(message);
      expect(run.stderr()).not.toMatch(/\n\s+at /);
    }
  });
});
