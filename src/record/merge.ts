import type Database from 'better-sqlite3';
import type { Translator } from '../snapshot/translator.ts';

/** What an update found in the snapshot, against what the archive had. */
export interface MergeReport {
  newBuilds: number;
  finishedBuilds: number;
  /** Archived rows the snapshot no longer has (or has in a pruned form), kept as archived. */
  kept: { builds: number; steps: number; logs: number };
}

/** Tables whose rows are replaced by the snapshot's, column by column (a NULL is pruning: kept). */
const UPSERTED = ['builders', 'workers', 'masters', 'sourcestamps', 'changes', 'builds', 'steps'] as const;
/** Child rows replaced as a set for each parent the snapshot has them for; kept otherwise. */
const REPLACED_PER_PARENT = [
  { table: 'builder_tags', parent: 'builderid', parentsFrom: 'SELECT id FROM incoming.builders' },
  { table: 'build_properties', parent: 'buildid', parentsFrom: 'SELECT buildid FROM incoming.build_properties' },
  { table: 'change_files', parent: 'changeid', parentsFrom: 'SELECT changeid FROM incoming.change_files' },
] as const;
/** Relations that only accumulate. */
const ACCUMULATED = ['build_sourcestamps', 'stamp_changes'] as const;

/**
 * Accumulates the snapshot's rows, translated into the `incoming` schema, into the record: what
 * the snapshot has is added or replaces the archived version; what it lost — deleted rows, values
 * set NULL, logs the janitor emptied — stays as archived. The rules live here once, whatever the
 * snapshot's schema.
 */
export function mergeIncoming(db: Database.Database, translator: Translator): MergeReport {
  const count = (sql: string) => db.prepare(sql).pluck().get() as number;
  const report: MergeReport = {
    newBuilds: count('SELECT count(*) FROM incoming.builds i WHERE NOT EXISTS (SELECT 1 FROM main.builds m WHERE m.id = i.id)'),
    finishedBuilds: count(
      `SELECT count(*) FROM incoming.builds i JOIN main.builds m ON m.id = i.id
       WHERE m.complete_at IS NULL AND i.complete_at IS NOT NULL`,
    ),
    kept: {
      builds: count('SELECT count(*) FROM main.builds m WHERE NOT EXISTS (SELECT 1 FROM incoming.builds i WHERE i.id = m.id)'),
      steps: count('SELECT count(*) FROM main.steps m WHERE NOT EXISTS (SELECT 1 FROM incoming.steps i WHERE i.id = m.id)'),
      logs: 0,
    },
  };

  // A log is taken from the snapshot unless the snapshot's is a pruned form of the archived one:
  // deleted by the janitor (type d) or shorter. Its chunks are copied again only when it grew.
  db.exec(`
    CREATE TEMP TABLE taken_logs (id INTEGER PRIMARY KEY, rechunk INTEGER NOT NULL);
    INSERT INTO taken_logs
      SELECT i.id, m.id IS NULL OR m.type = 'd' OR i.num_lines <> m.num_lines OR i.type <> m.type
      FROM incoming.logs i LEFT JOIN main.logs m ON m.id = i.id
      WHERE m.id IS NULL OR (i.type <> 'd' AND i.num_lines >= m.num_lines);
  `);
  report.kept.logs = count('SELECT count(*) FROM main.logs m WHERE NOT EXISTS (SELECT 1 FROM taken_logs t WHERE t.id = m.id)');

  for (const table of UPSERTED) {
    const columns = (db.prepare(`PRAGMA main.table_info(${table})`).all() as { name: string }[])
      .map((column) => column.name)
      .filter((name) => name !== 'id');
    const updates = columns.map((name) => `${name} = coalesce(excluded.${name}, ${table}.${name})`).join(', ');
    db.exec(`INSERT INTO main.${table} SELECT * FROM incoming.${table} WHERE true ON CONFLICT (id) DO UPDATE SET ${updates}`);
  }
  for (const { table, parent, parentsFrom } of REPLACED_PER_PARENT) {
    db.exec(`
      DELETE FROM main.${table} WHERE ${parent} IN (${parentsFrom});
      INSERT INTO main.${table} SELECT * FROM incoming.${table} ORDER BY rowid;`);
  }
  for (const table of ACCUMULATED) db.exec(`INSERT OR IGNORE INTO main.${table} SELECT * FROM incoming.${table}`);
  db.exec(`
    INSERT OR REPLACE INTO main.logs SELECT * FROM incoming.logs WHERE id IN (SELECT id FROM taken_logs);
    DELETE FROM main.logchunks WHERE logid IN (SELECT id FROM taken_logs WHERE rechunk);
  `);
  translator.copyLogChunks(db, 'main', 'SELECT id FROM temp.taken_logs WHERE rechunk');
  db.exec('DROP TABLE temp.taken_logs');
  return report;
}
