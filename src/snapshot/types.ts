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
  builders(): Builder[];
  workers(): Worker[];
  masters(): Master[];

  /** Smallest and largest build id, or null for a snapshot without builds. */
  buildIdBounds(): { min: number; max: number } | null;
  /** Build ids in [from, to], ascending. */
  buildIds(from: number, to: number): number[];
  /** Every build with id in [from, to] with its steps, logs, properties and neighbours. */
  buildDetails(from: number, to: number): BuildDetail[];
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
  /** How many builds each sourcestamp has (stamps without builds are absent). */
  stampBuildCounts(): Map<number, number>;
  /** Builds of one sourcestamp ordered by start; `page` picks a slice of them. */
  buildsOfSourcestamp(id: number, page: BuildPage): BuildSummary[];
  /** Smallest and largest change id, or null for a snapshot without changes. */
  changeIdBounds(): { min: number; max: number } | null;
  /** Changes with id in [from, to], each with the (first) sourcestamp that holds it. */
  changes(from: number, to: number): (Change & { sourcestampId: number | null })[];
  /** Distinct sourcestamp branches (null for stamps without one). */
  branches(): (string | null)[];

  /** Id and line count of every log, by id: enough to plan windows of logs. */
  logSizes(): { id: number; lines: number }[];
  /** Logs with id in [from, to], with their step and build. */
  logs(from: number, to: number): LogInfo[];
  /** The logs of these steps, with their step and build. */
  logsOfSteps(stepIds: readonly number[]): LogInfo[];
  /** A log's chunks in line order, read lazily: logs can be larger than memory allows. */
  logChunks(logId: number): IterableIterator<LogChunk>;

  /** How many builds each builder, worker or master ran (ids without builds are absent). */
  buildCounts(kind: EntityKind): Map<number, number>;
  /** Builds of one builder, worker or master, newest first; `page` picks a slice of them. */
  buildsOf(kind: EntityKind, id: number, page?: BuildPage): BuildSummary[];

  close(): void;
}
