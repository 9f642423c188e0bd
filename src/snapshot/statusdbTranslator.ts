import type Database from 'better-sqlite3';
import type { SchemaInfo } from '../model/types.ts';
import { repairMojibake } from './mojibake.ts';
import { parseJsonOr } from './sql.ts';
import { STATUSDB_2010_DDL } from './ddl.ts';
import { type SnapshotCounts, SnapshotTables, type TranslationScope, type Translator, columnsOf, scoped, tablesOf } from './translator.ts';

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
 * unparseable mean "no time".
 */
export function statusdbTime(text: string | null): number | null {
  if (text === null) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(text);
  if (!match) return null;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  if (!year || !month || !day) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
}

/** statusdb keeps a step's description as a JSON list of words. */
function stepDescription(text: string | null): string {
  const words = parseJsonOr(text, text ?? '');
  return Array.isArray(words) ? words.join(' ') : String(words);
}

export class StatusdbTranslator implements Translator {
  readonly schema: SchemaInfo;
  private readonly tables: SnapshotTables;

  constructor(db: Database.Database) {
    this.tables = new SnapshotTables(db, STATUSDB_2010_DDL, [
      'builders', 'slaves', 'masters', 'builds', 'build_properties', 'properties', 'steps', 'sourcestamps', 'changes',
      'source_changes', 'file_changes', 'files',
    ]);
    this.schema = { kind: 'statusdb', description: 'Mozilla statusdb (2010 schema)', absentTables: this.tables.absent };
    const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
    const deterministic = { deterministic: true };
    db.function('copra_repair', deterministic, (value: unknown) => {
      const stored = text(value);
      return stored === null ? null : repairMojibake(stored);
    });
    db.function('copra_time', deterministic, (value: unknown) => statusdbTime(text(value)));
    db.function('copra_words', deterministic, (value: unknown) => repairMojibake(stepDescription(text(value))));
  }

  translation(t: string, scope: TranslationScope | null): string[] {
    const all = 'true';
    const ofBuilds = (column: string) => scoped(scope, `${column} IN (SELECT id FROM ${t}.builds)`);
    return [
      `INSERT INTO ${t}.builders SELECT id, copra_repair(name), NULL FROM ${this.tables.from('builders')}`,
      `INSERT OR IGNORE INTO ${t}.builder_tags
        SELECT id, copra_repair(category) FROM ${this.tables.from('builders')} WHERE category IS NOT NULL AND category <> ''`,
      `INSERT INTO ${t}.workers SELECT id, copra_repair(name) FROM ${this.tables.from('slaves')}`,
      `INSERT INTO ${t}.masters SELECT id, copra_repair(coalesce(name, url)), url FROM ${this.tables.from('masters')}`,
      `INSERT INTO ${t}.builds
        SELECT id, buildnumber, builder_id, slave_id, master_id, copra_time(starttime), copra_time(endtime),
               '', result, copra_repair(reason), lost = 1, NULL
        FROM ${this.tables.from('builds')} b WHERE ${scope?.build('b.id') ?? all}`,
      `INSERT INTO ${t}.build_sourcestamps SELECT id, source_id FROM ${this.tables.from('builds')}
        WHERE source_id IS NOT NULL AND ${ofBuilds('id')}`,
      `INSERT INTO ${t}.build_properties
        SELECT bp.build_id, copra_repair(coalesce(p.name, '')), copra_repair(coalesce(p.value, 'null')),
               copra_repair(coalesce(p.source, ''))
        FROM ${this.tables.from('build_properties')} bp JOIN ${this.tables.from('properties')} p ON p.id = bp.property_id
        WHERE ${ofBuilds('bp.build_id')}
        ORDER BY bp.build_id, p.name, p.id`,
      `INSERT INTO ${t}.steps
        SELECT id, build_id, "order", copra_repair(name), copra_time(starttime), copra_time(endtime),
               copra_words(description), status, '[]', 0
        FROM ${this.tables.from('steps')} WHERE ${ofBuilds('build_id')}`,
      `INSERT INTO ${t}.sourcestamps SELECT id, copra_repair(branch), copra_repair(revision), NULL, NULL FROM ${this.tables.from('sourcestamps')} s
        WHERE ${scope?.sourcestamp('s.id') ?? all}`,
      `INSERT INTO ${t}.changes
        SELECT id, copra_repair(who), copra_repair(coalesce(comments, '')), copra_repair(branch),
               copra_repair(revision), NULL, copra_time("when"), NULL
        FROM ${this.tables.from('changes')} c WHERE ${scope?.change('c.id') ?? all}`,
      // A stamp's positions count all its links, so a scoped stamp is read whole.
      `INSERT OR IGNORE INTO ${t}.stamp_changes
        SELECT source_id, change_id, row_number() OVER (PARTITION BY source_id ORDER BY "order", id)
        FROM ${this.tables.from('source_changes')}
        WHERE ${scoped(
          scope,
          `source_id IN (SELECT source_id FROM ${this.tables.from('source_changes')}
             WHERE source_id IN (SELECT id FROM ${t}.sourcestamps) OR change_id IN (SELECT id FROM ${t}.changes))`,
        )}`,
      `INSERT INTO ${t}.change_files
        SELECT fc.change_id, copra_repair(f.path) FROM ${this.tables.from('file_changes')} fc JOIN ${this.tables.from('files')} f ON f.id = fc.file_id
        WHERE ${scoped(scope, `fc.change_id IN (SELECT id FROM ${t}.changes)`)}
        ORDER BY fc.change_id, fc.rowid`,
    ];
  }

  buildIdentities(): string {
    return `SELECT id, builder_id AS builderid, buildnumber AS number, copra_time(starttime) AS started_at FROM ${this.tables.from('builds')}`;
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
  logChunks(): string | null {
    return null;
  }
}
