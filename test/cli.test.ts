import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { main, warningLines } from '../src/cli.ts';
import { BUILDBOT_FIXTURE, REPO, STATUSDB_FIXTURE, captured, readPage, scratchDir, text } from './helpers/archive.ts';


/** Names and contents of every file in a folder: what "unchanged" means. */
function folderState(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir).map((name) => [name, createHash('sha256').update(readFileSync(join(dir, name))).digest('hex')]),
  );
}

describe('copra build on bad input', () => {
  const dir = scratchDir();
  const unrelated = join(dir, 'unrelated.sqlite');
  const db = new Database(unrelated);
  db.exec('CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT)');
  db.close();
  writeFileSync(join(dir, 'empty.sqlite'), '');
  writeFileSync(join(dir, 'notes.txt'), 'these are not the builds you are looking for\n');
  writeFileSync(join(dir, 'dump.sql.gz'), gzipSync('-- MySQL dump 10.13\n'));

  it.each([
    ['a missing file', 'missing.sqlite', /cannot read the snapshot \(no such file\)/],
    ['an empty file', 'empty.sqlite', /is empty/],
    ['a text file', 'notes.txt', /is not an SQLite database/],
    ['a MySQL dump', 'dump.sql.gz', /looks like a MySQL dump.*copra import/],
    ['an SQLite file of another schema', 'unrelated.sqlite', /neither buildbot's tables .* nor statusdb's/],
  ])('rejects %s with one line naming the file, exit code 2 and no output', async (_what, name, message) => {
    const out = join(dir, `out-${name}`);
    const run = captured();
    const code = await main(['build', join(dir, name), '--out', out], run.io);
    expect(code).toBe(2);
    const lines = run.stderr().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(join(dir, name));
    expect(lines[0]).toMatch(message);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((entry) => entry.includes('.copra-tmp-'))).toEqual([]);
  });

  it('explains usage mistakes', async () => {
    for (const argv of [[], ['frobnicate'], ['build'], ['build', 'a', 'b'], ['build', 'x', '--jobs', '0'], ['build', '--nope']]) {
      const run = captured();
      expect(await main(argv, run.io), argv.join(' ')).toBe(2);
      expect(run.stderr()).toMatch(/^copra: .*\nRun "copra help" for usage\.\n$/s);
    }
  });

  it('refuses to replace a directory that is not an archive', async () => {
    const out = join(dir, 'precious');
    mkdirSync(out);
    writeFileSync(join(out, 'thesis.tex'), 'years of work');
    const run = captured();
    expect(await main(['build', STATUSDB_FIXTURE, '--out', out], run.io)).toBe(2);
    expect(run.stderr()).toContain('does not look like a copra archive');
    expect(readdirSync(out)).toEqual(['thesis.tex']);
  });
});

describe('copra build from the command line', () => {
  it('reads a WAL snapshot with a live -wal file completely and leaves its folder as it was, run from another directory', () => {
    const dir = scratchDir();
    const live = join(dir, 'live');
    const snapshotDir = join(dir, 'snapshot');
    mkdirSync(live);
    mkdirSync(snapshotDir);
    copyFileSync(BUILDBOT_FIXTURE, join(live, 'state.sqlite'));
    // A master that died mid-write leaves committed rows only in its -wal file.
    const master = new Database(join(live, 'state.sqlite'));
    master.pragma('wal_autocheckpoint = 0');
    const newId = (master.prepare('SELECT max(id) + 1 FROM builds').pluck().get() as number);
    master
      .prepare(
        `INSERT INTO builds (id, number, builderid, buildrequestid, workerid, masterid, started_at, complete_at, state_string, results)
         SELECT ?, number + 100000, builderid, buildrequestid, workerid, masterid, started_at, complete_at, 'only in the wal', results
         FROM builds WHERE id = 1`,
      )
      .run(newId);
    copyFileSync(join(live, 'state.sqlite'), join(snapshotDir, 'state.sqlite'));
    copyFileSync(join(live, 'state.sqlite-wal'), join(snapshotDir, 'state.sqlite-wal'));
    master.close();
    const before = folderState(snapshotDir);

    const out = join(dir, 'dist');
    const run = spawnSync(process.execPath, [join(REPO, 'bin', 'copra.js'), 'build', join(snapshotDir, 'state.sqlite'), '--out', out, '--logs', 'none'], {
      encoding: 'utf8',
      env: { ...process.env, CI: 'true' },
      // Not the checkout: templates are found from copra's own files, whatever the working directory.
      cwd: dir,
    });
    expect(run.stderr).toContain('buildbot state.sqlite (alembic 059)');
    expect(run.stderr).toMatch(/Rendering: \d+ pages in/);
    expect(run.stdout).toMatch(/^Wrote \d+ pages to .* 0 warnings\.\n$/);
    expect(run.status).toBe(0);

    expect(text(readPage(out, `build/${newId}/`).querySelector('dl.facts'))).toContain('only in the wal');
    expect(folderState(snapshotDir)).toEqual(before);
    expect(readdirSync(dir).filter((entry) => entry.includes('.copra-tmp-'))).toEqual([]);
  });
});

describe('mistakes a new user makes', () => {
  it('names an unknown option in one line, its quotes closed', async () => {
    const run = captured();
    expect(await main(['build', STATUSDB_FIXTURE, '--bogus'], run.io)).toBe(2);
    expect(run.stderr()).toBe('copra: unknown option --bogus.\nRun "copra help" for usage.\n');
  });

  it('refuses an --out that names a file, before reading the snapshot', async () => {
    const dir = scratchDir();
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'keep me\n');
    const run = captured();
    expect(await main(['build', STATUSDB_FIXTURE, '--out', file], run.io)).toBe(2);
    expect(run.stderr()).toBe(`copra: ${file} is a file, not a directory; choose another --out.\n`);
    expect(readFileSync(file, 'utf8')).toBe('keep me\n');
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('says in one line that the port copra serve wants is busy', async () => {
    const { createServer } = await import('node:http');
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as import('node:net').AddressInfo).port;
    const dir = scratchDir();
    try {
      const run = captured();
      expect(await main(['serve', dir, '--port', String(port)], run.io)).toBe(2);
      expect(run.stderr()).toBe(`copra: port ${port} on 127.0.0.1 is in use by another program; choose another with --port N.\n`);

      // npm start: the port is checked before the build, which would take a minute first.
      const starting = captured();
      const out = join(dir, 'dist');
      process.env.PORT = String(port);
      try {
        expect(await main(['serve', out, '--build', STATUSDB_FIXTURE], starting.io)).toBe(2);
      } finally {
        delete process.env.PORT;
      }
      expect(starting.stderr()).toBe(`copra: port ${port} on 127.0.0.1 is in use by another program; choose another with --port N.\n`);
      expect(existsSync(out)).toBe(false);
    } finally {
      busy.close();
    }
  });
});

describe('warningLines', () => {
  it('shows ten warnings of a kind and counts the rest, kind by kind', () => {
    const encoding = Array.from({ length: 25 }, (_, index) => ({ problem: 'encoding' as const, detail: `page build/${index}/` }));
    const lines = warningLines([...encoding, { problem: 'orphan', detail: 'worker 7' }]);
    expect(lines).toEqual([
      'rows naming a row the snapshot lacks: worker 7',
      ...encoding.slice(0, 10).map(({ detail }) => `pages with text that is not UTF-8: ${detail}`),
      'pages with text that is not UTF-8: 15 more, marked on their pages',
    ]);
  });
});
