import Database from 'better-sqlite3';
import { existsSync, mkdtempSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CopraError } from '../errors.ts';
import type { SchemaInfo, SchemaKind } from '../model/types.ts';
import { attachSnapshot, readableSnapshotPath, readingSnapshot } from '../snapshot/open.ts';
import { type Translator, copyLogChunks, fillStatement } from '../snapshot/translator.ts';
import { type MergeReport, UPDATE_SCOPE, mergeIncoming } from './merge.ts';
import { RECORD_FORMAT, REREAD, type Upgrade, readableFormat, upgradeRecord } from './migrations/index.ts';
import { RecordReader } from './reader.ts';
import { newRecordDdl, recordDdl } from './schema.ts';
import { recordSignatures } from './signatures.ts';

/**
 * Where an archive keeps its record: a dot-directory that deploying the archive does not need
 * (deleting it costs only the memory of pruned history; the next build starts a new record).
 */
export const RECORD_DIR = '.copra';
export const RECORD_FILE = 'record.sqlite';

export function recordPathIn(archiveDir: string): string {
  return join(archiveDir, RECORD_DIR, RECORD_FILE);
}

interface Meta {
  format: string;
  family: SchemaKind;
  description: string;
  /** The tables the latest snapshot lacked, as a JSON list. */
  absentTables: string;
  title: string;
  /** What the pages were last rendered with, as the build describes it (options, copra's templates). */
  rendering: string;
}

function readMeta(db: Database.Database): Partial<Meta> {
  const rows = db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[];
  return Object.fromEntries(rows.map((row) => [row.key, row.value]));
}

function writeMeta(db: Database.Database, meta: Meta): void {
  const put = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
  for (const [key, value] of Object.entries(meta)) put.run(key, value);
}

export interface UpdateOptions {
  /** The snapshot's name as the user gave it, for messages. */
  snapshotName: string;
  /** The archive's directory, for messages. */
  archiveName: string;
  /** The title of a new record, or the new title of an existing one. */
  title?: string;
  /** A default title for a new record. */
  defaultTitle: string;
  /** A scratch file for the translated snapshot, when the record already has rows. */
  stagingPath: string;
  /** What the pages are rendered with, kept in the record for the next build to compare. */
  rendering: string;
  /** Told after each statement of the translation: steps done, and how many there are. */
  onProgress?: (done: number, total: number) => void;
  /** Told before an upgrade of an older record starts. */
  onUpgrade?: (from: number, to: number) => void;
}

export interface UpdateReport {
  schema: SchemaInfo;
  title: string;
  /** Null for a new record; otherwise the rows the update changed are in the record's delta table. */
  merge: MergeReport | null;
  /** What the archive's pages were rendered with before, or null for a new record. */
  previousRendering: string | null;
  /** The upgrade of a record an older copra wrote, or null when it was current (or new). */
  upgrade: Upgrade | null;
}

/**
 * Reads the snapshot at `snapshotPath` into the record at `recordPath`, creating the record if
 * needed. The caller works on a copy of the archive's record: a refusal or failure here leaves the
 * archive's own record as it was. The snapshot is attached, never written.
 */
export function updateRecord(recordPath: string, snapshotPath: string, options: UpdateOptions): UpdateReport {
  const isNew = !existsSync(recordPath);
  const db = new Database(recordPath);
  try {
    return readSnapshot(db, isNew, snapshotPath, options).report;
  } finally {
    db.close();
  }
}

/**
 * Reads the snapshot into the record `db` holds (empty when `isNew`), which keeps it attached.
 * Tables named `inSnapshot` are not copied into a new record: its reader reads them from the snapshot.
 */
function readSnapshot(
  db: Database.Database,
  isNew: boolean,
  snapshotPath: string,
  options: UpdateOptions & { inSnapshot?: readonly string[] },
): { report: UpdateReport; translator: Translator } {
  if (isNew) db.exec(newRecordDdl());
  const meta = readMeta(db);
  const recordName = `${options.archiveName}/${RECORD_DIR}/${RECORD_FILE}`;
  const upgrade = isNew ? null : upgradeRecord(db, readableFormat(meta.format, recordName), options.onUpgrade);
  const translator = attachSnapshot(db, snapshotPath, options.snapshotName);
  const refuse = (why: string) =>
    new CopraError(
      `${options.snapshotName} is not a snapshot of the CI archived in ${options.archiveName} (${why}); ` +
        'build it into another --out, or pass --fresh to replace the archive with this snapshot alone.',
    );
  if (meta.family && meta.family !== translator.schema.kind) {
    throw refuse(`the archive holds a ${meta.family} history, the snapshot is ${translator.schema.description}`);
  }
  const title = options.title ?? meta.title ?? options.defaultTitle;
  /** Runs statements one by one, telling progress: a fresh translation takes minutes at scale. */
  const run = (statements: (string | null)[]) => {
    const steps = statements.filter((sql) => sql !== null);
    steps.forEach((sql, index) => {
      db.exec(sql);
      options.onProgress?.(index + 1, steps.length);
    });
  };
  let merge: MergeReport | null = null;
  const translate = db.transaction(() => {
    const hasRows = !isNew && (db.prepare('SELECT count(*) FROM main.builds').pluck().get() as number) > 0;
    if (!hasRows) {
      const copied = translator.translation('main', null).filter((fill) => !options.inSnapshot?.includes(fill.table));
      const chunks = options.inSnapshot?.includes('logchunks') ? null : copyLogChunks(translator, 'main', 'SELECT id FROM main.logs');
      run([...copied.map((fill) => fillStatement('main', fill)), chunks]);
      // Tables left in the snapshot are read through views, made once this returns (memoryRecord).
      if (!options.inSnapshot) recordSignatures(db, 'all');
      // A new record's pages are all rendered: nothing to say of what changed.
      db.exec('DELETE FROM main.delta');
    } else {
      db.prepare('ATTACH DATABASE ? AS incoming').run(options.stagingPath);
      db.exec(recordDdl('incoming'));
      // After an upgrade that added what only a snapshot has, every row is read once.
      const reread = (db.prepare('SELECT count(*) FROM main.meta WHERE key = ?').pluck().get(REREAD) as number) > 0;
      run(translator.translation('incoming', reread ? null : UPDATE_SCOPE).map((fill) => fillStatement('incoming', fill)));
      const mismatch = sameCiMismatch(db, translator);
      if (mismatch) throw refuse(mismatch);
      merge = mergeIncoming(db, translator);
      recordSignatures(db, 'changed');
    }
    db.prepare('DELETE FROM main.meta WHERE key = ?').run(REREAD);
    writeMeta(db, {
      format: String(RECORD_FORMAT),
      family: translator.schema.kind,
      description: translator.schema.description,
      absentTables: JSON.stringify(translator.schema.absentTables),
      title,
      rendering: options.rendering,
    });
  });
  readingSnapshot(options.snapshotName, () => translate());
  return { report: { schema: translator.schema, title, merge, previousRendering: isNew ? null : (meta.rendering ?? ''), upgrade }, translator };
}

/**
 * Why the snapshot (translated into `incoming`) is another CI than the record's, or null when it is
 * the same one: no master in common, or a build id whose builder, number or start time differ from the archived build's.
 * Every snapshot build is compared, not only those an update translates: a master restarted on a
 * fresh database reuses the ids of settled builds.
 */
function sameCiMismatch(db: Database.Database, translator: Translator): string | null {
  const masters = db
    .prepare(
      `SELECT (SELECT count(*) FROM main.masters) AS archived, (SELECT count(*) FROM incoming.masters) AS incoming,
              (SELECT count(*) FROM incoming.masters i JOIN main.masters m ON m.name IS i.name) AS shared`,
    )
    .get() as { archived: number; incoming: number; shared: number };
  if (masters.archived > 0 && masters.incoming > 0 && masters.shared === 0) return 'no master in common';
  const build = db
    .prepare(
      `SELECT i.id, i.builderid, i.number, m.builderid AS archivedBuilder, m.number AS archivedNumber
       FROM (${translator.buildIdentities()}) i JOIN main.builds m ON m.id = i.id
       WHERE i.builderid <> m.builderid OR i.number <> m.number
          OR (i.started_at <> m.started_at AND i.started_at IS NOT NULL AND m.started_at IS NOT NULL)
       ORDER BY i.id LIMIT 1`,
    )
    .get() as { id: number; builderid: number; number: number; archivedBuilder: number; archivedNumber: number } | undefined;
  if (!build) return null;
  return (
    `build id ${build.id} is build ${build.number} of builder ${build.builderid} there, ` +
    `but the archive has build ${build.archivedNumber} of builder ${build.archivedBuilder}, or another start time`
  );
}

/** How many builds a record holds (0 for none). */
export function archivedBuildCount(recordPath: string): number {
  if (!existsSync(recordPath)) return 0;
  const db = new Database(recordPath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT count(*) FROM builds').pluck().get() as number;
  } finally {
    db.close();
  }
}

/** Opens a record for reading: what every page model reads. */
export function openRecord(recordPath: string): RecordReader {
  return recordOf(new Database(recordPath, { readonly: true, fileMustExist: true }));
}

function recordOf(db: Database.Database): RecordReader {
  const meta = readMeta(db) as Meta;
  const schema = { kind: meta.family, description: meta.description, absentTables: JSON.parse(meta.absentTables ?? '[]') as string[] };
  return new RecordReader(db, schema, meta.title);
}

/**
 * The record of the snapshot at `snapshotPath` (as returned by readableSnapshotPath) alone, made in
 * memory: what `copra stats` plans from, writing nothing. Steps and log chunks, the largest
 * tables, stay in the snapshot, read through views: copying them would cost the time and memory of
 * all of them, of which stats reads a few builds' worth. Closing the record detaches the snapshot.
 */
export function memoryRecord(snapshotFile: string, snapshotPath: string): RecordReader {
  const db = new Database(':memory:');
  try {
    /** The tables left in the snapshot, and the columns its indexes should serve (the record's). */
    const keys: Record<string, string[]> = { steps: ['id', 'buildid'], logchunks: ['logid'] };
    const inSnapshot = Object.keys(keys);
    const { translator } = readSnapshot(db, true, snapshotPath, {
      snapshotName: snapshotFile,
      archiveName: 'memory',
      defaultTitle: basename(snapshotFile),
      stagingPath: '',
      rendering: '',
      inSnapshot,
    });
    const views = translator.translation('main', null).filter((fill) => inSnapshot.includes(fill.table));
    const chunks = translator.logChunkRows();
    if (chunks) views.push({ table: 'logchunks', rows: chunks });
    for (const { table, rows } of views) {
      const columns = (db.prepare(`PRAGMA main.table_info(${table})`).all() as { name: string }[]).map((column) => column.name);
      // SQLite picks indexes without statistics of the snapshot: a step's `results` would be
      // looked up through statusdb's index on status, scanning every failed step. A unary plus
      // keeps a column from any index, so only the keys' are used.
      const selected = columns.map((column) => (keys[table]!.includes(column) ? column : `+${column} AS ${column}`));
      db.exec(`
        DROP TABLE main.${table};
        CREATE TEMP VIEW ${table}_rows (${columns.join(', ')}) AS ${rows};
        CREATE TEMP VIEW ${table} AS SELECT ${selected.join(', ')} FROM ${table}_rows;`);
    }
    recordSignatures(db, 'all');
    return recordOf(db);
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * The record of one snapshot alone, made in `workDir` (which must exist): how tests and tools
 * read a snapshot the way pages see it.
 */
export function snapshotRecord(snapshotFile: string, workDir: string): RecordReader {
  const dir = mkdtempSync(join(workDir, 'record-'));
  const recordPath = join(dir, RECORD_FILE);
  updateRecord(recordPath, readableSnapshotPath(snapshotFile, dir), {
    snapshotName: snapshotFile,
    archiveName: dir,
    defaultTitle: basename(snapshotFile),
    stagingPath: join(dir, 'incoming.sqlite'),
    rendering: '',
  });
  return openRecord(recordPath);
}
