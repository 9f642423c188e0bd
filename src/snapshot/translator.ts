import type Database from 'better-sqlite3';
import type { SchemaInfo } from '../model/types.ts';

/** The schema name a snapshot is attached under on the record's connection. */
export const SNAPSHOT_SCHEMA = 'snap';

/**
 * Writes one snapshot schema's rows into copra's record (src/record/schema.ts), in SQL from the
 * attached snapshot to a target schema with the record's tables: no row crosses into JavaScript
 * except the text a translator must repair. A new kind of input is one more translator.
 */
export interface Translator {
  readonly schema: SchemaInfo;
  /** Fills every table of `target` but `logchunks` from the snapshot. */
  translate(db: Database.Database, target: string): void;
  /** Copies into `target.logchunks` the chunks of the logs whose ids `logIds` (an SQL query) selects. */
  copyLogChunks(db: Database.Database, target: string, logIds: string): void;
}

/** Tables of an attached schema. */
export function tablesOf(db: Database.Database, schema: string): Set<string> {
  const rows = db.prepare(`SELECT name FROM "${schema}".sqlite_master WHERE type = 'table'`).pluck().all() as string[];
  return new Set(rows);
}

/** Columns of a table of an attached schema. */
export function columnsOf(db: Database.Database, schema: string, table: string): Set<string> {
  const rows = db.prepare(`PRAGMA "${schema}".table_info("${table}")`).all() as { name: string }[];
  return new Set(rows.map((row) => row.name));
}
