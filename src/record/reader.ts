import type Database from 'better-sqlite3';
import type { BuildStatus, BuildSummary, Builder, Change, LogInfo, Master, Project, SchemaInfo, SnapshotSummary, Sourcestamp, Worker } from '../model/types.ts';
import type { LogChunk } from '../snapshot/logchunks.ts';
import { IN_JSON, groupBy, jsonIds, parseJsonOr } from './sql.ts';

/** Which sourcestamps a listing shows. */
export type StampFilter =
  | { kind: 'all' }
  /** Coconut's exclude_empty: stamps with both builds and changes. */
  | { kind: 'nonempty' }
  | { kind: 'branch'; branch: string | null }
  /** Stamps built by any of these builders (a tag's or a category's). */
  | { kind: 'builders'; builderIds: readonly number[] };

/** Whose builds an entity page lists. */
export type EntityKind = 'builder' | 'worker' | 'master';

/** The builds column naming a builder, worker or master. */
export const ENTITY_COLUMN = { builder: 'builderid', worker: 'workerid', master: 'masterid' } as const;

/** A slice of a list of builds: skip `offset` rows, then take `limit` (negative: all). */
export interface Slice {
  offset: number;
  limit: number;
}

/** Every row: SQLite reads a negative LIMIT as none. */
export const ALL: Slice = { offset: 0, limit: -1 };

export interface StampBuilds {
  /** How many builds the stamp has in all (within the facet's builders). */
  total: number;
  /** The first `limit` of them by start time. */
  builds: BuildSummary[];
}

/** A build and the builder, worker and master it belongs to. */
export interface BuildOwners {
  id: number;
  /** Added by the last update (not merely changed). */
  isNew: boolean;
  builder: number;
  worker: number | null;
  master: number | null;
}

/** Columns of a build as listings show it, from a `builds b`. */
export const SUMMARY_COLUMNS = 'b.id, b.number, b.builderid, b.results AS result, b.started_at, b.complete_at, b.lost';

export interface SummaryRow {
  id: number;
  number: number;
  builderid: number;
  result: number | null;
  started_at: number | null;
  complete_at: number | null;
  lost: number;
}

export function buildSummary(row: SummaryRow): BuildSummary {
  return {
    id: row.id,
    number: row.number,
    builderId: row.builderid,
    result: row.result,
    startedAt: row.started_at,
    completeAt: row.complete_at,
    lost: row.lost === 1,
  };
}

interface ChangeRow {
  id: number;
  stampid: number | null;
  author: string | null;
  comments: string;
  branch: string | null;
  revision: string | null;
  revlink: string | null;
  when_timestamp: number | null;
  repository: string | null;
  codebase: string | null;
}

export const withoutStamp = ({ sourcestampId: _, ...change }: Change & { sourcestampId: number | null }): Change => change;

/** Stamps whose own row or changes the last update changed (not their builds). */
export const CHANGED_STAMP_ROWS = `
  SELECT id FROM delta WHERE tbl IN ('sourcestamps', 'stamp_changes')
  UNION SELECT sc.sourcestampid FROM delta d JOIN stamp_changes sc ON sc.changeid = d.id WHERE d.tbl IN ('changes', 'change_files')`;

/**
 * copra's record as pages read it: the one interface every page model reads through. The queries
 * several kinds of page share are here, each reading a bounded window — a range of ids or an
 * explicit list — so callers decide how much is in memory at once; lists come back ordered. A
 * query only one kind uses lives beside that kind (src/pages/), through `statement`.
 */
export class RecordReader {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    readonly db: Database.Database,
    readonly schema: SchemaInfo,
    /** The archive's title, kept from its first build (or the last --title). */
    readonly title: string,
  ) {}

  /** What the record holds, counted. */
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
      workers: count('workers'),
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
    const rows = this.db.prepare('SELECT id, name, description, projectid AS projectId FROM builders ORDER BY id').all() as Omit<Builder, 'tags'>[];
    const tags = groupBy(
      this.db.prepare('SELECT builderid, tag FROM builder_tags ORDER BY builderid, tag').all() as { builderid: number; tag: string }[],
      (row) => row.builderid,
    );
    return rows.map((row) => ({ ...row, tags: (tags.get(row.id) ?? []).map((tag) => tag.tag) }));
  }

  workers(): Worker[] {
    return this.db.prepare('SELECT id, name, pause_reason AS pauseReason FROM workers ORDER BY id').all() as Worker[];
  }

  /** Whether any build has test results or build data: whether the CI uses them. */
  hasBuildReports(): boolean {
    return this.db.prepare('SELECT EXISTS (SELECT 1 FROM test_result_sets) OR EXISTS (SELECT 1 FROM build_data)').pluck().get() === 1;
  }

  projects(): Project[] {
    return this.db.prepare('SELECT id, name, slug, description, description_html AS descriptionHtml FROM projects ORDER BY id').all() as Project[];
  }

  masters(): Master[] {
    return this.db.prepare('SELECT id, name, url FROM masters ORDER BY id').all() as Master[];
  }

  /** The `platform` property of each of these builds that has one. */
  platformProperties(buildIds: readonly number[]): Map<number, string> {
    const rows = this.statement(
      `SELECT bp.buildid, bp.value FROM json_each(?) ids
       CROSS JOIN build_properties bp ON bp.buildid = ids.value AND bp.name = 'platform'`,
    ).all(jsonIds(buildIds)) as { buildid: number; value: string }[];
    return new Map(rows.map((row) => [row.buildid, propertyText(row.value)]));
  }

  /** Every distinct value of the `platform` build property. */
  platformValues(): string[] {
    const values = this.db.prepare("SELECT DISTINCT value FROM build_properties WHERE name = 'platform'").pluck().all() as string[];
    return [...new Set(values.map(propertyText))].sort();
  }

  /** Ids of the sourcestamps that pass the filter, ascending. */
  sourcestampIds(filter: StampFilter): number[] {
    const ids = (sql: string, ...params: unknown[]) => this.db.prepare(sql).pluck().all(...params) as number[];
    switch (filter.kind) {
      case 'all':
        return ids('SELECT id FROM sourcestamps ORDER BY id');
      case 'nonempty':
        return ids(
          `SELECT id FROM sourcestamps INTERSECT SELECT sourcestampid FROM stamp_changes
           INTERSECT SELECT sourcestampid FROM build_sourcestamps ORDER BY 1`,
        );
      case 'branch':
        return ids('SELECT id FROM sourcestamps WHERE branch IS ? ORDER BY id', filter.branch);
      case 'builders':
        return ids(
          `SELECT DISTINCT bs.sourcestampid FROM builds b JOIN build_sourcestamps bs ON bs.buildid = b.id
           WHERE b.builderid ${IN_JSON} ORDER BY 1`,
          jsonIds(filter.builderIds),
        );
    }
  }

  sourcestamps(ids: readonly number[]): Sourcestamp[] {
    return this.statement(`SELECT id, branch, revision, repository, project, codebase FROM sourcestamps WHERE id ${IN_JSON} ORDER BY id`)
      .all(jsonIds(ids)) as Sourcestamp[];
  }

  /** Changes of each stamp, in the stamp's order. */
  changesOfSourcestamps(ids: readonly number[]): Map<number, Change[]> {
    const changes = groupBy(
      this.changeRows(
        `SELECT sc.sourcestampid AS stampid, c.* FROM stamp_changes sc JOIN changes c ON c.id = sc.changeid
         WHERE sc.sourcestampid ${IN_JSON} ORDER BY sc.sourcestampid, sc.position`,
        jsonIds(ids),
      ),
      (change) => change.sourcestampId!,
    );
    return new Map([...changes].map(([stampId, stampChanges]) => [stampId, stampChanges.map(withoutStamp)]));
  }

  /** Every change id, ascending; with `stampIds`, the changes on those sourcestamps. */
  changeIds(stampIds?: readonly number[]): number[] {
    const sql = stampIds
      ? `SELECT DISTINCT changeid FROM stamp_changes WHERE sourcestampid ${IN_JSON} ORDER BY 1`
      : 'SELECT id FROM changes ORDER BY id';
    return this.db.prepare(sql).pluck().all(...(stampIds ? [jsonIds(stampIds)] : [])) as number[];
  }

  /** These changes, ascending. */
  changesWithIds(ids: readonly number[]): Change[] {
    return this.changeRows(`SELECT NULL AS stampid, c.* FROM changes c WHERE c.id ${IN_JSON} ORDER BY c.id`, jsonIds(ids)).map(withoutStamp);
  }

  /** Changes as `sql` selects them (a stamp id and every column of changes), with their files. */
  changeRows(sql: string, ...params: unknown[]): (Change & { sourcestampId: number | null })[] {
    const rows = this.statement(sql).all(...params) as ChangeRow[];
    const files = groupBy(
      this.statement(`SELECT changeid, filename FROM change_files WHERE changeid ${IN_JSON} ORDER BY changeid, rowid`)
        .all(jsonIds(rows.map((row) => row.id))) as { changeid: number; filename: string }[],
      (row) => row.changeid,
    );
    return rows.map((row) => ({
      id: row.id,
      sourcestampId: row.stampid,
      author: row.author,
      revision: row.revision,
      branch: row.branch,
      comments: row.comments,
      when: row.when_timestamp,
      repository: row.repository,
      codebase: row.codebase,
      revlink: row.revlink,
      files: (files.get(row.id) ?? []).map((file) => file.filename),
    }));
  }

  /**
   * Builds of each stamp, ordered by start: the first `limit` and the total. With `builderIds`,
   * only those builders' builds count.
   */
  buildsOfSourcestamps(ids: readonly number[], limit: number, builderIds?: readonly number[]): Map<number, StampBuilds> {
    const rows = this.statement(
      `SELECT * FROM (
         SELECT bs.sourcestampid AS stampid, ${SUMMARY_COLUMNS},
                count(*) OVER (PARTITION BY bs.sourcestampid) AS total,
                row_number() OVER (PARTITION BY bs.sourcestampid ORDER BY b.started_at, b.id) AS position
         FROM build_sourcestamps bs JOIN builds b ON b.id = bs.buildid
         WHERE bs.sourcestampid ${IN_JSON} ${builderIds ? `AND b.builderid ${IN_JSON}` : ''})
       WHERE position <= ? ORDER BY stampid, position`,
    ).all(...[jsonIds(ids), ...(builderIds ? [jsonIds(builderIds)] : []), limit]) as (SummaryRow & {
      stampid: number;
      total: number;
    })[];
    const byStamp = new Map<number, StampBuilds>();
    for (const row of rows) {
      let entry = byStamp.get(row.stampid);
      if (!entry) byStamp.set(row.stampid, (entry = { total: row.total, builds: [] }));
      entry.builds.push(buildSummary(row));
    }
    return byStamp;
  }

  /** Distinct sourcestamp branches (null for stamps without one). */
  branches(): (string | null)[] {
    return this.db.prepare('SELECT DISTINCT branch FROM sourcestamps ORDER BY branch').pluck().all() as (string | null)[];
  }

  /** The logs of these steps, with their step and build. */
  logsOfSteps(stepIds: readonly number[]): LogInfo[] {
    return this.logInfos(`l.stepid ${IN_JSON}`, jsonIds(stepIds));
  }

  /** Logs with their step and build, as `where` (over `logs l`) selects them, by id. */
  logInfos(where: string, ...params: unknown[]): LogInfo[] {
    return this.statement(
      `SELECT l.id, l.name, l.slug, l.type, l.num_lines AS numLines, s.buildid AS buildId,
              b.builderid AS builderId, b.number AS buildNumber, s.number AS stepNumber, s.name AS stepName,
              s.results AS stepResult, s.started_at AS stepStartedAt, s.complete_at AS stepCompleteAt
       FROM logs l JOIN steps s ON s.id = l.stepid JOIN builds b ON b.id = s.buildid
       WHERE ${where} ORDER BY l.id`,
    ).all(...params) as LogInfo[];
  }

  /** A log's chunks in line order, read lazily: logs can be larger than memory allows. */
  logChunks(logId: number): IterableIterator<LogChunk> {
    return this.db
      .prepare('SELECT first_line, last_line, content, compressed FROM logchunks WHERE logid = ? ORDER BY first_line')
      .iterate(logId) as IterableIterator<LogChunk>;
  }

  /**
   * Each builder's (worker's, master's) builds at a glance, its `recent` most recently started
   * among them; for every entity with builds, or only these. Recent means by start time, ids
   * breaking ties.
   */
  buildStatus(kind: EntityKind, recent: number, ids?: readonly number[]): Map<number, BuildStatus> {
    const column = ENTITY_COLUMN[kind];
    const where = ids ? `b.${column} ${IN_JSON}` : `b.${column} IS NOT NULL`;
    const params = ids ? [jsonIds(ids)] : [];
    const newest = (condition: string, limit: number) =>
      this.statement(
        `SELECT * FROM (
           SELECT ${SUMMARY_COLUMNS}, b.${column} AS owner,
                  row_number() OVER (PARTITION BY b.${column} ORDER BY b.started_at DESC, b.id DESC) AS position
           FROM builds b WHERE ${where} ${condition})
         WHERE position <= ? ORDER BY owner, position`,
      ).all(...params, limit) as (SummaryRow & { owner: number })[];
    // Badges and success rates ask for no recent builds: no window query then.
    const recentBuilds = recent > 0 ? groupBy(newest('', recent), (row) => row.owner) : new Map<number, (SummaryRow & { owner: number })[]>();
    const lastFinished = new Map(newest('AND b.results IS NOT NULL', 1).map((row) => [row.owner, buildSummary(row)]));
    const counts = this.statement(
      `SELECT b.${column} AS owner, count(*) AS builds, count(b.results) AS finished, count(*) FILTER (WHERE b.results = 0) AS successes
       FROM builds b WHERE ${where} GROUP BY b.${column}`,
    ).all(...params) as { owner: number; builds: number; finished: number; successes: number }[];
    return new Map(
      counts.map(({ owner, ...count }) => [
        owner,
        { ...count, recent: (recentBuilds.get(owner) ?? []).map(buildSummary), lastFinished: lastFinished.get(owner) ?? null },
      ]),
    );
  }

  /** Sourcestamps whose page or listing row the last update changed: the stamp, its changes or its builds. */
  changedSourcestamps(): number[] {
    return this.ids(
      `${CHANGED_STAMP_ROWS}
       UNION SELECT id FROM delta WHERE tbl = 'sourcestamp_builds'
       UNION SELECT bs.sourcestampid FROM delta d JOIN build_sourcestamps bs ON bs.buildid = d.id
             WHERE d.tbl IN ('builds', 'build_properties')`,
      'sourcestamps',
    );
  }

  /** Changes the last update added or changed, or linked to another sourcestamp. */
  changedChanges(): number[] {
    return this.ids("SELECT id FROM delta WHERE tbl IN ('changes', 'change_files', 'change_stamps')", 'changes');
  }

  /** The builds the last update added or changed, with whose they are. */
  changedBuildOwners(): BuildOwners[] {
    return this.db
      .prepare(
        `SELECT b.id, d.new AS isNew, b.builderid AS builder, b.workerid AS worker, b.masterid AS master
         FROM delta d JOIN builds b ON b.id = d.id WHERE d.tbl = 'builds' ORDER BY b.id`,
      )
      .all()
      .map((row) => ({ ...(row as BuildOwners), isNew: (row as { isNew: number }).isNew === 1 }));
  }

  /** Ids a query selects that `table` holds, ascending: the delta names rows the record may lack. */
  ids(sql: string, table: string): number[] {
    return this.db.prepare(`SELECT id FROM ${table} WHERE id IN (${sql}) ORDER BY id`).pluck().all() as number[];
  }

  /** A prepared statement, kept: queries run once per build prepare theirs once. */
  statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  close(): void {
    this.db.close();
  }
}

/** A property's JSON value as plain text: strings unquoted, anything else as JSON. */
export function propertyText(value: string): string {
  const parsed = parseJsonOr(value, value);
  return typeof parsed === 'string' ? parsed : JSON.stringify(parsed);
}
