import type Database from 'better-sqlite3';
import type { SchemaDdl } from './ddl.ts';
import type { SchemaInfo } from '../model/types.ts';

/** The schema name a snapshot is attached under on the record's connection. */
export const SNAPSHOT_SCHEMA = 'snap';

/**
 * Which of a snapshot's rows an update translates, as SQL conditions on a snapshot id column
 * (qualified with its table's alias).
 * Rows the record already holds in their final form are left out: a finished build's rows only
 * ever change by pruning, which the record ignores anyway, so an update reads what is new or was
 * still running, not the whole snapshot again.
 */
export interface TranslationScope {
  build(id: string): string;
  sourcestamp(id: string): string;
  change(id: string): string;
  /** A codebase's commit (buildbot 4.3). */
  commit(id: string): string;
}

/** How many rows of a kind the snapshot holds, for the update's account of what it kept. */
export interface SnapshotCounts {
  builds: number;
  steps: number;
  /** Logs not deleted by the janitor. */
  liveLogs: number;
}

/**
 * The rows of one table of the record, as an SQL query over the attached snapshot (columns in the
 * table's order). Some relations meet the same pair twice in a snapshot: those ignore duplicates.
 */
export interface TableRows {
  table: string;
  rows: string;
  duplicates?: 'ignore';
}

/** The statement writing `fill`'s rows into its table in the schema `target`. */
export function fillStatement(target: string, fill: TableRows): string {
  return `INSERT ${fill.duplicates === 'ignore' ? 'OR IGNORE ' : ''}INTO ${target}.${fill.table} ${fill.rows}`;
}

/**
 * Writes one snapshot schema's rows into copra's record (src/record/schema.ts): SQL queries over
 * the attached snapshot giving the rows of the record's tables, which the record writes — no
 * row crosses into JavaScript except the text a translator must repair. A new kind of input is
 * one more translator.
 */
export interface Translator {
  readonly schema: SchemaInfo;
  /**
   * The rows of every table of `target` but `logchunks` from the snapshot, in the order they are written:
   * every row, or within `scope` the scoped builds (with their steps, logs, properties and
   * sourcestamp links), sourcestamps and changes (with their files and links), and every builder,
   * worker and master.
   */
  translation(target: string, scope: TranslationScope | null): TableRows[];
  /** SQL selecting the snapshot's log chunks as the record's `logchunks` columns, without a WHERE; null without logs. */
  logChunkRows(): string | null;
  /** SQL selecting every snapshot build as `id, builderid, number, started_at`, in the record's terms. */
  buildIdentities(): string;
  counts(db: Database.Database): SnapshotCounts;
}

/** The statement copying into `target.logchunks` the chunks of the logs `logIds` (SQL) selects; null without logs. */
export function copyLogChunks(translator: Translator, target: string, logIds: string): string | null {
  const rows = translator.logChunkRows();
  return rows && `INSERT INTO ${target}.logchunks ${rows} WHERE logid IN (${logIds}) ORDER BY logid, first_line`;
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

/**
 * A condition that holds for every row when there is no scope, else `condition`: a dependent row
 * (a step, a property) belongs to a scoped parent already in the target.
 */
export function scoped(scope: TranslationScope | null, condition: string): string {
  return scope ? condition : 'true';
}

/**
 * The snapshot's tables as a translator names them in SQL. A table the snapshot lacks (an admin
 * dropped it, a hand-made copy left it out) reads as empty: a temporary stand-in made from the
 * schema's own DDL, so the archive is complete without its rows and the schema says which were
 * missing. Only the tables that make a snapshot what it is (see isBuildbot, isStatusdb) are required.
 */
export class SnapshotTables {
  /** The tables read as empty, in the order the translator reads them. */
  readonly absent: string[];

  constructor(db: Database.Database, ddl: SchemaDdl, read: readonly string[]) {
    const present = tablesOf(db, SNAPSHOT_SCHEMA);
    this.absent = read.filter((table) => !present.has(table));
    for (const table of this.absent) {
      const definition = ddl.tables.find((sql) => new RegExp(`^CREATE TABLE "?${table}"? \\(`).test(sql));
      if (!definition) throw new Error(`no DDL for the snapshot table ${table}`);
      db.exec(definition.replace(/^CREATE TABLE "?\w+"? \(/, `CREATE TEMP TABLE IF NOT EXISTS ${standIn(table)} (`));
    }
  }

  /** The table as the translator's SQL names it. */
  from(table: string): string {
    return this.absent.includes(table) ? `temp.${standIn(table)}` : `${SNAPSHOT_SCHEMA}.${table}`;
  }
}

const standIn = (table: string) => `copra_absent_${table}`;
