import type Database from 'better-sqlite3';
import type {
  BuildDetail,
  BuildSummary,
  Builder,
  Change,
  LogInfo,
  Master,
  SchemaInfo,
  SnapshotSummary,
  Sourcestamp,
  Step,
  Worker,
} from '../model/types.ts';
import type { LogChunk } from './logchunks.ts';
import { type BuildSummaryRow, buildSummary, propertyText, stampBuildsFrom } from './rows.ts';
import { repairMojibake, repaired } from './mojibake.ts';
import { ALL_BUILDS, IN_JSON, columnNames, countsBy, groupBy, idBounds, jsonIds, parseJsonOr, tableNames } from './sql.ts';
import type { BuildPage, EntityKind, Snapshot, StampBuilds, StampFilter } from './types.ts';

/**
 * Mozilla's 2010 statusdb: `builds.buildnumber`/`builder_id`, properties shared through
 * `build_properties`. Text is read as stored and its mojibake repaired on the way out (see
 * mojibake.ts), except branches as listings name them: those are the stored keys.
 */
export function isStatusdb(db: Database.Database): boolean {
  const tables = tableNames(db);
  if (!['builds', 'steps', 'builders', 'properties', 'build_properties'].every((table) => tables.has(table))) {
    return false;
  }
  const buildColumns = columnNames(db, 'builds');
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

interface BuildRow {
  id: number;
  buildnumber: number;
  builder_id: number;
  slave_id: number | null;
  master_id: number | null;
  starttime: string | null;
  endtime: string | null;
  result: number | null;
  reason: string | null;
  source_id: number | null;
  lost: number;
  previous_id: number | null;
  next_id: number | null;
}

interface StepRow {
  id: number;
  build_id: number;
  number: number;
  name: string;
  description: string | null;
  starttime: string | null;
  endtime: string | null;
  status: number | null;
}

/** Text-time build columns aliased to the shared summary row; times converted after reading. */
const SUMMARY_COLUMNS = 'b.id, b.buildnumber AS number, b.builder_id AS builderid, b.result, b.starttime, b.endtime, b.lost';
const ENTITY_COLUMN = { builder: 'builder_id', worker: 'slave_id', master: 'master_id' } as const;

type SummaryRow = Omit<BuildSummaryRow, 'started_at' | 'complete_at'> & {
  starttime: string | null;
  endtime: string | null;
};

function summaryRow(row: SummaryRow): BuildSummaryRow {
  return { ...row, started_at: statusdbTime(row.starttime), complete_at: statusdbTime(row.endtime) };
}

export class StatusdbSnapshot implements Snapshot {
  readonly schema: SchemaInfo = { kind: 'statusdb', description: "Mozilla statusdb (2010 schema)" };

  constructor(
    private readonly db: Database.Database,
    readonly file: string,
  ) {}

  summary(): SnapshotSummary {
    const count = (table: string) => this.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    // MySQL's zero dates ('0000-00-00 …') sort first but mean "no time". (A text comparison with
    // a literal would not do: the DATETIME column's numeric affinity turns '0001' into 1.)
    const span = this.db
      .prepare("SELECT min(starttime) AS first, max(starttime) AS last FROM builds WHERE starttime NOT LIKE '0000-%'")
      .get() as {
      first: string | null;
      last: string | null;
    };
    const results = this.db
      .prepare('SELECT result, count(*) AS count FROM builds GROUP BY result ORDER BY result')
      .all() as { result: number | null; count: number }[];
    return {
      builds: count('builds'),
      builders: count('builders'),
      workers: count('slaves'),
      masters: count('masters'),
      changes: count('changes'),
      sourcestamps: count('sourcestamps'),
      steps: count('steps'),
      firstStart: statusdbTime(span.first),
      lastStart: statusdbTime(span.last),
      results,
    };
  }

  builders(): Builder[] {
    const rows = this.db.prepare('SELECT id, name, category FROM builders ORDER BY id').all() as {
      id: number;
      name: string;
      category: string | null;
    }[];
    return rows.map((row) => ({
      id: row.id,
      name: repairMojibake(row.name),
      description: null,
      tags: row.category ? [repairMojibake(row.category)] : [],
    }));
  }

  workers(): Worker[] {
    const rows = this.db.prepare('SELECT id, name FROM slaves ORDER BY id').all() as Worker[];
    return rows.map((row) => ({ ...row, name: repairMojibake(row.name) }));
  }

  masters(): Master[] {
    const rows = this.db.prepare('SELECT id, coalesce(name, url) AS name, url FROM masters ORDER BY id').all() as Master[];
    return rows.map((row) => ({ ...row, name: repairMojibake(row.name) }));
  }

  buildIdBounds(): { min: number; max: number } | null {
    return idBounds(this.db, 'builds');
  }

  buildIds(from: number, to: number): number[] {
    return this.db.prepare('SELECT id FROM builds WHERE id BETWEEN ? AND ? ORDER BY id').pluck().all(from, to) as number[];
  }

  buildDetails(from: number, to: number): BuildDetail[] {
    // Neighbours by id within the same builder row: the builder_id index ends in the rowid, so
    // each lookup is one index seek.
    const builds = this.db
      .prepare(
        `SELECT b.*,
                (SELECT max(p.id) FROM builds p WHERE p.builder_id = b.builder_id AND p.id < b.id) AS previous_id,
                (SELECT min(n.id) FROM builds n WHERE n.builder_id = b.builder_id AND n.id > b.id) AS next_id
         FROM builds b WHERE b.id BETWEEN ? AND ? ORDER BY b.id`,
      )
      .all(from, to) as BuildRow[];
    const properties = groupBy(
      this.db
        .prepare(
          `SELECT bp.build_id, p.name, p.value, p.source FROM build_properties bp
           JOIN properties p ON p.id = bp.property_id
           WHERE bp.build_id BETWEEN ? AND ? ORDER BY bp.build_id, p.name, p.id`,
        )
        .all(from, to) as { build_id: number; name: string | null; value: string | null; source: string | null }[],
      (row) => row.build_id,
    );
    const steps = groupBy(this.steps(from, to), (step) => step.buildId);
    return builds.map((row) => ({
      id: row.id,
      number: row.buildnumber,
      builderId: row.builder_id,
      workerId: row.slave_id,
      masterId: row.master_id,
      startedAt: statusdbTime(row.starttime),
      completeAt: statusdbTime(row.endtime),
      result: row.result,
      stateString: '',
      reason: repaired(row.reason),
      lost: row.lost === 1,
      sourcestampIds: row.source_id === null ? [] : [row.source_id],
      parentBuildId: null,
      steps: (steps.get(row.id) ?? []).map(({ buildId: _, ...step }) => step),
      properties: (properties.get(row.id) ?? []).map((property) => ({
        name: repairMojibake(property.name ?? ''),
        value: repairMojibake(property.value ?? 'null'),
        source: repairMojibake(property.source ?? ''),
      })),
      triggeredBuildIds: [],
      previousBuildId: row.previous_id,
      nextBuildId: row.next_id,
    }));
  }

  private steps(from: number, to: number): (Step & { buildId: number })[] {
    const rows = this.db
      .prepare(
        `SELECT id, build_id, "order" AS number, name, description, starttime, endtime, status
         FROM steps WHERE build_id BETWEEN ? AND ? ORDER BY build_id, "order", id`,
      )
      .all(from, to) as StepRow[];
    return rows.map((row) => ({
      id: row.id,
      buildId: row.build_id,
      number: row.number,
      name: repairMojibake(row.name),
      startedAt: statusdbTime(row.starttime),
      completeAt: statusdbTime(row.endtime),
      result: row.status,
      description: repairMojibake(stepDescription(row.description)),
      hidden: false,
      urls: [],
      logs: [],
    }));
  }

  platformProperties(buildIds: readonly number[]): Map<number, string> {
    const rows = this.db
      .prepare(
        // CROSS JOIN keeps this order: starting from properties' name index would walk every
        // build carrying each platform value, which grows with the snapshot (quadratic overall).
        `SELECT bp.build_id, p.value FROM json_each(?) ids
         CROSS JOIN build_properties bp ON bp.build_id = ids.value
         CROSS JOIN properties p ON p.id = bp.property_id
         WHERE p.name = 'platform'`,
      )
      .all(jsonIds(buildIds)) as { build_id: number; value: string | null }[];
    return new Map(rows.map((row) => [row.build_id, repairMojibake(propertyText(row.value ?? 'null'))]));
  }

  platformValues(): string[] {
    const values = this.db
      .prepare("SELECT DISTINCT value FROM properties WHERE name = 'platform' AND value IS NOT NULL")
      .pluck()
      .all() as string[];
    return [...new Set(values.map((value) => repairMojibake(propertyText(value))))].sort();
  }

  sourcestampIds(filter: StampFilter): number[] {
    const ids = (sql: string, ...params: unknown[]) => this.db.prepare(sql).pluck().all(...params) as number[];
    switch (filter.kind) {
      case 'all':
        return ids('SELECT id FROM sourcestamps ORDER BY id');
      case 'nonempty':
        return ids(
          `SELECT id FROM sourcestamps INTERSECT SELECT source_id FROM source_changes
           INTERSECT SELECT source_id FROM builds ORDER BY 1`,
        );
      case 'branch':
        return ids('SELECT id FROM sourcestamps WHERE branch IS ? ORDER BY id', filter.branch);
      case 'builders':
        return ids(
          `SELECT DISTINCT source_id FROM builds WHERE source_id IS NOT NULL AND builder_id ${IN_JSON} ORDER BY 1`,
          jsonIds(filter.builderIds),
        );
    }
  }

  sourcestamps(ids: readonly number[]): Sourcestamp[] {
    const rows = this.db
      .prepare(
        `SELECT id, branch, revision, NULL AS repository, NULL AS project FROM sourcestamps WHERE id ${IN_JSON} ORDER BY id`,
      )
      .all(jsonIds(ids)) as Sourcestamp[];
    return rows.map((row) => ({ ...row, branch: repaired(row.branch), revision: repaired(row.revision) }));
  }

  changesOfSourcestamps(ids: readonly number[]): Map<number, Change[]> {
    const changes = groupBy(
      this.changeRows(
        `SELECT sc.source_id AS stamp, c.id, c.who, c.comments, c.branch, c.revision, c."when"
         FROM source_changes sc JOIN changes c ON c.id = sc.change_id
         WHERE sc.source_id ${IN_JSON} ORDER BY sc.source_id, sc."order", sc.id`,
        jsonIds(ids),
      ),
      (change) => change.sourcestampId,
    );
    return new Map([...changes].map(([stampId, stampChanges]) => [stampId!, stampChanges.map(({ sourcestampId: _, ...change }) => change)]));
  }

  changeIdBounds(): { min: number; max: number } | null {
    return idBounds(this.db, 'changes', 'id');
  }

  changes(from: number, to: number): (Change & { sourcestampId: number | null })[] {
    return this.changeRows(
      `SELECT (SELECT min(sc.source_id) FROM source_changes sc WHERE sc.change_id = c.id) AS stamp,
              c.id, c.who, c.comments, c.branch, c.revision, c."when"
       FROM changes c WHERE c.id BETWEEN ? AND ? ORDER BY c.id`,
      from,
      to,
    );
  }

  /** Changes as `sql` selects them (stamp, id, who, comments, branch, revision, when), with files. */
  private changeRows(sql: string, ...params: unknown[]): (Change & { sourcestampId: number | null })[] {
    const rows = this.db.prepare(sql).all(...params) as {
      stamp: number | null;
      id: number;
      who: string | null;
      comments: string | null;
      branch: string | null;
      revision: string | null;
      when: string | null;
    }[];
    const files = groupBy(
      this.db
        .prepare(
          `SELECT fc.change_id, f.path FROM file_changes fc JOIN files f ON f.id = fc.file_id
           WHERE fc.change_id ${IN_JSON} ORDER BY fc.change_id, fc.rowid`,
        )
        .all(jsonIds(rows.map((row) => row.id))) as { change_id: number; path: string }[],
      (row) => row.change_id,
    );
    return rows.map((row) => ({
      id: row.id,
      sourcestampId: row.stamp,
      author: repaired(row.who),
      revision: repaired(row.revision),
      branch: repaired(row.branch),
      comments: repairMojibake(row.comments ?? ''),
      when: statusdbTime(row.when),
      repository: null,
      revlink: null,
      files: (files.get(row.id) ?? []).map((file) => repairMojibake(file.path)),
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
           SELECT b.source_id AS stampid, ${SUMMARY_COLUMNS},
                  count(*) OVER (PARTITION BY b.source_id) AS total,
                  row_number() OVER (PARTITION BY b.source_id ORDER BY b.starttime, b.id) AS position
           FROM builds b
           WHERE b.source_id ${IN_JSON} ${builderIds ? `AND b.builder_id ${IN_JSON}` : ''})
         WHERE position <= ? ORDER BY stampid, position`,
      )
      .all(...[jsonIds(ids), ...(builderIds ? [jsonIds(builderIds)] : []), limit]) as (SummaryRow & {
      stampid: number;
      total: number;
    })[];
    return stampBuildsFrom(rows.map((row) => ({ ...summaryRow(row), stampid: row.stampid, total: row.total })));
  }

  branches(): (string | null)[] {
    return this.db.prepare('SELECT DISTINCT branch FROM sourcestamps ORDER BY branch').pluck().all() as (string | null)[];
  }

  // statusdb kept no logs: later builds carry a `log_url` property instead.
  logSizes(): { id: number; lines: number }[] {
    return [];
  }

  logs(): LogInfo[] {
    return [];
  }

  logsOfSteps(): LogInfo[] {
    return [];
  }

  logChunks(): IterableIterator<LogChunk> {
    return [][Symbol.iterator]();
  }

  buildCounts(kind: EntityKind): Map<number, number> {
    return countsBy(this.db, 'builds', ENTITY_COLUMN[kind]);
  }

  buildsOf(kind: EntityKind, id: number, page: BuildPage = ALL_BUILDS): BuildSummary[] {
    const rows = this.db
      .prepare(
        `SELECT ${SUMMARY_COLUMNS} FROM builds b WHERE b.${ENTITY_COLUMN[kind]} = ? ORDER BY b.id DESC LIMIT ? OFFSET ?`,
      )
      .all(id, page.limit, page.offset) as SummaryRow[];
    return rows.map((row) => buildSummary(summaryRow(row)));
  }

  close(): void {
    this.db.close();
  }
}

/** statusdb keeps a step's description as a JSON list of words. */
function stepDescription(text: string | null): string {
  const words = parseJsonOr(text, text ?? '');
  return Array.isArray(words) ? words.join(' ') : String(words);
}
