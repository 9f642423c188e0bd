import type Database from 'better-sqlite3';
import type {
  BuildDetail,
  BuildFacts,
  BuildStatus,
  BuildSummary,
  Builder,
  Change,
  LogInfo,
  LogRef,
  Master,
  SchemaInfo,
  SimilarBuilds,
  SnapshotSummary,
  Sourcestamp,
  Step,
  Worker,
} from '../model/types.ts';
import type { LogChunk } from '../snapshot/logchunks.ts';
import { FAILED } from './schema.ts';
import { ALL_BUILDS, IN_JSON, countsBy, groupBy, jsonIds, parseJsonOr } from '../snapshot/sql.ts';
import type { BuildOwners, BuildPage, EntityKind, Snapshot, StampBuilds } from '../snapshot/types.ts';
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
  /** JSON list of the ids of the builder's other builds with this number. */
  same_number: string;
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
/**
 * SQL for the id of the build before or after `build` (a builds alias) in its builder's order of
 * numbers, ids breaking ties between duplicate numbers. Two lookups, each a range of the
 * (builderid, number) index: one condition with OR scanned the whole builder, which made build
 * pages quadratic in a builder's size.
 */
function neighbour(build: string, which: 'previous' | 'next'): string {
  const [before, order] = which === 'previous' ? ['<', 'DESC'] : ['>', ''];
  return `coalesce(
    (SELECT o.id FROM builds o WHERE o.builderid = ${build}.builderid AND o.number = ${build}.number AND o.id ${before} ${build}.id
      ORDER BY o.id ${order} LIMIT 1),
    (SELECT o.id FROM builds o WHERE o.builderid = ${build}.builderid AND o.number ${before} ${build}.number
      ORDER BY o.number ${order}, o.id ${order} LIMIT 1))`;
}

const withoutStamp = ({ sourcestampId: _, ...change }: Change & { sourcestampId: number | null }): Change => change;

export class RecordSnapshot implements Snapshot {
  private readonly statements = new Map<string, Database.Statement>();

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

  logTotals(): { logs: number; lines: number; storedBytes: number } {
    return this.db
      .prepare(
        `SELECT (SELECT count(*) FROM logs) AS logs, (SELECT coalesce(sum(num_lines), 0) FROM logs) AS lines,
                (SELECT coalesce(sum(length(content)), 0) FROM logchunks) AS storedBytes`,
      )
      .get() as { logs: number; lines: number; storedBytes: number };
  }

  stampedChangeCount(): number {
    return this.db.prepare('SELECT count(DISTINCT changeid) FROM stamp_changes').pluck().get() as number;
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

  buildIds(): number[] {
    return this.db.prepare('SELECT id FROM builds ORDER BY id').pluck().all() as number[];
  }

  buildDetails(ids: readonly number[]): BuildDetail[] {
    const idList = jsonIds(ids);
    const builds = this.statement(
      `SELECT b.*, b.results AS result,
              ${neighbour('b', 'previous')} AS previous_id, ${neighbour('b', 'next')} AS next_id,
              (SELECT json_group_array(d.id) FROM builds d WHERE d.builderid = b.builderid AND d.number = b.number AND d.id <> b.id) AS same_number
       FROM builds b WHERE b.id ${IN_JSON} ORDER BY b.id`,
    ).all(idList) as BuildRow[];
    const byBuild = <T extends { buildid: number }>(sql: string) =>
      groupBy(this.statement(sql).all(idList) as T[], (row) => row.buildid);
    const stamps = byBuild<{ buildid: number; sourcestampid: number }>(
      `SELECT buildid, sourcestampid FROM build_sourcestamps WHERE buildid ${IN_JSON} ORDER BY buildid, sourcestampid`,
    );
    const triggered = byBuild<{ buildid: number; id: number }>(
      `SELECT parent_buildid AS buildid, id FROM builds WHERE parent_buildid ${IN_JSON} ORDER BY id`,
    );
    const properties = byBuild<{ buildid: number; name: string; value: string; source: string }>(
      `SELECT buildid, name, value, source FROM build_properties WHERE buildid ${IN_JSON} ORDER BY buildid, name, rowid`,
    );
    const steps = groupBy(this.steps(idList), (step) => step.buildId);

    return builds.map((row) => ({
      ...buildSummary(row),
      workerId: row.workerid,
      masterId: row.masterid,
      stateString: row.state_string,
      reason: row.reason,
      sourcestampIds: (stamps.get(row.id) ?? []).map((stamp) => stamp.sourcestampid),
      parentBuildId: row.parent_buildid,
      steps: steps.get(row.id) ?? [],
      properties: properties.get(row.id) ?? [],
      triggeredBuildIds: (triggered.get(row.id) ?? []).map((build) => build.id),
      previousBuildId: row.previous_id,
      nextBuildId: row.next_id,
      sameNumberIds: JSON.parse(row.same_number) as number[],
    }));
  }

  private steps(buildIds: string): (Step & { buildId: number })[] {
    const rows = this.statement(
      `SELECT id, buildid, number, name, started_at, complete_at, results, state_string, hidden, urls_json
       FROM steps WHERE buildid ${IN_JSON} ORDER BY buildid, number, id`,
    ).all(buildIds) as StepRow[];
    const logs = groupBy(
      this.statement(
        `SELECT l.id, l.stepid, l.name, l.slug, l.type, l.num_lines FROM steps s
         JOIN logs l ON l.stepid = s.id WHERE s.buildid ${IN_JSON} ORDER BY l.stepid, l.id`,
      ).all(buildIds) as { id: number; stepid: number; name: string; slug: string; type: string; num_lines: number }[],
      (row) => row.stepid,
    );
    return rows.map((row) => {
      const urls = stepUrls(row.urls_json);
      return {
        id: row.id,
        buildId: row.buildid,
        number: row.number,
        name: row.name,
        startedAt: row.started_at,
        completeAt: row.complete_at,
        result: row.results,
        description: row.state_string,
        hidden: row.hidden !== 0,
        urls: urls ?? [],
        urlsUnreadable: urls === null,
        logs: (logs.get(row.id) ?? []).map(
          (log): LogRef => ({ id: log.id, name: log.name, slug: log.slug, type: log.type, numLines: log.num_lines }),
        ),
      };
    });
  }

  platformProperties(buildIds: readonly number[]): Map<number, string> {
    const rows = this.statement(
      `SELECT bp.buildid, bp.value FROM json_each(?) ids
       CROSS JOIN build_properties bp ON bp.buildid = ids.value AND bp.name = 'platform'`,
    ).all(jsonIds(buildIds)) as { buildid: number; value: string }[];
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
    return this.statement(`SELECT id, branch, revision, repository, project FROM sourcestamps WHERE id ${IN_JSON} ORDER BY id`)
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
    return new Map([...changes].map(([stampId, stampChanges]) => [stampId, stampChanges.map(withoutStamp)]));
  }

  maxChangeId(): number | null {
    return this.db.prepare('SELECT max(id) FROM changes').pluck().get() as number | null;
  }

  changeBuckets(size: number): number[] {
    // Changes found in search are those on a sourcestamp's page.
    return this.db
      .prepare('SELECT DISTINCT (changeid - 1) / CAST(? AS INTEGER) FROM stamp_changes WHERE changeid >= 1 ORDER BY 1')
      .pluck()
      .all(size) as number[];
  }

  changes(from: number, to: number): (Change & { sourcestampId: number | null })[] {
    return this.changeRows(
      `SELECT (SELECT min(sc.sourcestampid) FROM stamp_changes sc WHERE sc.changeid = c.id) AS stampid, c.*
       FROM changes c WHERE c.id BETWEEN ? AND ? ORDER BY c.id`,
      from,
      to,
    );
  }

  changeIds(stampIds?: readonly number[]): number[] {
    const sql = stampIds
      ? `SELECT DISTINCT changeid FROM stamp_changes WHERE sourcestampid ${IN_JSON} ORDER BY 1`
      : 'SELECT id FROM changes ORDER BY id';
    return this.db.prepare(sql).pluck().all(...(stampIds ? [jsonIds(stampIds)] : [])) as number[];
  }

  changesWithIds(ids: readonly number[]): Change[] {
    return this.changeRows(`SELECT NULL AS stampid, c.* FROM changes c WHERE c.id ${IN_JSON} ORDER BY c.id`, jsonIds(ids)).map(withoutStamp);
  }

  stampsOfChanges(changeIds: readonly number[]): Map<number, Sourcestamp[]> {
    const rows = this.statement(
      `SELECT sc.changeid, s.id, s.branch, s.revision, s.repository, s.project
       FROM stamp_changes sc JOIN sourcestamps s ON s.id = sc.sourcestampid
       WHERE sc.changeid ${IN_JSON} ORDER BY sc.changeid, s.id`,
    ).all(jsonIds(changeIds)) as (Sourcestamp & { changeid: number })[];
    const byChange = groupBy(rows, (row) => row.changeid);
    return new Map([...byChange].map(([changeId, stamps]) => [changeId, stamps.map(({ changeid: _, ...stamp }) => stamp)]));
  }

  revisions(of?: { changeIds: readonly number[]; stampIds: readonly number[] }): string[] {
    const sql = of
      ? `SELECT revision FROM changes WHERE id ${IN_JSON} UNION SELECT revision FROM sourcestamps WHERE id ${IN_JSON}`
      : 'SELECT revision FROM changes UNION SELECT revision FROM sourcestamps';
    return this.db
      .prepare(`SELECT revision FROM (${sql}) WHERE revision IS NOT NULL AND revision != '' ORDER BY revision`)
      .pluck()
      .all(...(of ? [jsonIds(of.changeIds), jsonIds(of.stampIds)] : [])) as string[];
  }

  changesWithRevisions(revisions: readonly string[]): Change[] {
    return this.changeRows(
      `SELECT NULL AS stampid, c.* FROM changes c WHERE c.revision ${IN_JSON} ORDER BY c.id`,
      JSON.stringify(revisions),
    ).map(withoutStamp);
  }

  sourcestampsWithRevisions(revisions: readonly string[]): Sourcestamp[] {
    return this.statement(`SELECT id, branch, revision, repository, project FROM sourcestamps WHERE revision ${IN_JSON} ORDER BY id`)
      .all(JSON.stringify(revisions)) as Sourcestamp[];
  }

  /** Changes as `sql` selects them (a stamp id and every column of changes), with their files. */
  private changeRows(sql: string, ...params: unknown[]): (Change & { sourcestampId: number | null })[] {
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
      revlink: row.revlink,
      files: (files.get(row.id) ?? []).map((file) => file.filename),
    }));
  }

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

  stampBuildCounts(ids?: readonly number[]): Map<number, number> {
    return countsBy(this.db, 'build_sourcestamps', 'sourcestampid', ids);
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

  logSizes(ids?: readonly number[]): { id: number; lines: number }[] {
    const sql = `SELECT id, num_lines AS lines FROM logs ${ids ? `WHERE id ${IN_JSON}` : ''} ORDER BY id`;
    return this.db.prepare(sql).all(...(ids ? [jsonIds(ids)] : [])) as { id: number; lines: number }[];
  }

  logs(ids: readonly number[]): LogInfo[] {
    return this.logInfos(`l.id ${IN_JSON}`, jsonIds(ids));
  }

  logsOfSteps(stepIds: readonly number[]): LogInfo[] {
    return this.logInfos(`l.stepid ${IN_JSON}`, jsonIds(stepIds));
  }

  private logInfos(where: string, ...params: unknown[]): LogInfo[] {
    return this.statement(
      `SELECT l.id, l.name, l.slug, l.type, l.num_lines AS numLines, s.buildid AS buildId,
              b.builderid AS builderId, b.number AS buildNumber, s.number AS stepNumber, s.name AS stepName,
              s.results AS stepResult, s.started_at AS stepStartedAt, s.complete_at AS stepCompleteAt
       FROM logs l JOIN steps s ON s.id = l.stepid JOIN builds b ON b.id = s.buildid
       WHERE ${where} ORDER BY l.id`,
    ).all(...params) as LogInfo[];
  }

  logChunks(logId: number): IterableIterator<LogChunk> {
    return this.db
      .prepare('SELECT first_line, last_line, content, compressed FROM logchunks WHERE logid = ? ORDER BY first_line')
      .iterate(logId) as IterableIterator<LogChunk>;
  }

  buildCounts(kind: EntityKind, ids?: readonly number[]): Map<number, number> {
    return countsBy(this.db, 'builds', ENTITY_COLUMN[kind], ids);
  }

  buildsOf(kind: EntityKind, id: number, page: BuildPage = ALL_BUILDS): BuildSummary[] {
    const rows = this.statement(`SELECT ${SUMMARY_COLUMNS} FROM builds b WHERE b.${ENTITY_COLUMN[kind]} = ? ORDER BY b.id LIMIT ? OFFSET ?`)
      .all(id, page.limit, page.offset) as SummaryRow[];
    return rows.map(buildSummary);
  }

  buildNumbers(builderId: number): Map<number, number> {
    // Served by the builds_builder index alone: no build row is read.
    const rows = this.db.prepare('SELECT number, id FROM builds WHERE builderid = ? ORDER BY id').raw().all(builderId) as [number, number][];
    return new Map(rows);
  }

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

  buildFacts(ids: readonly number[]): Map<number, BuildFacts> {
    const rows = this.statement(
      `SELECT b.id, b.workerid AS workerId,
         (SELECT s.revision FROM build_sourcestamps bs JOIN sourcestamps s ON s.id = bs.sourcestampid
          WHERE bs.buildid = b.id ORDER BY bs.sourcestampid LIMIT 1) AS revision,
         CASE WHEN b.results IN ${FAILED} THEN
           (SELECT st.name FROM steps st WHERE st.buildid = b.id AND st.results = b.results ORDER BY st.number LIMIT 1)
         END AS failedStep
       FROM builds b WHERE b.id ${IN_JSON}`,
    ).all(jsonIds(ids)) as (BuildFacts & { id: number })[];
    return new Map(rows.map((row) => [row.id, row]));
  }

  similarBuilds(ids: readonly number[]): Map<number, SimilarBuilds> {
    const targets = this.statement(`SELECT id, builderid, number FROM builds WHERE id ${IN_JSON} AND results IN ${FAILED} ORDER BY id`)
      .all(jsonIds(ids)) as { id: number; builderid: number; number: number }[];
    const failedSteps = groupBy(
      this.statement(`SELECT DISTINCT buildid, name FROM steps WHERE buildid ${IN_JSON} AND results IN ${FAILED} AND name IS NOT NULL ORDER BY buildid, name`)
        .all(jsonIds(targets.map((target) => target.id))) as { buildid: number; name: string }[],
      (row) => row.buildid,
    );
    // Of the builds looked back at, only ids are read for all: summaries only of those shown.
    const failedAmong = this.statement(
      `SELECT DISTINCT buildid, name FROM steps WHERE buildid ${IN_JSON} AND name IN (SELECT value FROM json_each(?)) AND results IN ${FAILED}`,
    );
    const result = new Map<number, SimilarBuilds>();
    for (const target of targets) {
      const lookback = this.besideRows(target, 'previous', SIMILAR.lookback, 'b.id').map((row) => row.id);
      const names = (failedSteps.get(target.id) ?? []).map(({ name }) => name);
      const failed = groupBy(
        names.length > 0 ? (failedAmong.all(jsonIds(lookback), JSON.stringify(names)) as { buildid: number; name: string }[]) : [],
        (row) => row.name,
      );
      const sameStep = names.map((name) => {
        const builds = new Set(failed.get(name)?.map((row) => row.buildid));
        return { step: name, ids: lookback.filter((id) => builds.has(id)).slice(0, SIMILAR.sameStep) };
      });
      const before = lookback.slice(0, SIMILAR.around);
      const summaries = this.buildSummariesById([...before, ...sameStep.flatMap((step) => step.ids)]);
      const summariesOf = (ids: number[]) => ids.map((id) => summaries.get(id)!);
      result.set(target.id, {
        before: summariesOf(before).reverse(),
        after: this.besideRows<SummaryRow>(target, 'next', SIMILAR.around, SUMMARY_COLUMNS).map(buildSummary),
        sameStep: sameStep.map(({ step, ids }) => ({ step, builds: summariesOf(ids) })),
      });
    }
    return result;
  }

  private buildSummariesById(ids: readonly number[]): Map<number, BuildSummary> {
    const rows = this.statement(`SELECT ${SUMMARY_COLUMNS} FROM builds b WHERE b.id ${IN_JSON}`).all(jsonIds([...new Set(ids)])) as SummaryRow[];
    return new Map(rows.map((row) => [row.id, buildSummary(row)]));
  }

  /**
   * `columns` of up to `limit` builds before (newest first) or after (oldest first) a build in its
   * builder's order of numbers, ids breaking ties: each side two range lookups on the
   * (builderid, number) index, as neighbour() does, never a scan of the builder.
   */
  private besideRows<Row extends { id: number }>(
    build: { id: number; builderid: number; number: number },
    which: 'previous' | 'next',
    limit: number,
    columns: string,
  ): Row[] {
    const [comparison, order] = which === 'previous' ? ['<', 'DESC'] : ['>', 'ASC'];
    const sameNumber = this.statement(
      `SELECT ${columns} FROM builds b WHERE b.builderid = ? AND b.number = ? AND b.id ${comparison} ? ORDER BY b.id ${order} LIMIT ?`,
    ).all(build.builderid, build.number, build.id, limit) as Row[];
    const others = this.statement(
      `SELECT ${columns} FROM builds b WHERE b.builderid = ? AND b.number ${comparison} ? ORDER BY b.number ${order}, b.id ${order} LIMIT ?`,
    ).all(build.builderid, build.number, limit - sameNumber.length) as Row[];
    return [...sameNumber, ...others];
  }

  newestBuildsWithResults(results: readonly number[], limit: number): BuildSummary[] {
    const rows = this.db
      .prepare(`SELECT ${SUMMARY_COLUMNS} FROM builds b WHERE b.results ${IN_JSON} ORDER BY b.started_at DESC, b.id DESC LIMIT ?`)
      .all(jsonIds(results), limit) as SummaryRow[];
    return rows.map(buildSummary);
  }

  /** Builds whose page the last update changed (see the delta table in schema.ts). */
  changedBuilds(): number[] {
    return this.ids(`
      WITH changed_stamps AS (${CHANGED_STAMP_ROWS}),
      new_builds AS (SELECT b.* FROM delta d JOIN builds b ON b.id = d.id WHERE d.tbl = 'builds' AND d.new),
      touched AS (
        SELECT d.id, d.new FROM delta d WHERE d.tbl = 'builds'
        UNION SELECT s.buildid, 0 FROM delta d JOIN steps s ON s.id = d.id WHERE d.tbl = 'steps'),
      ranked AS (${rankedBuilds('SELECT b.builderid FROM touched t JOIN builds b ON b.id = t.id')})
      SELECT id FROM delta WHERE tbl IN ('builds', 'build_properties', 'build_sourcestamps')
      UNION SELECT s.buildid FROM delta d JOIN steps s ON s.id = d.id WHERE d.tbl = 'steps'
      UNION SELECT s.buildid FROM delta d JOIN logs l ON l.id = d.id JOIN steps s ON s.id = l.stepid WHERE d.tbl = 'logs'
      UNION SELECT bs.buildid FROM changed_stamps c JOIN build_sourcestamps bs ON bs.sourcestampid = c.id
      -- a build's page lists the builds it triggered, and links its neighbours in the builder
      UNION SELECT b.parent_buildid FROM delta d JOIN builds b ON b.id = d.id WHERE d.tbl = 'builds'
      UNION SELECT ${neighbour('b', 'previous')} FROM new_builds b
      UNION SELECT ${neighbour('b', 'next')} FROM new_builds b
      -- a failed build's page shows builds around it, and earlier builds where its failed steps failed;
      -- CROSS JOIN keeps SQLite's order, from the touched builds out: left to choose, it scanned
      -- every ranked build against its builder's failed ones (7 times as long at 100k builds)
      UNION SELECT o.id FROM touched t CROSS JOIN ranked r ON r.id = t.id
        CROSS JOIN ranked o ON o.builderid = r.builderid AND o.results IN ${FAILED}
        AND (o.pos BETWEEN r.pos - ${SIMILAR.around} AND r.pos + ${SIMILAR.around}
             OR (NOT t.new AND o.pos BETWEEN r.pos + 1 AND r.pos + ${SIMILAR.lookback}))`,
      'builds',
    );
  }

  /** Logs whose page the last update changed: new or changed logs, and the logs of changed steps. */
  changedLogs(): number[] {
    return this.ids(
      `SELECT id FROM delta WHERE tbl = 'logs'
       UNION SELECT l.id FROM delta d JOIN logs l ON l.stepid = d.id WHERE d.tbl = 'steps'`,
      'logs',
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

  /** Whose these builds are, where the record has them. */
  buildOwners(ids: readonly number[]): Map<number, BuildOwners> {
    const rows = this.statement(`SELECT id, 0 AS isNew, builderid AS builder, workerid AS worker, masterid AS master FROM builds WHERE id ${IN_JSON}`)
      .all(jsonIds(ids)) as BuildOwners[];
    return new Map(rows.map((row) => [row.id, { ...row, isNew: false }]));
  }

  /** How many of a builder's (worker's, master's) builds have ids below `id`: its index in their list. */
  buildsBefore(kind: EntityKind, entityId: number, id: number): number {
    return this.db.prepare(`SELECT count(*) FROM builds WHERE ${ENTITY_COLUMN[kind]} = ? AND id < ?`).pluck().get(entityId, id) as number;
  }

  /** Ids a query selects that `table` holds, ascending: the delta names rows the record may lack. */
  private ids(sql: string, table: string): number[] {
    return this.db.prepare(`SELECT id FROM ${table} WHERE id IN (${sql}) ORDER BY id`).pluck().all() as number[];
  }

  /** A prepared statement, kept: queries run once per build prepare theirs once. */
  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  close(): void {
    this.db.close();
  }
}

/** Stamps whose own row or changes the last update changed (not their builds). */
/**
 * How far a failed build's page looks among its builder's builds (in the builder's order of
 * numbers): its `around` builds either side, and up to `sameStep` builds among the `lookback`
 * before it where a step of the same name failed. Bounded, so that a build changes the pages of
 * at most `around` builds before it, or `lookback` after it when its own result changed later.
 */
const SIMILAR = { around: 10, sameStep: 10, lookback: 200 } as const;

/** The builds of these builders (`builderIds` a subquery) with their position in the builder's order. */
const rankedBuilds = (builderIds: string) => `
  SELECT b.*, row_number() OVER (PARTITION BY b.builderid ORDER BY b.number, b.id) AS pos
  FROM builds b WHERE b.builderid IN (${builderIds})`;

const CHANGED_STAMP_ROWS = `
  SELECT id FROM delta WHERE tbl IN ('sourcestamps', 'stamp_changes')
  UNION SELECT sc.sourcestampid FROM delta d JOIN stamp_changes sc ON sc.changeid = d.id WHERE d.tbl IN ('changes', 'change_files')`;

/** A property's JSON value as plain text: strings unquoted, anything else as JSON. */
export function propertyText(value: string): string {
  const parsed = parseJsonOr(value, value);
  return typeof parsed === 'string' ? parsed : JSON.stringify(parsed);
}

/** A step's published URLs, or null when `urls_json` is not the JSON list buildbot writes. */
function stepUrls(json: string): { name: string; url: string }[] | null {
  const parsed = parseJsonOr(json, null);
  if (!Array.isArray(parsed)) return null;
  return parsed
    .filter((entry): entry is { name: unknown; url: unknown } => typeof entry === 'object' && entry !== null)
    .map((entry) => ({ name: String(entry.name ?? entry.url), url: String(entry.url ?? '') }));
}
