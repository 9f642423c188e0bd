import type Database from 'better-sqlite3';
import type { SchemaInfo } from '../model/types.ts';
import { BUILDBOT_37_DDL } from './ddl.ts';
import {
  SNAPSHOT_SCHEMA as S,
  type SnapshotCounts,
  SnapshotTables,
  type TableRows,
  type TranslationScope,
  type Translator,
  columnsOf,
  scoped,
  tablesOf,
} from './translator.ts';

/**
 * buildbot 0.9–4.3 `state.sqlite`. Columns and tables that differ between versions are found by
 * introspection: 0.9's betas called workers "buildslaves"; `builders_tags`, `steps.hidden`,
 * `steps.urls_json` came later. 3.9–4.3 additions (projects, codebases, locks) are read past. A
 * table it reads that the snapshot lacks reads as empty (SnapshotTables).
 */
interface BuildbotLayout {
  workerTable: 'workers' | 'buildslaves';
  workerColumn: 'workerid' | 'buildslaveid';
  hasBuilderTags: boolean;
  hasStepHidden: boolean;
  hasStepUrls: boolean;
}

export function isBuildbot(db: Database.Database, schema: string): boolean {
  const tables = tablesOf(db, schema);
  if (!tables.has('builds') || !tables.has('steps') || !tables.has('builders')) return false;
  const buildColumns = columnsOf(db, schema, 'builds');
  return buildColumns.has('builderid') && buildColumns.has('number');
}

function buildbotVersion(db: Database.Database): string {
  const tables = tablesOf(db, S);
  const read = (sql: string) => (db.prepare(sql).pluck().get() as string | number | undefined) ?? '?';
  if (tables.has('alembic_version')) return `alembic ${read(`SELECT version_num FROM ${S}.alembic_version`)}`;
  if (tables.has('migrate_version')) return `migrate ${read(`SELECT version FROM ${S}.migrate_version`)}`;
  return 'unversioned';
}

export class BuildbotTranslator implements Translator {
  readonly schema: SchemaInfo;
  private readonly layout: BuildbotLayout;
  private readonly tables: SnapshotTables;

  constructor(db: Database.Database) {
    const tables = tablesOf(db, S);
    const steps = columnsOf(db, S, 'steps');
    const workerTable = tables.has('buildslaves') && !tables.has('workers') ? 'buildslaves' : 'workers';
    this.tables = new SnapshotTables(db, BUILDBOT_37_DDL, [
      'builders', 'builds', 'steps', workerTable, 'masters', 'buildrequests', 'buildsets', 'buildset_sourcestamps',
      'build_properties', 'logs', 'logchunks', 'sourcestamps', 'changes', 'change_files',
    ]);
    this.layout = {
      workerTable,
      workerColumn: columnsOf(db, S, 'builds').has('workerid') ? 'workerid' : 'buildslaveid',
      hasBuilderTags: tables.has('builders_tags') && tables.has('tags'),
      hasStepHidden: steps.has('hidden'),
      hasStepUrls: steps.has('urls_json'),
    };
    this.schema = { kind: 'buildbot', description: `buildbot state.sqlite (${buildbotVersion(db)})`, absentTables: this.tables.absent };
  }

  translation(t: string, scope: TranslationScope | null): TableRows[] {
    const { workerTable, workerColumn, hasBuilderTags, hasStepHidden, hasStepUrls } = this.layout;
    const all = 'true';
    const ofBuilds = (column: string) => scoped(scope, `${column} IN (SELECT id FROM ${t}.builds)`);
    return [
      { table: 'builders', rows: `SELECT id, name, description FROM ${this.tables.from('builders')}` },
      ...(hasBuilderTags
        ? [{ table: 'builder_tags', duplicates: 'ignore' as const, rows: `SELECT bt.builderid, tg.name FROM ${this.tables.from('builders_tags')} bt JOIN ${this.tables.from('tags')} tg ON tg.id = bt.tagid` }]
        : []),
      { table: 'workers', rows: `SELECT id, name FROM ${this.tables.from(workerTable)}` },
      { table: 'masters', rows: `SELECT id, name, NULL FROM ${this.tables.from('masters')}` },
      { table: 'builds', rows: `SELECT b.id, b.number, b.builderid, b.${workerColumn}, b.masterid, b.started_at, b.complete_at,
               coalesce(b.state_string, ''), b.results, bs.reason, 0, bs.parent_buildid, b.buildrequestid
        FROM ${this.tables.from('builds')} b
        LEFT JOIN ${this.tables.from('buildrequests')} br ON br.id = b.buildrequestid
        LEFT JOIN ${this.tables.from('buildsets')} bs ON bs.id = br.buildsetid
        WHERE ${scope?.build('b.id') ?? all}` },
      { table: 'build_sourcestamps', duplicates: 'ignore', rows: `SELECT b.id, bss.sourcestampid FROM ${this.tables.from('builds')} b
        JOIN ${this.tables.from('buildrequests')} br ON br.id = b.buildrequestid
        JOIN ${this.tables.from('buildset_sourcestamps')} bss ON bss.buildsetid = br.buildsetid
        WHERE ${ofBuilds('b.id')}` },
      { table: 'build_properties', rows: `SELECT buildid, name, coalesce(value, 'null'), coalesce(source, '') FROM ${this.tables.from('build_properties')}
        WHERE ${ofBuilds('buildid')} ORDER BY buildid, name, rowid` },
      { table: 'steps', rows: `SELECT id, buildid, number, name, started_at, complete_at, coalesce(state_string, ''), results,
               ${hasStepUrls ? "coalesce(urls_json, '[]')" : "'[]'"}, ${hasStepHidden ? 'coalesce(hidden, 0)' : '0'}
        FROM ${this.tables.from('steps')} WHERE ${ofBuilds('buildid')}` },
      { table: 'logs', rows: `SELECT id, stepid, name, slug, type, num_lines FROM ${this.tables.from('logs')}
        WHERE ${scoped(scope, `stepid IN (SELECT id FROM ${t}.steps)`)}` },
      { table: 'sourcestamps', rows: `SELECT id, branch, revision, repository, project FROM ${this.tables.from('sourcestamps')} s
        WHERE ${scope?.sourcestamp('s.id') ?? all}` },
      { table: 'changes', rows: `SELECT changeid, author, coalesce(comments, ''), branch, revision, revlink, when_timestamp, repository
        FROM ${this.tables.from('changes')} c WHERE ${scope?.change('c.changeid') ?? all}` },
      { table: 'stamp_changes', duplicates: 'ignore', rows: `SELECT sourcestampid, changeid, changeid FROM ${this.tables.from('changes')}
        WHERE sourcestampid IS NOT NULL AND ${scoped(scope, `changeid IN (SELECT id FROM ${t}.changes)`)}` },
      { table: 'change_files', rows: `SELECT changeid, filename FROM ${this.tables.from('change_files')}
        WHERE ${scoped(scope, `changeid IN (SELECT id FROM ${t}.changes)`)} ORDER BY changeid, rowid` },
    ];
  }

  logChunkRows(): string {
    return `SELECT logid, first_line, last_line, content, compressed FROM ${this.tables.from('logchunks')}`;
  }

  buildIdentities(): string {
    return `SELECT id, builderid, number, started_at FROM ${this.tables.from('builds')}`;
  }

  counts(db: Database.Database): SnapshotCounts {
    const count = (sql: string) => db.prepare(sql).pluck().get() as number;
    return {
      builds: count(`SELECT count(*) FROM ${this.tables.from('builds')}`),
      steps: count(`SELECT count(*) FROM ${this.tables.from('steps')}`),
      liveLogs: count(`SELECT count(*) FROM ${this.tables.from('logs')} WHERE type <> 'd'`),
    };
  }
}
