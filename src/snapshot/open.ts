import type Database from 'better-sqlite3';
import { copyFileSync, existsSync, closeSync, openSync, readSync, statSync, constants } from 'node:fs';
import { basename, join } from 'node:path';
import { CopraError } from '../errors.ts';
import { BuildbotTranslator, isBuildbot } from './buildbotTranslator.ts';
import { StatusdbTranslator, isStatusdb } from './statusdbTranslator.ts';
import { SNAPSHOT_SCHEMA, type Translator } from './translator.ts';

const EXPECTED = 'expected a buildbot state.sqlite (0.9–4.x) or a Mozilla statusdb SQLite file';
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
/** Offset of the file format bytes in the SQLite header: 2 means WAL mode. */
const WRITE_VERSION_OFFSET = 18;

function readHeader(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(100);
    const length = readSync(fd, header, 0, header.length, 0);
    return header.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/** Checks that `file` is a readable SQLite database, or says what it is instead. */
function checkSqliteFile(file: string): Buffer {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new CopraError(`${file} is not a file; ${EXPECTED}.`);
    size = stat.size;
  } catch (error) {
    if (error instanceof CopraError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code;
    throw new CopraError(`${file}: cannot read the snapshot (${why}); ${EXPECTED}.`);
  }
  if (size === 0) throw new CopraError(`${file} is empty; ${EXPECTED}.`);
  const header = readHeader(file);
  if (header.subarray(0, GZIP_MAGIC.length).equals(GZIP_MAGIC) || /^(--|\/\*)/.test(header.toString('latin1'))) {
    throw new CopraError(
      `${file} looks like a MySQL dump, not an SQLite file; convert it first: copra import ${file} -o snapshot.sqlite`,
    );
  }
  if (!header.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) {
    throw new CopraError(`${file} is not an SQLite database; ${EXPECTED}.`);
  }
  const expectedSize = declaredSize(header);
  if (expectedSize !== null && size < expectedSize) {
    throw new CopraError(
      `${file} is truncated: its header says ${expectedSize} bytes, the file has ${size}; ${TAKE_A_SNAPSHOT}`,
    );
  }
  return header;
}

/** How to get a readable snapshot: what the refusals of a damaged or live database advise. */
const TAKE_A_SNAPSHOT =
  'take a new snapshot with SQLite\'s online backup (sqlite3 state.sqlite ".backup snapshot.sqlite") and build that. Nothing was written.';

/**
 * The size the header declares (page size × page count), or null when the header does not vouch
 * for its page count: SQLite trusts it only when the "version valid for" number matches the
 * change counter (a database last written by very old SQLite versions may not).
 */
function declaredSize(header: Buffer): number | null {
  if (header.length < 100 || header.readUInt32BE(92) !== header.readUInt32BE(24)) return null;
  const pageSize = header.readUInt16BE(16) === 1 ? 65_536 : header.readUInt16BE(16);
  const pages = header.readUInt32BE(28);
  return pages > 0 ? pageSize * pages : null;
}

/**
 * Returns a path that can be opened read-only without touching the snapshot's folder.
 *
 * SQLite creates `-shm` (and `-wal`) files beside a WAL-mode database even when it opens it
 * read-only, and it must replay a live `-wal` to see the latest rows. Such snapshots are copied
 * with their `-wal` into `workDir` and read there; other files are read in place.
 */
export function readableSnapshotPath(file: string, workDir: string): string {
  const header = checkSqliteFile(file);
  const walMode = header[WRITE_VERSION_OFFSET] === 2;
  const sidecars = ['-wal', '-journal'].filter((suffix) => existsSync(file + suffix));
  if (!walMode && sidecars.length === 0) return file;
  const copy = join(workDir, basename(file));
  copyFileSync(file, copy, constants.COPYFILE_FICLONE);
  for (const suffix of sidecars) copyFileSync(file + suffix, copy + suffix, constants.COPYFILE_FICLONE);
  return copy;
}

/**
 * Attaches the snapshot at `path` (as returned by `readableSnapshotPath`) to `db` as
 * SNAPSHOT_SCHEMA and returns its translator, or a refusal that says what the file is instead.
 */
export function attachSnapshot(db: Database.Database, path: string, displayName: string): Translator {
  try {
    db.prepare(`ATTACH DATABASE ? AS ${SNAPSHOT_SCHEMA}`).run(path);
    if (isBuildbot(db, SNAPSHOT_SCHEMA)) return new BuildbotTranslator(db);
    if (isStatusdb(db, SNAPSHOT_SCHEMA)) return new StatusdbTranslator(db);
  } catch (error) {
    throw unreadableSnapshot(displayName, error) ?? new CopraError(`${displayName}: SQLite cannot read it (${(error as Error).message}); ${EXPECTED}.`, 2, { cause: error });
  }
  throw new CopraError(
    `${displayName} is an SQLite database, but has neither buildbot's tables (builds with builderid, steps, builders) ` +
      `nor statusdb's (builds with buildnumber and builder_id, steps, properties, build_properties); ${EXPECTED}.`,
  );
}

/**
 * Runs `read` over an attached snapshot, turning SQLite's complaints about the file into a
 * refusal. Damage is found where copra reads — every row it archives — so a snapshot damaged there
 * is refused before anything is written; `PRAGMA quick_check` would read the whole file again, which
 * at Mozilla's size takes minutes.
 */
export function readingSnapshot<T>(displayName: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw unreadableSnapshot(displayName, error) ?? error;
  }
}

/** The refusal for an SQLite error that says the snapshot is damaged, locked or unreadable; null for others. */
export function unreadableSnapshot(displayName: string, error: unknown): CopraError | null {
  const code = (error as { code?: string }).code ?? '';
  const said = (error as Error).message;
  if (/^SQLITE_(BUSY|LOCKED)/.test(code)) {
    return new CopraError(
      `${displayName} is locked by another program (a buildbot master writing to it?) and SQLite cannot read it (${said}); ` +
        `copra reads a snapshot, not a live database: ${TAKE_A_SNAPSHOT}`,
      2,
      { cause: error },
    );
  }
  if (/^SQLITE_(CORRUPT|NOTADB)/.test(code)) {
    return new CopraError(`${displayName} is damaged: SQLite says "${said}" while reading it; ${TAKE_A_SNAPSHOT}`, 2, { cause: error });
  }
  if (/^SQLITE_IOERR/.test(code)) return new CopraError(`${displayName} cannot be read: SQLite says "${said}". Nothing was written.`, 2, { cause: error });
  return null;
}
