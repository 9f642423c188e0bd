/**
 * copra's record upgrades in place, one step per format, as buildbot's own database does (alembic,
 * master/buildbot/db/migrations/versions/): opening a record of an older format runs the steps it
 * lacks, in order, in one transaction on the copy an update works on, so an archive kept for
 * years survives every new copra with its history. A step's SQL is frozen as it was written: the
 * schema of a new record (schema.ts) moves on, a step never does.
 *
 * A change to the record's tables is one more module here and one more entry in MIGRATIONS; a
 * test upgrades the committed record of every older format (test/fixtures/records/) and requires
 * the schema of a new record.
 */
import type Database from 'better-sqlite3';
import { CopraError } from '../../errors.ts';
import { recordSignatures } from '../signatures.ts';
import { format2 } from './format2.ts';
import { format3 } from './format3.ts';
import { format4 } from './format4.ts';
import { format5 } from './format5.ts';

export interface Migration {
  /** The format the step leads to, from the one before it. */
  readonly to: number;
  /** What the step adds, for people. */
  readonly adds: string;
  /** Turns a record of format `to - 1` into one of format `to`, inside the runner's transaction. */
  up(db: Database.Database): void;
  /**
   * Data derived from what the record holds that the step makes (or whose derivation changed):
   * computed once the record has reached this copra's format, by this copra's code, whatever
   * later steps changed in its tables.
   */
  readonly derives?: readonly Derived[];
  /**
   * Whether the step adds what only a snapshot has (a column copra never copied): the next update
   * then reads every row the snapshot holds, not only what changed, so that the record of the same
   * snapshot is the record a new build of it makes.
   */
  readonly rereads?: boolean;
}

/** The `meta` key that asks the next update to read the whole snapshot (Migration.rereads). */
export const REREAD = 'reread';

/** What a record derives from its own rows, and how this copra computes it anew. */
const DERIVED = {
  signatures: (db: Database.Database) => {
    db.exec('DELETE FROM signatures; DELETE FROM step_signatures; DELETE FROM build_signatures;');
    recordSignatures(db, 'all');
  },
} as const;
export type Derived = keyof typeof DERIVED;

/** Every step, in order: the first leads from format 1, the record copra wrote before migrations. */
export const MIGRATIONS: readonly Migration[] = [format2, format3, format4, format5];

/** The format this copra writes: the one its last step leads to. */
export const RECORD_FORMAT = MIGRATIONS.at(-1)?.to ?? 1;

/** An upgrade that ran: from which format to which, and how long it took. */
export interface Upgrade {
  from: number;
  to: number;
  seconds: number;
}

/**
 * A pause after each step, in milliseconds, for the tests that kill copra in the middle of an
 * upgrade (nothing else sets it).
 */
const PAUSE_FOR_TESTS = Number(process.env.COPRA_TEST_MIGRATION_PAUSE_MS ?? 0);

/**
 * The record's format as its `meta` table holds it, checked against this copra's: a record of a
 * newer copra is refused, untouched; one without a readable format is damaged.
 */
export function readableFormat(stored: string | undefined, recordName: string): number {
  const format = Number(stored);
  if (stored === undefined || !Number.isInteger(format) || format < 1) {
    throw new CopraError(`${recordName}: copra's record has no readable format (meta holds ${JSON.stringify(stored ?? null)}); it is damaged: restore it from a backup of the archive's .copra/.`);
  }
  if (format > RECORD_FORMAT) {
    throw new CopraError(`${recordName} was built by a newer copra (record format ${format}); this copra reads up to format ${RECORD_FORMAT}: upgrade copra.`);
  }
  return format;
}

/**
 * Upgrades the record `db` holds from `format` to RECORD_FORMAT, in one transaction: a failure or
 * a kill leaves it as it was. `onStart` is told before the first step. Null when it was current.
 */
export function upgradeRecord(db: Database.Database, format: number, onStart?: (from: number, to: number) => void): Upgrade | null {
  if (format === RECORD_FORMAT) return null;
  const started = Date.now();
  onStart?.(format, RECORD_FORMAT);
  const setFormat = db.prepare("UPDATE meta SET value = ? WHERE key = 'format'");
  db.transaction(() => {
    const derived = new Set<Derived>();
    for (const migration of MIGRATIONS.filter((step) => step.to > format)) {
      migration.up(db);
      for (const what of migration.derives ?? []) derived.add(what);
      if (migration.rereads) db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(REREAD, '1');
      setFormat.run(String(migration.to));
      if (PAUSE_FOR_TESTS > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, PAUSE_FOR_TESTS);
    }
    for (const what of derived) DERIVED[what](db);
  })();
  return { from: format, to: RECORD_FORMAT, seconds: (Date.now() - started) / 1000 };
}
