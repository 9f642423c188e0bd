/**
 * Writing a large SQLite file fast: no journal, no fsync, one exclusive connection, rows inserted
 * many to a statement in long transactions, indexes built once at the end. The file is written
 * as `<out>.tmp` and renamed into place only when complete.
 */
import Database from 'better-sqlite3';
import { renameSync, rmSync } from 'node:fs';
import type { SchemaDdl } from '../snapshot/ddl.ts';

/** Rows per INSERT statement: far fewer calls into SQLite, well under its 32,766 parameters. */
const ROWS_PER_STATEMENT = 64;
/** Rows between commits; with no journal a commit is cheap, this only bounds SQLite's dirty pages. */
const ROWS_PER_TRANSACTION = 500_000;

/** Buffers rows of one table and inserts them ROWS_PER_STATEMENT at a time. */
export class RowBuffer {
  private readonly values: unknown[];
  private readonly statements = new Map<number, Database.Statement>();
  private buffered = 0;
  /** Rows added so far. */
  count = 0;

  constructor(
    private readonly file: SnapshotFile,
    readonly table: string,
    private readonly columns: readonly string[],
  ) {
    this.values = new Array<unknown>(ROWS_PER_STATEMENT * columns.length);
  }

  add(...row: unknown[]): void {
    const offset = this.buffered * this.columns.length;
    for (let column = 0; column < this.columns.length; column++) this.values[offset + column] = row[column];
    this.count++;
    if (++this.buffered === ROWS_PER_STATEMENT) this.flush();
  }

  flush(): void {
    if (this.buffered === 0) return;
    const rows = this.buffered;
    const values = rows === ROWS_PER_STATEMENT ? this.values : this.values.slice(0, rows * this.columns.length);
    this.statement(rows).run(values);
    this.buffered = 0;
    this.file.wrote(rows);
  }

  private statement(rows: number): Database.Statement {
    let statement = this.statements.get(rows);
    if (!statement) {
      const placeholders = `(${this.columns.map(() => '?').join(',')})`;
      const columns = this.columns.map((column) => `"${column}"`).join(',');
      statement = this.file.db.prepare(
        `INSERT INTO "${this.table}" (${columns}) VALUES ${Array.from({ length: rows }, () => placeholders).join(',')}`,
      );
      this.statements.set(rows, statement);
    }
    return statement;
  }
}

/** An SQLite file being written: tables first, then rows, then indexes. */
export class SnapshotFile {
  readonly db: Database.Database;
  private readonly buffers: RowBuffer[] = [];
  private uncommitted = 0;
  private readonly temporary: string;

  constructor(
    private readonly out: string,
    private readonly ddl: SchemaDdl,
  ) {
    this.temporary = `${out}.tmp`;
    rmSync(this.temporary, { force: true });
    this.db = new Database(this.temporary);
    // better-sqlite3 opens connections in SQLite's defensive mode, which refuses journal_mode=OFF.
    this.db.unsafeMode(true);
    if (this.db.pragma('journal_mode = OFF', { simple: true }) !== 'off') throw new Error('SQLite refused journal_mode=OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('locking_mode = EXCLUSIVE');
    // better-sqlite3 turns foreign keys on; rows of related tables are flushed in any order here.
    this.db.pragma('foreign_keys = OFF');
    // Lets SQLite's sorter use a helper thread while building indexes (measured: ~15% faster; a
    // larger page cache made it slower).
    this.db.pragma('threads = 2');
    for (const sql of ddl.tables) this.db.exec(sql);
    this.db.exec('BEGIN');
  }

  table(name: string, columns: readonly string[]): RowBuffer {
    const buffer = new RowBuffer(this, name, columns);
    this.buffers.push(buffer);
    return buffer;
  }

  /** Called by the buffers: commits now and then so that no transaction grows without bound. */
  wrote(rows: number): void {
    this.uncommitted += rows;
    if (this.uncommitted >= ROWS_PER_TRANSACTION) {
      this.db.exec('COMMIT; BEGIN');
      this.uncommitted = 0;
    }
  }

  /** Rows written per table, in the order the tables were opened. */
  rowCounts(): Record<string, number> {
    return Object.fromEntries(this.buffers.map((buffer) => [buffer.table, buffer.count]));
  }

  /** Flushes every buffer, builds the indexes and moves the file into place; returns index seconds. */
  finish(): number {
    for (const buffer of this.buffers) buffer.flush();
    this.db.exec('COMMIT');
    const started = performance.now();
    for (const sql of this.ddl.indexes) this.db.exec(sql);
    const indexSeconds = (performance.now() - started) / 1000;
    this.db.close();
    renameSync(this.temporary, this.out);
    return indexSeconds;
  }

  /** Closes and removes the unfinished file (after an error). */
  abandon(): void {
    if (this.db.open) this.db.close();
    rmSync(this.temporary, { force: true });
  }
}
