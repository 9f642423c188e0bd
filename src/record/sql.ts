import type Database from 'better-sqlite3';

/** SQL fragment matching a column against a JSON array parameter: avoids SQLite's variable limit. */
export const IN_JSON = 'IN (SELECT value FROM json_each(?))';

export function jsonIds(ids: readonly number[]): string {
  return JSON.stringify(ids);
}

/** Rows of `table` per value of `column` (NULLs left out), for every value or only these. */
export function countsBy(db: Database.Database, table: string, column: string, ids?: readonly number[]): Map<number, number> {
  const where = ids ? `${column} ${IN_JSON}` : `${column} IS NOT NULL`;
  const rows = db
    .prepare(`SELECT ${column} AS id, count(*) AS count FROM ${table} WHERE ${where} GROUP BY ${column}`)
    .all(...(ids ? [jsonIds(ids)] : [])) as { id: number; count: number }[];
  return new Map(rows.map((row) => [row.id, row.count]));
}

/** Groups rows by a key, keeping their order within each group. */
export function groupBy<T, K>(rows: Iterable<T>, key: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

/** Parses JSON text, returning `fallback` for text that is not JSON. */
export function parseJsonOr<T>(text: string | null, fallback: T): T | unknown {
  if (text === null) return fallback;
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}
