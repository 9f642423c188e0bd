import type Database from 'better-sqlite3';
import type { SchemaInfo } from '../model/types.ts';
import { parseJsonOr } from '../record/sql.ts';
import { STATUSDB_2010_DDL } from './ddl.ts';
import { repairMojibake } from './mojibake.ts';
import { type SnapshotCounts, SnapshotTables, type TableRows, type TranslationScope, type Translator, columnsOf, scoped, tablesOf } from './translator.ts';

/**
 * Mozilla's 2010 statusdb: `builds.buildnumber`/`builder_id`, properties shared through
 * `build_properties`, datetimes as text, no logs. Text is repaired of its mojibake (mojibake.ts)
 * on the way into the record, by SQL functions this translator registers. A table it reads that
 * the snapshot lacks reads as empty (SnapshotTables).
 */
export function isStatusdb(db: Database.Database, schema: string): boolean {
  const tables = tablesOf(db, schema);
  if (!['builds', 'steps', 'builders', 'properties', 'build_properties'].every((table) => tables.has(table))) {
    return false;
  }
  const buildColumns = columnsOf(db, schema, 'builds');
  return buildColumns.has('buildnumber') && buildColumns.has('builder_id');
}

/**
 * statusdb datetimes are `YYYY-MM-DD HH:MM:SS` text in UTC. MySQL's zero date and anything
 * unparseable mean "no time". Out-of-range fields roll over (February 30th is March 2nd), as SQLite's
 * `unixepoch` reads them: `timeSql` leaves to this function only the text SQLite cannot read.
 */
export function statusdbTime(text: string | null): number | null {
  if (text === null) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(text);
  if (!match) return null;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  if (!month || !day) return null;
  // Not Date.UTC: it reads years 0–99 as 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year!, month - 1, day);
  date.setUTCHours(hour!, minute, second);
  return date.getTime() / 1000;
}

/** statusdb keeps a step's description as a JSON list of words. */
function stepDescription(text: string | null): string {
  const words = parseJsonOr(text, text ?? '');
  return Array.isArray(words) ? words.join(' ') : String(words);
}

/*
 * The SQL below runs once per value of every table: millions of values at Mozilla's size, where a
 * call into JavaScript per value took most of the snapshot's read (9.3 s of 11.7 at 100k builds).
 * Each reads the common case in SQL and calls its JavaScript function only for the rest, which
 * gives the same value (statusdbTranslator.test.ts compares them).
 */

/** Unix seconds of a statusdb datetime: SQLite parses the exact `YYYY-MM-DD HH:MM:SS` form. */
export function timeSql(column: string): string {
  const exact = `${column} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][ T][0-9][0-9]:[0-9][0-9]:[0-9][0-9]'`;
  return `CASE WHEN ${exact} THEN coalesce(unixepoch(${column}), copra_time(${column})) ELSE copra_time(${column}) END`;
}

/** Whether a text value is ASCII: ASCII is never mojibake. */
const ascii = (column: string) => `typeof(${column}) = 'text' AND length(${column}) = octet_length(${column})`;

/** Text repaired of its mojibake: only text beyond ASCII goes through repairMojibake. */
export function repairSql(column: string): string {
  return `CASE WHEN ${ascii(column)} THEN ${column} ELSE copra_repair(${column}) END`;
}

/**
 * `read`, remembering its results: step descriptions repeat (`["compile"]` in every build), and
 * reading one costs five times what looking it up does. The memory is bounded, for snapshots
 * whose descriptions do not repeat.
 */
function remembered<T>(read: (value: unknown) => T, size = 10_000): (value: unknown) => T {
  const results = new Map<unknown, T>();
  return (value) => {
    let result = results.get(value);
    if (result === undefined) {
      if (results.size >= size) results.clear();
      result = read(value);
      results.set(value, result);
    }
    return result;
  };
}

export class StatusdbTranslator implements Translator {
  readonly schema: SchemaInfo;
  private readonly tables: SnapshotTables;

  constructor(db: Database.Database) {
    this.tables = new SnapshotTables(db, STATUSDB_2010_DDL, [
      'builders', 'slaves', 'masters', 'builds', 'build_properties', 'properties', 'steps', 'sourcestamps', 'changes',
      'source_changes', 'file_changes', 'files', 'build_requests',
    ]);
    this.schema = { kind: 'statusdb', description: 'Mozilla statusdb (2010 schema)', absentTables: this.tables.absent };
    const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
    const deterministic = { deterministic: true };
    db.function('copra_repair', deterministic, (value: unknown) => {
      const stored = text(value);
      return stored === null ? null : repairMojibake(stored);
    });
    db.function('copra_time', deterministic, (value: unknown) => statusdbTime(text(value)));
    db.function('copra_words', deterministic, remembered((value: unknown) => repairMojibake(stepDescription(text(value)))));
  }

  translation(t: string, scope: TranslationScope | null): TableRows[] {
    const all = 'true';
    const ofBuilds = (column: string) => scoped(scope, `${column} IN (SELECT id FROM ${t}.builds)`);
    return [
      { table: 'builders', rows: `SELECT id, ${repairSql('name')}, NULL, NULL FROM ${this.tables.from('builders')}` },
      { table: 'builder_tags', duplicates: 'ignore', rows: `SELECT id, ${repairSql('category')} FROM ${this.tables.from('builders')} WHERE category IS NOT NULL AND category <> ''` },
      { table: 'workers', rows: `SELECT id, ${repairSql('name')}, NULL FROM ${this.tables.from('slaves')}` },
      { table: 'masters', rows: `SELECT id, ${repairSql('coalesce(name, url)')}, url FROM ${this.tables.from('masters')}` },
      { table: 'builds', rows: `SELECT id, buildnumber, builder_id, slave_id, master_id, ${timeSql('starttime')}, ${timeSql('endtime')},
               '', result, ${repairSql('reason')}, lost = 1, NULL,
               (SELECT min(br.request_id) FROM ${this.tables.from('build_requests')} br WHERE br.build_id = b.id), NULL, NULL, 1
        FROM ${this.tables.from('builds')} b WHERE ${scope?.build('b.id') ?? all}` },
      { table: 'build_sourcestamps', rows: `SELECT id, source_id FROM ${this.tables.from('builds')}
        WHERE source_id IS NOT NULL AND ${ofBuilds('id')}` },
      { table: 'build_properties', rows: `SELECT bp.build_id, ${repairSql("coalesce(p.name, '')")}, ${repairSql("coalesce(p.value, 'null')")},
               ${repairSql("coalesce(p.source, '')")}
        FROM ${this.tables.from('build_properties')} bp JOIN ${this.tables.from('properties')} p ON p.id = bp.property_id
        WHERE ${ofBuilds('bp.build_id')}
        ORDER BY bp.build_id, p.name, p.id` },
      { table: 'steps', rows: `SELECT id, build_id, "order", ${repairSql('name')}, ${timeSql('starttime')}, ${timeSql('endtime')},
               copra_words(description), status, '[]', 0, NULL
        FROM ${this.tables.from('steps')} WHERE ${ofBuilds('build_id')}` },
      { table: 'sourcestamps', rows: `SELECT id, ${repairSql('branch')}, ${repairSql('revision')}, NULL, NULL, NULL FROM ${this.tables.from('sourcestamps')} s
        WHERE ${scope?.sourcestamp('s.id') ?? all}` },
      { table: 'changes', rows: `SELECT id, ${repairSql('who')}, ${repairSql("coalesce(comments, '')")}, ${repairSql('branch')},
               ${repairSql('revision')}, NULL, ${timeSql('"when"')}, NULL, NULL
        FROM ${this.tables.from('changes')} c WHERE ${scope?.change('c.id') ?? all}` },
      // A stamp's positions count all its links, so a scoped stamp is read whole.
      { table: 'stamp_changes', duplicates: 'ignore', rows: `SELECT source_id, change_id, row_number() OVER (PARTITION BY source_id ORDER BY "order", id)
        FROM ${this.tables.from('source_changes')}
        WHERE ${scoped(
          scope,
          `source_id IN (SELECT source_id FROM ${this.tables.from('source_changes')}
             WHERE source_id IN (SELECT id FROM ${t}.sourcestamps) OR change_id IN (SELECT id FROM ${t}.changes))`,
        )}` },
      { table: 'change_files', rows: `SELECT fc.change_id, ${repairSql('f.path')} FROM ${this.tables.from('file_changes')} fc JOIN ${this.tables.from('files')} f ON f.id = fc.file_id
        WHERE ${scoped(scope, `fc.change_id IN (SELECT id FROM ${t}.changes)`)}
        ORDER BY fc.change_id, fc.rowid` },
    ];
  }

  buildIdentities(): string {
    return `SELECT id, builder_id AS builderid, buildnumber AS number, ${timeSql('starttime')} AS started_at FROM ${this.tables.from('builds')}`;
  }

  counts(db: Database.Database): SnapshotCounts {
    const count = (sql: string) => db.prepare(sql).pluck().get() as number;
    return {
      builds: count(`SELECT count(*) FROM ${this.tables.from('builds')}`),
      steps: count(`SELECT count(*) FROM ${this.tables.from('steps')}`),
      liveLogs: 0,
    };
  }

  // statusdb kept no logs: later builds carry a `log_url` property instead.
  logChunkRows(): string | null {
    return null;
  }
}
