/**
 * copra's record upgrades in place: a record written by an older copra (committed under
 * test/fixtures/records/, one per format) is upgraded by this one to the schema of a new record
 * (history.test.ts builds archives on them). A record of a newer copra is refused, untouched; a
 * kill during an upgrade leaves the old record as it was.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRoomFor } from '../../src/archiveDir.ts';
import { main } from '../../src/cli.ts';
import { MIGRATIONS, RECORD_FORMAT, upgradeRecord } from '../../src/record/migrations/index.ts';
import { newRecordDdl } from '../../src/record/schema.ts';
import { FIRST_RECORD_FORMAT, RECORDINGS, type Recording, archiveWithRecord } from '../fixtures/records/cuts.ts';
import { REPO, STATUSDB_FIXTURE, captured, copraLeftovers, scratchDir } from '../helpers/archive.ts';

/** The formats of which a record is committed: every format before this copra's. */
const committedFormats = readdirSync(join(REPO, 'test', 'fixtures', 'records'))
  .map((name) => /^format-(\d+)$/.exec(name)?.[1])
  .filter((format) => format !== undefined)
  .map(Number)
  .sort((a, b) => a - b);

/** Each committed record: its format and recording. */
const committedRecords = committedFormats.flatMap((format) =>
  readdirSync(join(REPO, 'test', 'fixtures', 'records', `format-${format}`))
    .map((name) => /^(\w+)\.sqlite\.br$/.exec(name)?.[1])
    .filter((recording) => RECORDINGS.includes(recording as Recording))
    .map((recording) => [format, recording as Recording] as const),
);

/** A record's tables and indexes as SQLite describes them: what "the same schema" means. */
function schemaOf(db: Database.Database): Record<string, unknown> {
  const objects = db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all() as {
    type: string;
    name: string;
    tbl_name: string;
    sql: string | null;
  }[];
  return Object.fromEntries(
    objects.map(({ type, name, tbl_name: table, sql }) => [
      `${type} ${name}`,
      type === 'table'
        ? {
            columns: db.prepare(`PRAGMA table_xinfo(${name})`).all(),
            withoutRowid: (db.prepare('SELECT wr FROM pragma_table_list WHERE name = ?').pluck().get(name) as number) === 1,
          }
        : {
            table,
            columns: db.prepare(`PRAGMA index_xinfo(${name})`).all(),
            // A partial index's condition, as written.
            where: /\bWHERE\b(.*)$/is.exec(sql ?? '')?.[1]?.replace(/\s+/g, ' ').trim() ?? null,
          },
    ]),
  );
}

describe('the migrations', () => {
  it('lead from format 1 to this copra’s format one step at a time', () => {
    expect(MIGRATIONS.map((migration) => migration.to)).toEqual(Array.from({ length: RECORD_FORMAT - 1 }, (_, index) => index + 2));
  });

  it('keep a committed record of every format before this one, of both recordings', () => {
    expect(committedFormats).toEqual(Array.from({ length: RECORD_FORMAT - 1 }, (_, index) => index + 1));
  });

  it('keep the records of every recording in every format from its first', () => {
    for (const format of committedFormats) {
      const expected = RECORDINGS.filter((recording) => FIRST_RECORD_FORMAT[recording] <= format);
      expect(committedRecords.filter((record) => record[0] === format).map((record) => record[1]).sort()).toEqual([...expected].sort());
    }
  });

  it.each(committedRecords)(
    'upgrade the %s-format %s record to the schema of a new record',
    (format, recording) => {
      const out = archiveWithRecord(format, recording, scratchDir('copra-migrate-'));
      const db = new Database(join(out, '.copra', 'record.sqlite'));
      const fresh = new Database(':memory:');
      try {
        expect(db.prepare("SELECT value FROM meta WHERE key = 'format'").pluck().get()).toBe(String(format));
        expect(upgradeRecord(db, format)).toMatchObject({ from: format, to: RECORD_FORMAT });
        expect(db.prepare("SELECT value FROM meta WHERE key = 'format'").pluck().get()).toBe(String(RECORD_FORMAT));
        fresh.exec(newRecordDdl());
        expect(schemaOf(db)).toEqual(schemaOf(fresh));
      } finally {
        db.close();
        fresh.close();
      }
    },
  );
});

describe('a record copra cannot read as it is', () => {
  it('of a newer copra is refused in one line, exit code 2, the record untouched', async () => {
    const dir = scratchDir('copra-migrate-');
    const out = archiveWithRecord(1, 'statusdb', dir);
    const recordFile = join(out, '.copra', 'record.sqlite');
    const db = new Database(recordFile);
    db.prepare("UPDATE meta SET value = ? WHERE key = 'format'").run(String(RECORD_FORMAT + 1));
    db.close();
    const bytes = readFileSync(recordFile);
    const io = captured();
    expect(await main(['build', STATUSDB_FIXTURE, '--out', out], io.io)).toBe(2);
    expect(io.stderr()).toBe(
      `copra: ${out}/.copra/record.sqlite was built by a newer copra (record format ${RECORD_FORMAT + 1}); this copra reads up to format ${RECORD_FORMAT}: upgrade copra.\n`,
    );
    expect(readFileSync(recordFile).equals(bytes)).toBe(true);
    expect(copraLeftovers(dir)).toEqual([]);
  });

  it('is not copied where the disk lacks the room: said before anything is written', () => {
    const dir = scratchDir('copra-room-');
    const file = join(dir, 'record.sqlite');
    writeFileSync(file, Buffer.alloc(3_000_000));
    expect(() => checkRoomFor(file, dir, () => 1_000_000)).toThrow(
      `${dir}: 1.0 MB free, but the update works on a copy of copra's record (${file}, 3.0 MB); free some space there and build again.`,
    );
    expect(() => checkRoomFor(file, dir, () => 3_000_000)).not.toThrow();
  });
});

describe('an upgrade killed with SIGKILL', () => {
  it('leaves the old record as it was, and the next build upgrades it from the start', async () => {
    const dir = scratchDir('copra-migrate-kill-');
    const out = archiveWithRecord(1, 'statusdb', dir);
    const recordFile = join(out, '.copra', 'record.sqlite');
    const before = readFileSync(recordFile);
    // The upgrade pauses after its steps, inside its transaction, long enough to be killed there.
    const copra = spawn(process.execPath, [join(REPO, 'bin', 'copra.js'), 'build', STATUSDB_FIXTURE, '--out', out, '--no-search'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, COPRA_TEST_MIGRATION_PAUSE_MS: '60000' },
    });
    const exit = new Promise((resolve) => copra.on('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      let said = '';
      copra.stderr!.on('data', (data: Buffer) => {
        said += data.toString();
        if (said.includes("upgrading copra's record from format 1")) resolve();
      });
      void exit.then(() => reject(new Error(`copra exited before upgrading:\n${said}`)));
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    copra.kill('SIGKILL');
    await exit;
    expect(readFileSync(recordFile).equals(before)).toBe(true);

    const io = captured();
    expect(await main(['build', STATUSDB_FIXTURE, '--out', out, '--no-search'], io.io)).toBe(0);
    expect(io.stdout()).toMatch(new RegExp(`^copra's record upgraded from format 1 to ${RECORD_FORMAT} in \\d+\\.\\d s\\.$`, 'm'));
    expect(copraLeftovers(dir)).toEqual([]);
  });
});
