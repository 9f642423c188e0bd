import type Database from 'better-sqlite3';
import type { SchemaInfo } from '../model/types.ts';
import { MAX_BUILD_DATA } from '../record/schema.ts';
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
 * `steps.urls_json` came later; 2.9–4.3 added test results, build data, projects, codebases, lock
 * waits and rebuilds, which a snapshot of an earlier master simply lacks (nothing is said of them).
 * A table it reads that the snapshot lacks reads as empty (SnapshotTables).
 */
interface BuildbotLayout {
  workerTable: 'workers' | 'buildslaves';
  workerColumn: 'workerid' | 'buildslaveid';
  hasBuilderTags: boolean;
  /** A column of a snapshot table (qualified by `alias`), or NULL where this master's schema lacks it. */
  column(table: string, name: string, alias?: string): string;
  /** Whether the snapshot has all these tables (the additions of later masters). */
  has(...tables: string[]): boolean;
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
    const workerTable = tables.has('buildslaves') && !tables.has('workers') ? 'buildslaves' : 'workers';
    this.tables = new SnapshotTables(db, BUILDBOT_37_DDL, [
      'builders', 'builds', 'steps', workerTable, 'masters', 'buildrequests', 'buildsets', 'buildset_sourcestamps',
      'build_properties', 'logs', 'logchunks', 'sourcestamps', 'changes', 'change_files',
    ]);
    this.layout = {
      workerTable,
      workerColumn: columnsOf(db, S, 'builds').has('workerid') ? 'workerid' : 'buildslaveid',
      hasBuilderTags: tables.has('builders_tags') && tables.has('tags'),
      column: (table, name, alias = '') => (tables.has(table) && columnsOf(db, S, table).has(name) ? `${alias}${name}` : 'NULL'),
      has: (...names) => names.every((name) => tables.has(name)),
    };
    this.schema = { kind: 'buildbot', description: `buildbot state.sqlite (${buildbotVersion(db)})`, absentTables: this.tables.absent };
  }

  translation(t: string, scope: TranslationScope | null): TableRows[] {
    const { workerTable, workerColumn, hasBuilderTags, column } = this.layout;
    const all = 'true';
    const ofBuilds = (column: string) => scoped(scope, `${column} IN (SELECT id FROM ${t}.builds)`);
    return [
      { table: 'builders', rows: `SELECT id, name, description, ${column('builders', 'projectid')} FROM ${this.tables.from('builders')}` },
      ...(hasBuilderTags
        ? [{ table: 'builder_tags', duplicates: 'ignore' as const, rows: `SELECT bt.builderid, tg.name FROM ${this.tables.from('builders_tags')} bt JOIN ${this.tables.from('tags')} tg ON tg.id = bt.tagid` }]
        : []),
      { table: 'workers', rows: `SELECT id, name, ${column(workerTable, 'pause_reason')} FROM ${this.tables.from(workerTable)}` },
      { table: 'masters', rows: `SELECT id, name, NULL FROM ${this.tables.from('masters')}` },
      { table: 'builds', rows: `SELECT b.id, b.number, b.builderid, b.${workerColumn}, b.masterid, b.started_at, b.complete_at,
               coalesce(b.state_string, ''), b.results, bs.reason, 0, bs.parent_buildid, b.buildrequestid,
               ${column('builds', 'locks_duration_s', 'b.')}, ${column('buildsets', 'rebuilt_buildid', 'bs.')}, 1
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
               coalesce(${column('steps', 'urls_json')}, '[]'), coalesce(${column('steps', 'hidden')}, 0), ${column('steps', 'locks_acquired_at')}
        FROM ${this.tables.from('steps')} WHERE ${ofBuilds('buildid')}` },
      { table: 'logs', rows: `SELECT id, stepid, name, slug, type, num_lines FROM ${this.tables.from('logs')}
        WHERE ${scoped(scope, `stepid IN (SELECT id FROM ${t}.steps)`)}` },
      { table: 'sourcestamps', rows: `SELECT id, branch, revision, repository, project, nullif(${column('sourcestamps', 'codebase')}, '') FROM ${this.tables.from('sourcestamps')} s
        WHERE ${scope?.sourcestamp('s.id') ?? all}` },
      { table: 'changes', rows: `SELECT changeid, author, coalesce(comments, ''), branch, revision, revlink, when_timestamp, repository,
               nullif(${column('changes', 'codebase')}, '')
        FROM ${this.tables.from('changes')} c WHERE ${scope?.change('c.changeid') ?? all}` },
      { table: 'stamp_changes', duplicates: 'ignore', rows: `SELECT sourcestampid, changeid, changeid FROM ${this.tables.from('changes')}
        WHERE sourcestampid IS NOT NULL AND ${scoped(scope, `changeid IN (SELECT id FROM ${t}.changes)`)}` },
      { table: 'change_files', rows: `SELECT changeid, filename FROM ${this.tables.from('change_files')}
        WHERE ${scoped(scope, `changeid IN (SELECT id FROM ${t}.changes)`)} ORDER BY changeid, rowid` },
      ...this.laterTables(t, scope),
    ];
  }

  /** What buildbot 2.9–4.3 added, for the tables this snapshot has. */
  private laterTables(t: string, scope: TranslationScope | null): TableRows[] {
    const { has, column } = this.layout;
    const ofBuilds = (id: string) => scoped(scope, `${id} IN (SELECT id FROM ${t}.builds)`);
    return [
      ...(has('projects')
        ? [{ table: 'projects', rows: `SELECT id, name, slug, description, ${column('projects', 'description_html')} FROM ${S}.projects` }]
        : []),
      ...(has('codebases') ? [{ table: 'codebases', rows: `SELECT id, projectid, name FROM ${S}.codebases` }] : []),
      ...(has('codebase_commits')
        ? [{ table: 'codebase_commits', rows: `SELECT id, codebaseid, author, committer, comments, when_timestamp, revision, parent_commitid
            FROM ${S}.codebase_commits c WHERE ${scope?.commit('c.id') ?? 'true'}` }]
        : []),
      ...(has('test_result_sets', 'test_results', 'test_names', 'test_code_paths')
        ? [
            { table: 'test_result_sets', rows: `SELECT id, buildid, stepid, description, category, value_unit, tests_passed, tests_failed, complete
                FROM ${S}.test_result_sets WHERE ${ofBuilds('buildid')}` },
            { table: 'test_results', rows: `SELECT r.id, r.test_result_setid, n.name, p.path, r.line, r.duration_ns, r.value
                FROM ${S}.test_results r LEFT JOIN ${S}.test_names n ON n.id = r.test_nameid
                LEFT JOIN ${S}.test_code_paths p ON p.id = r.test_code_pathid
                WHERE ${scoped(scope, `r.test_result_setid IN (SELECT id FROM ${t}.test_result_sets)`)}` },
          ]
        : []),
      ...(has('build_data')
        ? [{ table: 'build_data', rows: `SELECT id, buildid, name, CASE WHEN length <= ${MAX_BUILD_DATA} THEN value END, length, source
            FROM ${S}.build_data WHERE ${ofBuilds('buildid')}` }]
        : []),
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
