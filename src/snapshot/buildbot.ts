import type Database from 'better-sqlite3';
import type {
  BuildDetail,
  BuildSummary,
  Builder,
  Change,
  LogInfo,
  LogRef,
  Master,
  SchemaInfo,
  SnapshotSummary,
  Sourcestamp,
  Step,
  Worker,
} from '../model/types.ts';
import type { LogChunk } from './logchunks.ts';
import { type BuildSummaryRow, buildSummary, propertyText, stampBuildsFrom } from './rows.ts';
import { ALL_BUILDS, IN_JSON, columnNames, countsBy, groupBy, idBounds, jsonIds, parseJsonOr, tableNames } from './sql.ts';
import type { BuildPage, EntityKind, Snapshot, StampBuilds, StampFilter } from './types.ts';

/**
 * Columns and tables that differ between buildbot 0.9 and 4.3, found by introspection. 0.9's
 * betas called workers "buildslaves"; tags live in `builders_tags` from 0.9 on.
 */
interface BuildbotLayout {
  workerTable: 'workers' | 'buildslaves';
  workerColumn: 'workerid' | 'buildslaveid';
  hasBuilderTags: boolean;
  hasStepHidden: boolean;
  hasStepUrls: boolean;
  hasCommitter: boolean;
}

export function isBuildbot(db: Database.Database): boolean {
  const tables = tableNames(db);
  if (!tables.has('builds') || !tables.has('steps') || !tables.has('builders')) return false;
  const buildColumns = columnNames(db, 'builds');
  return buildColumns.has('builderid') && buildColumns.has('number');
}

function buildbotLayout(db: Database.Database): BuildbotLayout {
  const tables = tableNames(db);
  const buildColumns = columnNames(db, 'builds');
  const stepColumns = columnNames(db, 'steps');
  return {
    workerTable: tables.has('workers') ? 'workers' : 'buildslaves',
    workerColumn: buildColumns.has('workerid') ? 'workerid' : 'buildslaveid',
    hasBuilderTags: tables.has('builders_tags') && tables.has('tags'),
    hasStepHidden: stepColumns.has('hidden'),
    hasStepUrls: stepColumns.has('urls_json'),
    hasCommitter: columnNames(db, 'changes').has('committer'),
  };
}

function buildbotVersion(db: Database.Database): string {
  const tables = tableNames(db);
  const read = (sql: string) => (db.prepare(sql).pluck().get() as string | number | undefined) ?? '?';
  if (tables.has('alembic_version')) return `alembic ${read('SELECT version_num FROM alembic_version')}`;
  if (tables.has('migrate_version')) return `migrate ${read('SELECT version FROM migrate_version')}`;
  return 'unversioned';
}

interface BuildRow {
  id: number;
  number: number;
  builderid: number;
  workerid: number | null;
  masterid: number | null;
  started_at: number | null;
  complete_at: number | null;
  state_string: string | null;
  results: number | null;
  reason: string | null;
  parent_buildid: number | null;
  previous_id: number | null;
  next_id: number | null;
}

interface StepRow {
  id: number;
  buildid: number;
  number: number;
  name: string;
  started_at: number | null;
  complete_at: number | null;
  state_string: string | null;
  results: number | null;
  urls_json: string | null;
  hidden: number;
}

interface ChangeRow {
  changeid: number;
  sourcestampid: number;
  author: string | null;
  committer: string | null;
  comments: string | null;
  branch: string | null;
  revision: string | null;
  revlink: string | null;
  when_timestamp: number | null;
  repository: string | null;
}

const SUMMARY_COLUMNS = 'id, number, builderid, results AS result, started_at, complete_at';

export class BuildbotSnapshot implements Snapshot {
  readonly schema: SchemaInfo;
  private readonly layout: BuildbotLayout;

  constructor(
    private readonly db: Database.Database,
    readonly file: string,
  ) {
    this.layout = buildbotLayout(db);
    this.schema = { kind: 'buildbot', description: `buildbot state.sqlite (${buildbotVersion(db)})` };
  }

  summary(): SnapshotSummary {
    const count = (table: string) => this.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    const span = this.db.prepare('SELECT min(started_at) AS first, max(started_at) AS last FROM builds').get() as {
      first: number | null;
      last: number | null;
    };
    const results = this.db
      .prepare('SELECT results AS result, count(*) AS count FROM builds GROUP BY results ORDER BY results')
      .all() as { result: number | null; count: number }[];
    return {
      builds: count('builds'),
      builders: count('builders'),
      workers: count(this.layout.workerTable),
      masters: count('masters'),
      changes: count('changes'),
      sourcestamps: count('sourcestamps'),
      steps: count('steps'),
      firstStart: span.first,
      lastStart: span.last,
      results,
    };
  }

  builders(): Builder[] {
    const rows = this.db.prepare('SELECT id, name, description FROM builders ORDER BY id').all() as {
      id: number;
      name: string;
      description: string | null;
    }[];
    const tags = this.layout.hasBuilderTags
      ? groupBy(
          this.db
            .prepare(
              'SELECT bt.builderid, t.name FROM builders_tags bt JOIN tags t ON t.id = bt.tagid ORDER BY bt.builderid, t.name',
            )
            .all() as { builderid: number; name: string }[],
          (row) => row.builderid,
        )
      : new Map<number, { name: string }[]>();
    return rows.map((row) => ({ ...row, tags: (tags.get(row.id) ?? []).map((tag) => tag.name) }));
  }

  workers(): Worker[] {
    return this.db.prepare(`SELECT id, name FROM ${this.layout.workerTable} ORDER BY id`).all() as Worker[];
  }

  masters(): Master[] {
    return this.db.prepare('SELECT id, name, NULL AS url FROM masters ORDER BY id').all() as Master[];
  }

  buildIdBounds(): { min: number; max: number } | null {
    return idBounds(this.db, 'builds');
  }

  buildIds(from: number, to: number): number[] {
    return this.db.prepare('SELECT id FROM builds WHERE id BETWEEN ? AND ? ORDER BY id').pluck().all(from, to) as number[];
  }

  buildDetails(from: number, to: number): BuildDetail[] {
    const builds = this.db
      .prepare(
        `SELECT b.id, b.number, b.builderid, b.${this.layout.workerColumn} AS workerid, b.masterid,
                b.started_at, b.complete_at, b.state_string, b.results, bs.reason, bs.parent_buildid,
                (SELECT p.id FROM builds p WHERE p.builderid = b.builderid AND p.number < b.number
                  ORDER BY p.number DESC LIMIT 1) AS previous_id,
                (SELECT n.id FROM builds n WHERE n.builderid = b.builderid AND n.number > b.number
                  ORDER BY n.number LIMIT 1) AS next_id
         FROM builds b
         LEFT JOIN buildrequests br ON br.id = b.buildrequestid
         LEFT JOIN buildsets bs ON bs.id = br.buildsetid
         WHERE b.id BETWEEN ? AND ? ORDER BY b.id`,
      )
      .all(from, to) as BuildRow[];
    const stamps = groupBy(
      this.db
        .prepare(
          `SELECT b.id AS buildid, bss.sourcestampid FROM builds b
           JOIN buildrequests br ON br.id = b.buildrequestid
           JOIN buildset_sourcestamps bss ON bss.buildsetid = br.buildsetid
           WHERE b.id BETWEEN ? AND ? ORDER BY b.id, bss.sourcestampid`,
        )
        .all(from, to) as { buildid: number; sourcestampid: number }[],
      (row) => row.buildid,
    );
    const triggered = groupBy(
      this.db
        .prepare(
          `SELECT bs.parent_buildid, b.id FROM buildsets bs
           JOIN buildrequests br ON br.buildsetid = bs.id
           JOIN builds b ON b.buildrequestid = br.id
           WHERE bs.parent_buildid BETWEEN ? AND ? ORDER BY b.id`,
        )
        .all(from, to) as { parent_buildid: number; id: number }[],
      (row) => row.parent_buildid,
    );
    const properties = groupBy(
      this.db
        .prepare(
          'SELECT buildid, name, value, source FROM build_properties WHERE buildid BETWEEN ? AND ? ORDER BY buildid, name, rowid',
        )
        .all(from, to) as { buildid: number; name: string; value: string; source: string }[],
      (row) => row.buildid,
    );
    const steps = groupBy(this.steps(from, to), (step) => step.buildId);

    return builds.map((row) => ({
      id: row.id,
      number: row.number,
      builderId: row.builderid,
      workerId: row.workerid,
      masterId: row.masterid,
      startedAt: row.started_at,
      completeAt: row.complete_at,
      result: row.results,
      stateString: row.state_string ?? '',
      reason: row.reason,
      lost: false,
      sourcestampIds: (stamps.get(row.id) ?? []).map((stamp) => stamp.sourcestampid),
      parentBuildId: row.parent_buildid,
      steps: (steps.get(row.id) ?? []).map(({ buildId: _, ...step }) => step),
      properties: (properties.get(row.id) ?? []).map(({ name, value, source }) => ({ name, value, source })),
      triggeredBuildIds: (triggered.get(row.id) ?? []).map((build) => build.id),
      previousBuildId: row.previous_id,
      nextBuildId: row.next_id,
    }));
  }

  private steps(from: number, to: number): (Step & { buildId: number })[] {
    const { hasStepHidden, hasStepUrls } = this.layout;
    const rows = this.db
      .prepare(
        `SELECT id, buildid, number, name, started_at, complete_at, state_string, results,
                ${hasStepUrls ? 'urls_json' : "'[]' AS urls_json"}, ${hasStepHidden ? 'hidden' : '0 AS hidden'}
         FROM steps WHERE buildid BETWEEN ? AND ? ORDER BY buildid, number`,
      )
      .all(from, to) as StepRow[];
    const logs = groupBy(
      this.db
        .prepare(
          `SELECT l.id, l.stepid, l.name, l.slug, l.type, l.num_lines FROM logs l
           JOIN steps s ON s.id = l.stepid
           WHERE s.buildid BETWEEN ? AND ? ORDER BY l.stepid, l.id`,
        )
        .all(from, to) as { id: number; stepid: number; name: string; slug: string; type: string; num_lines: number }[],
      (row) => row.stepid,
    );
    return rows.map((row) => ({
      id: row.id,
      buildId: row.buildid,
      number: row.number,
      name: row.name,
      startedAt: row.started_at,
      completeAt: row.complete_at,
      result: row.results,
      description: row.state_string ?? '',
      hidden: row.hidden !== 0,
      urls: stepUrls(row.urls_json),
      logs: (logs.get(row.id) ?? []).map(
        (log): LogRef => ({ id: log.id, name: log.name, slug: log.slug, type: log.type, numLines: log.num_lines }),
      ),
    }));
  }

  platformProperties(buildIds: readonly number[]): Map<number, string> {
    const rows = this.db
      .prepare(`SELECT buildid, value FROM build_properties WHERE name = 'platform' AND buildid ${IN_JSON}`)
      .all(jsonIds(buildIds)) as { buildid: number; value: string }[];
    return new Map(rows.map((row) => [row.buildid, propertyText(row.value)]));
  }

  platformValues(): string[] {
    const values = this.db
      .prepare("SELECT DISTINCT value FROM build_properties WHERE name = 'platform'")
      .pluck()
      .all() as string[];
    return [...new Set(values.map(propertyText))].sort();
  }

  sourcestampIds(filter: StampFilter): number[] {
    const builtStamps = `SELECT bss.sourcestampid FROM buildset_sourcestamps bss
      WHERE EXISTS (SELECT 1 FROM buildrequests br JOIN builds b ON b.buildrequestid = br.id
                    WHERE br.buildsetid = bss.buildsetid)`;
    const ids = (sql: string, ...params: unknown[]) => this.db.prepare(sql).pluck().all(...params) as number[];
    switch (filter.kind) {
      case 'all':
        return ids('SELECT id FROM sourcestamps ORDER BY id');
      case 'nonempty':
        return ids(`SELECT id FROM sourcestamps INTERSECT SELECT sourcestampid FROM changes INTERSECT ${builtStamps} ORDER BY 1`);
      case 'branch':
        return ids('SELECT id FROM sourcestamps WHERE branch IS ? ORDER BY id', filter.branch);
      case 'builders':
        return ids(
          `SELECT DISTINCT bss.sourcestampid FROM builds b
           JOIN buildrequests br ON br.id = b.buildrequestid
           JOIN buildset_sourcestamps bss ON bss.buildsetid = br.buildsetid
           WHERE b.builderid ${IN_JSON} ORDER BY 1`,
          jsonIds(filter.builderIds),
        );
    }
  }

  sourcestamps(ids: readonly number[]): Sourcestamp[] {
    return this.db
      .prepare(`SELECT id, branch, revision, repository, project FROM sourcestamps WHERE id ${IN_JSON} ORDER BY id`)
      .all(jsonIds(ids)) as Sourcestamp[];
  }

  changesOfSourcestamps(ids: readonly number[]): Map<number, Change[]> {
    const changes = groupBy(this.changeRows(`sourcestampid ${IN_JSON}`, jsonIds(ids)), (change) => change.sourcestampId);
    return new Map([...changes].map(([stampId, stampChanges]) => [stampId, stampChanges.map(({ sourcestampId: _, ...change }) => change)]));
  }

  changeIdBounds(): { min: number; max: number } | null {
    return idBounds(this.db, 'changes', 'changeid');
  }

  changes(from: number, to: number): (Change & { sourcestampId: number })[] {
    return this.changeRows('changeid BETWEEN ? AND ?', from, to);
  }

  private changeRows(where: string, ...params: unknown[]): (Change & { sourcestampId: number })[] {
    const rows = this.db
      .prepare(
        `SELECT changeid, sourcestampid, author, ${this.layout.hasCommitter ? 'committer' : 'NULL AS committer'},
                comments, branch, revision, revlink, when_timestamp, repository
         FROM changes WHERE ${where} ORDER BY sourcestampid, changeid`,
      )
      .all(...params) as ChangeRow[];
    const files = groupBy(
      this.db
        .prepare(`SELECT changeid, filename FROM change_files WHERE changeid ${IN_JSON} ORDER BY changeid, rowid`)
        .all(jsonIds(rows.map((row) => row.changeid))) as { changeid: number; filename: string }[],
      (row) => row.changeid,
    );
    return rows.map((row) => ({
      id: row.changeid,
      sourcestampId: row.sourcestampid,
      author: row.author,
      revision: row.revision,
      branch: row.branch,
      comments: row.comments ?? '',
      when: row.when_timestamp,
      repository: row.repository,
      revlink: row.revlink,
      files: (files.get(row.changeid) ?? []).map((file) => file.filename),
    }));
  }

  buildsOfSourcestamps(
    ids: readonly number[],
    limit: number,
    builderIds?: readonly number[],
  ): Map<number, StampBuilds> {
    const rows = this.db
      .prepare(
        `SELECT * FROM (
           SELECT bss.sourcestampid AS stampid, b.id, b.number, b.builderid, b.results AS result,
                  b.started_at, b.complete_at,
                  count(*) OVER (PARTITION BY bss.sourcestampid) AS total,
                  row_number() OVER (PARTITION BY bss.sourcestampid ORDER BY b.started_at, b.id) AS position
           FROM buildset_sourcestamps bss
           JOIN buildrequests br ON br.buildsetid = bss.buildsetid
           JOIN builds b ON b.buildrequestid = br.id
           WHERE bss.sourcestampid ${IN_JSON} ${builderIds ? `AND b.builderid ${IN_JSON}` : ''})
         WHERE position <= ? ORDER BY stampid, position`,
      )
      .all(...[jsonIds(ids), ...(builderIds ? [jsonIds(builderIds)] : []), limit]) as (BuildSummaryRow & {
      stampid: number;
      total: number;
    })[];
    return stampBuildsFrom(rows);
  }

  branches(): (string | null)[] {
    return this.db.prepare('SELECT DISTINCT branch FROM sourcestamps ORDER BY branch').pluck().all() as (string | null)[];
  }

  logSizes(): { id: number; lines: number }[] {
    return this.db.prepare('SELECT id, num_lines AS lines FROM logs ORDER BY id').all() as { id: number; lines: number }[];
  }

  logs(from: number, to: number): LogInfo[] {
    return this.logInfos('l.id BETWEEN ? AND ?', from, to);
  }

  logsOfSteps(stepIds: readonly number[]): LogInfo[] {
    return this.logInfos(`l.stepid ${IN_JSON}`, jsonIds(stepIds));
  }

  private logInfos(where: string, ...params: unknown[]): LogInfo[] {
    return this.db
      .prepare(
        `SELECT l.id, l.name, l.slug, l.type, l.num_lines AS numLines, s.buildid AS buildId,
                b.builderid AS builderId, b.number AS buildNumber, s.number AS stepNumber, s.name AS stepName,
                s.results AS stepResult, s.started_at AS stepStartedAt, s.complete_at AS stepCompleteAt
         FROM logs l JOIN steps s ON s.id = l.stepid JOIN builds b ON b.id = s.buildid
         WHERE ${where} ORDER BY l.id`,
      )
      .all(...params) as LogInfo[];
  }

  logChunks(logId: number): IterableIterator<LogChunk> {
    return this.db
      .prepare('SELECT first_line, last_line, content, compressed FROM logchunks WHERE logid = ? ORDER BY first_line')
      .iterate(logId) as IterableIterator<LogChunk>;
  }

  buildCounts(kind: EntityKind): Map<number, number> {
    return countsBy(this.db, 'builds', this.entityColumn(kind));
  }

  buildsOf(kind: EntityKind, id: number, page: BuildPage = ALL_BUILDS): BuildSummary[] {
    const rows = this.db
      .prepare(`SELECT ${SUMMARY_COLUMNS} FROM builds WHERE ${this.entityColumn(kind)} = ? ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(id, page.limit, page.offset) as BuildSummaryRow[];
    return rows.map(buildSummary);
  }

  private entityColumn(kind: EntityKind): string {
    return { builder: 'builderid', worker: this.layout.workerColumn, master: 'masterid' }[kind];
  }

  close(): void {
    this.db.close();
  }
}

function stepUrls(json: string | null): { name: string; url: string }[] {
  const parsed = parseJsonOr(json, []);
  if (!Array.isArray(parsed)) return [];
  return parsed
    .filter((entry): entry is { name: unknown; url: unknown } => typeof entry === 'object' && entry !== null)
    .map((entry) => ({ name: String(entry.name ?? entry.url), url: String(entry.url ?? '') }));
}
