import type {
  BuildDetail,
  BuildFacts,
  BuildStatus,
  BuildSummary,
  Builder,
  Change,
  LogInfo,
  Master,
  SchemaInfo,
  SimilarBuilds,
  SnapshotSummary,
  Sourcestamp,
  Worker,
} from '../model/types.ts';
import type { LogChunk } from './logchunks.ts';

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

/** A slice of a newest-first list: skip `offset` rows, then take `limit`. */
export interface BuildPage {
  offset: number;
  limit: number;
}

export interface StampBuilds {
  /** How many builds the stamp has in all (within the facet's builders). */
  total: number;
  /** The first `limit` of them by start time. */
  builds: BuildSummary[];
}

/**
 * One snapshot, whatever its schema. Every method reads a bounded window — a range of ids or an
 * explicit list — so callers decide how much is in memory at once. Lists come back ordered.
 */
export interface Snapshot {
  readonly file: string;
  readonly schema: SchemaInfo;
  summary(): SnapshotSummary;
  /** Logs, their lines, and the bytes of their chunks as stored (compressed or not). */
  logTotals(): { logs: number; lines: number; storedBytes: number };
  /** Changes on at least one sourcestamp: what the search finds. */
  stampedChangeCount(): number;
  builders(): Builder[];
  workers(): Worker[];
  masters(): Master[];

  /** Every build id, ascending. */
  buildIds(): number[];
  /** These builds (ascending) with their steps, logs, properties and neighbours. */
  buildDetails(ids: readonly number[]): BuildDetail[];
  /** The `platform` property of each of these builds that has one. */
  platformProperties(buildIds: readonly number[]): Map<number, string>;
  /** Every distinct value of the `platform` build property. */
  platformValues(): string[];

  /** Ids of the sourcestamps that pass the filter, ascending. */
  sourcestampIds(filter: StampFilter): number[];
  sourcestamps(ids: readonly number[]): Sourcestamp[];
  /** Changes of each stamp, in the stamp's order. */
  changesOfSourcestamps(ids: readonly number[]): Map<number, Change[]>;
  /**
   * Builds of each stamp, ordered by start: the first `limit` and the total. With `builderIds`,
   * only those builders' builds count.
   */
  buildsOfSourcestamps(
    ids: readonly number[],
    limit: number,
    builderIds?: readonly number[],
  ): Map<number, StampBuilds>;
  /** How many builds each sourcestamp (or each of these) has; stamps without builds are absent. */
  stampBuildCounts(ids?: readonly number[]): Map<number, number>;
  /** Builds of one sourcestamp ordered by start; `page` picks a slice of them. */
  buildsOfSourcestamp(id: number, page: BuildPage): BuildSummary[];
  maxChangeId(): number | null;
  /** The buckets of `size` change ids (bucket k: ids k·size + 1 to (k + 1)·size) that hold a change on a sourcestamp. */
  changeBuckets(size: number): number[];
  /** Changes with id in [from, to], each with the (first) sourcestamp that holds it. */
  changes(from: number, to: number): (Change & { sourcestampId: number | null })[];
  /** Every change id, ascending; with `stampIds`, the changes on those sourcestamps. */
  changeIds(stampIds?: readonly number[]): number[];
  /** These changes, ascending. */
  changesWithIds(ids: readonly number[]): Change[];
  /** The sourcestamps holding each of these changes, ascending. */
  stampsOfChanges(changeIds: readonly number[]): Map<number, Sourcestamp[]>;
  /** Every distinct revision of a change or a sourcestamp, sorted; with ids, only theirs. */
  revisions(of?: { changeIds: readonly number[]; stampIds: readonly number[] }): string[];
  /** Changes with these revisions, ascending. */
  changesWithRevisions(revisions: readonly string[]): Change[];
  /** Sourcestamps with these revisions, ascending. */
  sourcestampsWithRevisions(revisions: readonly string[]): Sourcestamp[];
  /** Distinct sourcestamp branches (null for stamps without one). */
  branches(): (string | null)[];

  /** Id and line count of every log (or of these), by id: enough to plan windows of logs. */
  logSizes(ids?: readonly number[]): { id: number; lines: number }[];
  /** These logs, ascending, with their step and build. */
  logs(ids: readonly number[]): LogInfo[];
  /** The logs of these steps, with their step and build. */
  logsOfSteps(stepIds: readonly number[]): LogInfo[];
  /** A log's chunks in line order, read lazily: logs can be larger than memory allows. */
  logChunks(logId: number): IterableIterator<LogChunk>;

  /** How many builds each builder, worker or master (or each of these) ran; ids without builds are absent. */
  buildCounts(kind: EntityKind, ids?: readonly number[]): Map<number, number>;
  /** Builds of one builder, worker or master, oldest first; `page` picks a slice of them. */
  buildsOf(kind: EntityKind, id: number, page?: BuildPage): BuildSummary[];
  /** Each build number of a builder with its build's id (the last id for a number used twice). */
  buildNumbers(builderId: number): Map<number, number>;
  /**
   * Each builder's (worker's, master's) builds at a glance, its `recent` most recently started
   * among them; for every entity with builds, or only these. Recent means by start time, ids
   * breaking ties.
   */
  buildStatus(kind: EntityKind, recent: number, ids?: readonly number[]): Map<number, BuildStatus>;
  /** What a list of builds says of each of these besides the build: worker, revision, failed step. */
  buildFacts(ids: readonly number[]): Map<number, BuildFacts>;
  /** What the page of each of these builds that failed shows of its builder's other builds (see SIMILAR in queries.ts). */
  similarBuilds(ids: readonly number[]): Map<number, SimilarBuilds>;
  /** The `limit` most recently started builds with one of these results, newest first. */
  newestBuildsWithResults(results: readonly number[], limit: number): BuildSummary[];

  // What the last update changed (all empty after a fresh build): pages are rendered again from it.
  changedBuilds(): number[];
  changedLogs(): number[];
  changedSourcestamps(): number[];
  changedChanges(): number[];
  changedBuildOwners(): BuildOwners[];
  buildOwners(ids: readonly number[]): Map<number, BuildOwners>;
  /** How many of an entity's builds have ids below `id`: the build's index in the entity's list. */
  buildsBefore(kind: EntityKind, entityId: number, id: number): number;

  close(): void;
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
