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
import type { LogChunk } from '../snapshot/logchunks.ts';
import { ALL_BUILDS, IN_JSON, countsBy, groupBy, idBounds, jsonIds, parseJsonOr } from '../snapshot/sql.ts';
import type { BuildPage, EntityKind, Snapshot, StampBuilds } from '../snapshot/types.ts';
import type { StampFilter } from '../snapshot/types.ts';

/** Columns of a build as listings show it. */
const SUMMARY_COLUMNS = 'b.id, b.number, b.builderid, b.results AS result, b.started_at, b.complete_at, b.lost';
const ENTITY_COLUMN = { builder: 'builderid', worker: 'workerid', master: 'masterid' } as const;

interface SummaryRow {
  id: number;
  number: number;
  builderid: number;
  result: number | null;
  started_at: number | null;
  complete_at: number | null;
  lost: number;
}

function buildSummary(row: SummaryRow): BuildSummary {
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

interface BuildRow extends SummaryRow {
  workerid: number | null;
  masterid: number | null;
  state_string: string;
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
  state_string: string;
  results: number | null;
  urls_json: string;
  hidden: number;
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
}

/**
 * Every query a page needs, written once, over copra's record. Each method reads a bounded
 * window — a range of ids or an explicit list — so callers decide how much is in memory at once.
 */
export class RecordSnapshot implements Snapshot {
  constructor(
    private readonly db: Database.Database,
    readonly file: string,
    readonly schema: SchemaInfo,
    /** The archive's title, kept from its first build (or the last --title). */
    readonly title: string,
  ) {}

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
    const rows = this.db.prepare('SELECT id, name, description FROM builders ORDER BY id').all() as Omit<Builder, 'tags'>[];
    const tags = groupBy(
      this.db.prepare('SELECT builderid, tag FROM builder_tags ORDER BY builderid, tag').all() as { builderid: number; tag: string }[],
      (row) => row.builderid,
    );
    return rows.map((row) => ({ ...row, tags: (tags.get(row.id) ?? []).map((tag) => tag.tag) }));
  }

  workers(): Worker[] {
    return this.db.prepare('SELECT id, name FROM workers ORDER BY id').all() as Worker[];
  }

  masters(): Master[] {
    return this.db.prepare('SELECT id, name, url FROM masters ORDER BY id').all() as Master[];
  }

  buildIdBounds(): { min: number; max: number } | null {
    return idBounds(this.db, 'builds');
  }

  buildIds(from: number, to: number): number[] {
    return this.db.prepare('SELECT id FROM builds WHERE id BETWEEN ? AND ? ORDER BY id').pluck().all(from, to) as number[];
  }

  buildDetails(from: number, to: number): BuildDetail[] {
    // Neighbours in the builder's order of numbers (ids break ties between duplicate numbers).
    const builds = this.db
      .prepare(
        `SELECT b.*, b.results AS result,
                (SELECT p.id FROM builds p WHERE p.builderid = b.builderid
                  AND (p.number < b.number OR (p.number = b.number AND p.id < b.id))
                  ORDER BY p.number DESC, p.id DESC LIMIT 1) AS previous_id,
                (SELECT n.id FROM builds n WHERE n.builderid = b.builderid
                  AND (n.number > b.number OR (n.number = b.number AND n.id > b.id))
                  ORDER BY n.number, n.id LIMIT 1) AS next_id
         FROM builds b WHERE b.id BETWEEN ? AND ? ORDER BY b.id`,
      )
      .all(from, to) as BuildRow[];
    const byBuild = <T extends { buildid: number }>(sql: string) =>
      groupBy(this.db.prepare(sql).all(from, to) as T[], (row) => row.buildid);
    const stamps = byBuild<{ buildid: number; sourcestampid: number }>(
      'SELECT buildid, sourcestampid FROM build_sourcestamps WHERE buildid BETWEEN ? AND ? ORDER BY buildid, sourcestampid',
    );
    const triggered = byBuild<{ buildid: number; id: number }>(
      'SELECT parent_buildid AS buildid, id FROM builds WHERE parent_buildid BETWEEN ? AND ? ORDER BY id',
    );
    const properties = byBuild<{ buildid: number; name: string; value: string; source: string }>(
      'SELECT buildid, name, value, source FROM build_properties WHERE buildid BETWEEN ? AND ? ORDER BY buildid, name, rowid',
    );
    const steps = groupBy(this.steps(from, to), (step) => step.buildId);

    return builds.map((row) => ({
      ...buildSummary(row),
      workerId: row.workerid,
      masterId: row.masterid,
      stateString: row.state_string,
      reason: row.reason,
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
    const rows = this.db
      .prepare('SELECT * FROM steps WHERE buildid BETWEEN ? AND ? ORDER BY buildid, number, id')
      .all(from, to) as StepRow[];
    const logs = groupBy(
      this.db
        .prepare(
          `SELECT l.id, l.stepid, l.name, l.slug, l.type, l.num_lines FROM steps s
           JOIN logs l ON l.stepid = s.id WHERE s.buildid BETWEEN ? AND ? ORDER BY l.stepid, l.id`,
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
      description: row.state_string,
      hidden: row.hidden !== 0,
      urls: stepUrls(row.urls_json),
      logs: (logs.get(row.id) ?? []).map(
        (log): LogRef => ({ id: log.id, name: log.name, slug: log.slug, type: log.type, numLines: log.num_lines }),
      ),
    }));
  }

  platformProperties(buildIds: readonly number[]): Map<number, string> {
    const rows = this.db
      .prepare(
        `SELECT bp.buildid, bp.value FROM json_each(?) ids
         CROSS JOIN build_properties bp ON bp.buildid = ids.value AND bp.name = 'platform'`,
      )
      .all(jsonIds(buildIds)) as { buildid: number; value: string }[];
    return new Map(rows.map((row) => [row.buildid, propertyText(row.value)]));
  }

  platformValues(): string[] {
    const values = this.db.prepare("SELECT DISTINCT value FROM build_properties WHERE name = 'platform'").pluck().all() as string[];
    return [...new Set(values.map(propertyText))].sort();
  }

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
    return this.db
      .prepare(`SELECT id, branch, revision, repository, project FROM sourcestamps WHERE id ${IN_JSON} ORDER BY id`)
      .all(jsonIds(ids)) as Sourcestamp[];
  }

  changesOfSourcestamps(ids: readonly number[]): Map<number, Change[]> {
    const changes = groupBy(
      this.changeRows(
        `SELECT sc.sourcestampid AS stampid, c.* FROM stamp_changes sc JOIN changes c ON c.id = sc.changeid
         WHERE sc.sourcestampid ${IN_JSON} ORDER BY sc.sourcestampid, sc.position`,
        jsonIds(ids),
      ),
      (change) => change.sourcestampId!,
    );
    return new Map([...changes].map(([stampId, stampChanges]) => [stampId, stampChanges.map(({ sourcestampId: _, ...change }) => change)]));
  }

  changeIdBounds(): { min: number; max: number } | null {
    return idBounds(this.db, 'changes');
  }

  changes(from: number, to: number): (Change & { sourcestampId: number | null })[] {
    return this.changeRows(
      `SELECT (SELECT min(sc.sourcestampid) FROM stamp_changes sc WHERE sc.changeid = c.id) AS stampid, c.*
       FROM changes c WHERE c.id BETWEEN ? AND ? ORDER BY c.id`,
      from,
      to,
    );
  }

  /** Changes as `sql` selects them (a stamp id and every column of changes), with their files. */
  private changeRows(sql: string, ...params: unknown[]): (Change & { sourcestampId: number | null })[] {
    const rows = this.db.prepare(sql).all(...params) as ChangeRow[];
    const files = groupBy(
      this.db
        .prepare(`SELECT changeid, filename FROM change_files WHERE changeid ${IN_JSON} ORDER BY changeid, rowid`)
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
      revlink: row.revlink,
      files: (files.get(row.id) ?? []).map((file) => file.filename),
    }));
  }

  buildsOfSourcestamps(ids: readonly number[], limit: number, builderIds?: readonly number[]): Map<number, StampBuilds> {
    const rows = this.db
      .prepare(
        `SELECT * FROM (
           SELECT bs.sourcestampid AS stampid, ${SUMMARY_COLUMNS},
                  count(*) OVER (PARTITION BY bs.sourcestampid) AS total,
                  row_number() OVER (PARTITION BY bs.sourcestampid ORDER BY b.started_at, b.id) AS position
           FROM build_sourcestamps bs JOIN builds b ON b.id = bs.buildid
           WHERE bs.sourcestampid ${IN_JSON} ${builderIds ? `AND b.builderid ${IN_JSON}` : ''})
         WHERE position <= ? ORDER BY stampid, position`,
      )
      .all(...[jsonIds(ids), ...(builderIds ? [jsonIds(builderIds)] : []), limit]) as (SummaryRow & {
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

  stampBuildCounts(): Map<number, number> {
    return countsBy(this.db, 'build_sourcestamps', 'sourcestampid');
  }

  buildsOfSourcestamp(id: number, page: BuildPage): BuildSummary[] {
    const rows = this.db
      .prepare(
        `SELECT ${SUMMARY_COLUMNS} FROM build_sourcestamps bs JOIN builds b ON b.id = bs.buildid
         WHERE bs.sourcestampid = ? ORDER BY b.started_at, b.id LIMIT ? OFFSET ?`,
      )
      .all(id, page.limit, page.offset) as SummaryRow[];
    return rows.map(buildSummary);
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
    return countsBy(this.db, 'builds', ENTITY_COLUMN[kind]);
  }

  buildsOf(kind: EntityKind, id: number, page: BuildPage = ALL_BUILDS): BuildSummary[] {
    const rows = this.db
      .prepare(`SELECT ${SUMMARY_COLUMNS} FROM builds b WHERE b.${ENTITY_COLUMN[kind]} = ? ORDER BY b.id DESC LIMIT ? OFFSET ?`)
      .all(id, page.limit, page.offset) as SummaryRow[];
    return rows.map(buildSummary);
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

function stepUrls(json: string): { name: string; url: string }[] {
  const parsed = parseJsonOr(json, []);
  if (!Array.isArray(parsed)) return [];
  return parsed
    .filter((entry): entry is { name: unknown; url: unknown } => typeof entry === 'object' && entry !== null)
    .map((entry) => ({ name: String(entry.name ?? entry.url), url: String(entry.url ?? '') }));
}
