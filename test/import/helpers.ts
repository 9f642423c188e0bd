import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { MysqlDumpReader, type InsertTarget, type SqlValue } from '../../src/import/mysqldump.ts';

export const FIXTURE_DUMP = fileURLToPath(new URL('../fixtures/statusdb-gecko-mini.sql.gz', import.meta.url));
export const FIXTURE_DATABASE = fileURLToPath(new URL('../fixtures/statusdb-gecko-mini.sqlite', import.meta.url));

/** Temporary directories under the OS temp dir; `cleanUp` removes every one made so far. */
export function temporaryDirectories(): { make: () => string; cleanUp: () => void } {
  const made: string[] = [];
  return {
    make: () => {
      const directory = mkdtempSync(join(tmpdir(), 'copra-import-test-'));
      made.push(directory);
      return directory;
    },
    cleanUp: () => {
      for (const directory of made.splice(0)) rmSync(directory, { recursive: true, force: true });
    },
  };
}

export type DumpEvent =
  | { statement: string; line: number }
  | { insert: InsertTarget }
  | { row: SqlValue[] }
  | { endInsert: true };

/** Runs the reader over `dump` cut into `chunkSize`-byte chunks and records what it reports. */
export function readDumpText(dump: string | Buffer, chunkSize = Infinity): DumpEvent[] {
  const bytes = Buffer.isBuffer(dump) ? dump : Buffer.from(dump);
  const parts: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += Math.min(chunkSize, bytes.length)) {
    parts.push(bytes.subarray(start, start + chunkSize));
  }
  return readDumpParts(parts);
}

/** Runs the reader over the given chunks and records what it reports. */
export function readDumpParts(parts: Buffer[]): DumpEvent[] {
  const events: DumpEvent[] = [];
  const reader = new MysqlDumpReader({
    statement: (statement, line) => events.push({ statement, line }),
    insert: (target) => events.push({ insert: target }),
    row: (values) => events.push({ row: [...values] }),
    endInsert: () => events.push({ endInsert: true }),
  });
  for (const part of parts) reader.write(part);
  reader.end();
  return events;
}

export function rowsOf(events: DumpEvent[]): SqlValue[][] {
  return events.flatMap((event) => ('row' in event ? [event.row] : []));
}

export function statementsOf(events: DumpEvent[]): string[] {
  return events.flatMap((event) => ('statement' in event ? [event.statement] : []));
}

function quoted(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Fails unless both databases have the same schema and, table by table, the same rows with the same
 * values and storage types (typeof). Rows are compared as multisets in SQL: every distinct row with
 * its number of copies, EXCEPT the other side's, both ways; that equals comparing the tables sorted
 * by all columns, and shows the rows that differ.
 */
export function expectSameDatabase(actualPath: string, expectedPath: string): void {
  const db = new Database(actualPath, { readonly: true });
  try {
    db.prepare(`ATTACH DATABASE ? AS expected`).run(expectedPath);
    const schema = (name: string): unknown[] =>
      db.prepare(`SELECT type, name, tbl_name, sql FROM ${name}.sqlite_master ORDER BY type, name`).all();
    expect(schema('main')).toEqual(schema('expected'));
    const tables = db.prepare(`SELECT name FROM expected.sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all() as string[];
    for (const table of tables) {
      const columns = db.prepare(`SELECT name FROM pragma_table_info(?, 'expected')`).pluck().all(table) as string[];
      const values = columns.flatMap((column) => [quoted(column), `typeof(${quoted(column)})`]);
      const groupBy = values.map((_, index) => index + 1).join(', ');
      const distinctRows = (name: string): string =>
        `SELECT ${values.join(', ')}, count(*) AS copies FROM ${name}.${quoted(table)} GROUP BY ${groupBy}`;
      const missing = db.prepare(`${distinctRows('expected')} EXCEPT ${distinctRows('main')} LIMIT 5`).raw().all();
      const unexpected = db.prepare(`${distinctRows('main')} EXCEPT ${distinctRows('expected')} LIMIT 5`).raw().all();
      expect({ table, columns, missing, unexpected }).toEqual({ table, columns, missing: [], unexpected: [] });
    }
  } finally {
    db.close();
  }
}
