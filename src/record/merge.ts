import type Database from 'better-sqlite3';
import { type TranslationScope, type Translator, copyLogChunks } from '../snapshot/translator.ts';

/** What an update found in the snapshot, against what the archive had. */
export interface MergeReport {
  newBuilds: number;
  finishedBuilds: number;
  /** Archived rows the snapshot no longer has (or has in a pruned form), kept as archived. */
  kept: { builds: number; steps: number; logs: number };
}

/**
 * What an update translates: builds the record does not hold settled (finished, or lost), and
 * sourcestamps and changes it does not hold. A settled build's rows change only by pruning, which
 * the merge would ignore, so reading them again would only cost time.
 */
export const UPDATE_SCOPE: TranslationScope = {
  build: (id) =>
    `NOT EXISTS (SELECT 1 FROM main.builds archived WHERE archived.id = ${id} AND (archived.complete_at IS NOT NULL OR archived.lost = 1))`,
  sourcestamp: (id) => `NOT EXISTS (SELECT 1 FROM main.sourcestamps archived WHERE archived.id = ${id})`,
  change: (id) => `NOT EXISTS (SELECT 1 FROM main.changes archived WHERE archived.id = ${id})`,
  commit: (id) => `NOT EXISTS (SELECT 1 FROM main.codebase_commits archived WHERE archived.id = ${id})`,
};

/** Tables whose rows are replaced by the snapshot's, column by column (a NULL is pruning: kept). */
const UPSERTED = [
  'builders', 'workers', 'masters', 'sourcestamps', 'changes', 'builds', 'steps',
  'projects', 'codebases', 'codebase_commits', 'test_result_sets', 'test_results', 'build_data',
] as const;
/**
 * Columns that say how things are now rather than what happened: the snapshot's value replaces the
 * archived one even when it is NULL (a worker no longer paused has no pause reason).
 */
const CURRENT_STATE: Partial<Record<(typeof UPSERTED)[number], readonly string[]>> = { workers: ['pause_reason'] };
const isCurrentState = (table: (typeof UPSERTED)[number], column: string) => CURRENT_STATE[table]?.includes(column) ?? false;

/** Child rows replaced as a set for each parent (`parentsFrom`, as `id`) the snapshot has them for; kept otherwise. */
const REPLACED_PER_PARENT = [
  { table: 'builder_tags', parent: 'builderid', columns: 'tag', parentsFrom: 'SELECT id FROM incoming.builders' },
  { table: 'build_properties', parent: 'buildid', columns: 'name, value, source', parentsFrom: 'SELECT DISTINCT buildid AS id FROM incoming.build_properties' },
  { table: 'change_files', parent: 'changeid', columns: 'filename', parentsFrom: 'SELECT DISTINCT changeid AS id FROM incoming.change_files' },
] as const;
/** Relations that only accumulate; a new pair is a change of both sides, named in the delta. */
const ACCUMULATED = [
  { table: 'build_sourcestamps', sides: { buildid: 'build_sourcestamps', sourcestampid: 'sourcestamp_builds' } },
  { table: 'stamp_changes', sides: { sourcestampid: 'stamp_changes', changeid: 'change_stamps' } },
] as const;

const columnsOf = (db: Database.Database, table: string) =>
  (db.prepare(`PRAGMA main.table_info(${table})`).all() as { name: string }[]).map((column) => column.name).filter((name) => name !== 'id');

/**
 * Accumulates the snapshot's rows, translated into the `incoming` schema, into the record: what
 * the snapshot has is added or replaces the archived version; what it lost — deleted rows, values
 * set NULL, logs the janitor emptied — stays as archived. What changed is written to the delta
 * table for the pages. The rules live here once, whatever the snapshot's schema.
 */
export function mergeIncoming(db: Database.Database, translator: Translator): MergeReport {
  const count = (sql: string) => db.prepare(sql).pluck().get() as number;
  db.exec('DELETE FROM main.delta');
  const finishedBuilds = count(
    `SELECT count(*) FROM incoming.builds i JOIN main.builds m ON m.id = i.id
     WHERE m.complete_at IS NULL AND i.complete_at IS NOT NULL`,
  );

  // A log is taken from the snapshot unless the snapshot's is a pruned form of the archived one:
  // deleted by the janitor (type d) or shorter. Its chunks are copied again when it grew, or when
  // the archive saw its step running: a live master's chunks run ahead of its line count.
  db.exec(`
    CREATE TEMP TABLE taken_logs (id INTEGER PRIMARY KEY, rechunk INTEGER NOT NULL);
    INSERT INTO taken_logs
      SELECT i.id, m.id IS NULL OR m.type = 'd' OR i.num_lines <> m.num_lines OR i.type <> m.type
        OR EXISTS (SELECT 1 FROM main.steps s WHERE s.id = m.stepid AND s.complete_at IS NULL)
      FROM incoming.logs i LEFT JOIN main.logs m ON m.id = i.id
      WHERE m.id IS NULL OR (i.type <> 'd' AND i.num_lines >= m.num_lines);
  `);
  recordDelta(db);

  for (const table of UPSERTED) {
    const updates = columnsOf(db, table)
      .map((name) => (isCurrentState(table, name) ? `${name} = excluded.${name}` : `${name} = coalesce(excluded.${name}, ${table}.${name})`))
      .join(', ');
    db.exec(`INSERT INTO main.${table} SELECT * FROM incoming.${table} WHERE true ON CONFLICT (id) DO UPDATE SET ${updates}`);
  }
  for (const { table, parent, parentsFrom } of REPLACED_PER_PARENT) {
    db.exec(`
      DELETE FROM main.${table} WHERE ${parent} IN (${parentsFrom});
      INSERT INTO main.${table} SELECT * FROM incoming.${table} ORDER BY rowid;`);
  }
  for (const { table } of ACCUMULATED) db.exec(`INSERT OR IGNORE INTO main.${table} SELECT * FROM incoming.${table}`);
  db.exec(`
    INSERT OR REPLACE INTO main.logs SELECT * FROM incoming.logs WHERE id IN (SELECT id FROM taken_logs);
    DELETE FROM main.logchunks WHERE logid IN (SELECT id FROM taken_logs WHERE rechunk);
  `);
  const chunks = copyLogChunks(translator, 'main', 'SELECT id FROM temp.taken_logs WHERE rechunk');
  if (chunks) db.exec(chunks);

  // The snapshot's rows outside the update's scope are all archived already (settled builds and
  // what hangs off them), so what the record holds beyond the snapshot's counts is what it kept.
  // Logs count as given when the snapshot's copy is whole: taken, or a settled build's not deleted.
  const snapshot = translator.counts(db);
  const givenLogs = count('SELECT count(*) FROM temp.taken_logs') + snapshot.liveLogs - count("SELECT count(*) FROM incoming.logs WHERE type <> 'd'");
  const report: MergeReport = {
    newBuilds: count("SELECT count(*) FROM main.delta WHERE tbl = 'builds' AND new"),
    finishedBuilds,
    kept: {
      builds: count('SELECT count(*) FROM main.builds') - snapshot.builds,
      steps: count('SELECT count(*) FROM main.steps') - snapshot.steps,
      logs: count('SELECT count(*) FROM main.logs') - givenLogs,
    },
  };
  db.exec('DROP TABLE temp.taken_logs');
  return report;
}

/** Writes into the delta table what the incoming rows add or change, before they are merged. */
function recordDelta(db: Database.Database): void {
  const insert = (sql: string) => db.exec(`INSERT OR IGNORE INTO main.delta (tbl, id, new) ${sql}`);
  for (const table of UPSERTED) {
    const same = columnsOf(db, table)
      .map((name) => (isCurrentState(table, name) ? `i.${name} IS m.${name}` : `coalesce(i.${name}, m.${name}) IS m.${name}`))
      .join(' AND ');
    insert(`SELECT '${table}', i.id, m.id IS NULL FROM incoming.${table} i LEFT JOIN main.${table} m ON m.id = i.id
            WHERE m.id IS NULL OR NOT (${same})`);
  }
  const sameLog = columnsOf(db, 'logs').map((name) => `i.${name} IS m.${name}`).join(' AND ');
  insert(`SELECT 'logs', t.id, m.id IS NULL FROM temp.taken_logs t JOIN incoming.logs i ON i.id = t.id
          LEFT JOIN main.logs m ON m.id = t.id WHERE m.id IS NULL OR t.rechunk OR NOT (${sameLog})`);
  for (const { table, parent, columns, parentsFrom } of REPLACED_PER_PARENT) {
    const rows = (schema: string) =>
      `(SELECT group_concat(json_array(${columns}), char(10)) FROM
         (SELECT ${columns} FROM ${schema}.${table} WHERE ${parent} = p.id ORDER BY rowid))`;
    insert(`SELECT '${table}', p.id, 0 FROM (${parentsFrom}) AS p WHERE ${rows('incoming')} IS NOT ${rows('main')}`);
  }
  for (const { table, sides } of ACCUMULATED) {
    const [left, right] = Object.keys(sides);
    const added = `SELECT * FROM incoming.${table} i WHERE NOT EXISTS
      (SELECT 1 FROM main.${table} m WHERE m.${left} = i.${left} AND m.${right} = i.${right})`;
    for (const [column, name] of Object.entries(sides)) insert(`SELECT '${name}', ${column}, 1 FROM (${added})`);
  }
}
