/**
 * Writes the archive's search: Pagefind indexes built from custom records through Pagefind's Node
 * API, and one lookup file per builder for "builder + number" queries.
 *
 * - `pagefind/names/`: builders, workers, masters. Small, so a builder search downloads little.
 * - `pagefind/failures/`: failure signatures, found by their text (a pasted error line is
 *   normalized as signatures are, by templates/assets/signature.js, before it is searched).
 * - `pagefind/changes-<first id>-<last id>/`: changes, in partitions by id range (see
 *   changePartitions). Each is indexed and written on its own, so indexer memory is bounded by it; the
 *   browser loads the first and merges the others only when someone searches changes.
 * - `search/builds/<builder id>.json`: build number → build id.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pagefind from 'pagefind';
import type { CustomRecord } from 'pagefind';
import { CopraError } from '../errors.ts';
import type { Change } from '../model/types.ts';
import type { Archive } from '../pages/kind.ts';
import type { Site } from '../pages/site.ts';
import type { RecordReader } from '../record/reader.ts';
import { changeRecord, failureRecords, nameRecords, testCount, testRecords } from './records.ts';

/** Change ids in a full partition, and in a partition of the newest, still growing range. */
const CHANGES_PER_PARTITION = 50_000;
const CHANGES_PER_TAIL_PARTITION = 5_000;
/** Changes read from the record at once. */
const CHANGE_WINDOW = 5_000;

export interface SearchManifest {
  names: string;
  failures: string;
  changes: string[];
}

export interface SearchReport {
  records: number;
  indexes: number;
}

/** What an update rewrites of the search; null in place of a scope means everything. */
export interface SearchScope {
  names: boolean;
  /** Whether the failures index is written: new signatures. */
  failures: boolean;
  /** Paths of the change partitions to write. */
  partitions: Set<string>;
  /** Builders whose "builder + number" lookup changed. */
  builders: number[];
  /** Partitions of the last build that the new layout no longer has. */
  removed: string[];
}

/** A search partition: the changes with ids from `from` to `to`. */
interface Partition {
  from: number;
  to: number;
}

const NAMES_INDEX = 'pagefind/names/';
const FAILURES_INDEX = 'pagefind/failures/';
const partitionPath = ({ from, to }: Partition) => `pagefind/changes-${from}-${to}/`;

/**
 * The change partitions of a record, fixed by its change ids alone (so any build of the same
 * record writes the same ones). Ids are cut into ranges of CHANGES_PER_PARTITION; the newest range,
 * which new changes still join, is cut into partitions of CHANGES_PER_TAIL_PARTITION, and becomes
 * one partition once a change past its end exists. An update then rewrites one small partition,
 * and a full-range one once every 50,000 changes. Partitions holding no change on a sourcestamp are
 * left out; so are ids below 1, which no CI assigns.
 */
function changePartitions(record: RecordReader): Partition[] {
  const maxId = record.db.prepare('SELECT max(id) FROM changes').pluck().get() as number | null;
  if (maxId === null || maxId < 1) return [];
  const newestRange = Math.floor((maxId - 1) / CHANGES_PER_PARTITION);
  const partitions = new Map<number, Partition>();
  for (const bucket of changeBuckets(record, CHANGES_PER_TAIL_PARTITION)) {
    const from = bucket * CHANGES_PER_TAIL_PARTITION + 1;
    const range = Math.floor((from - 1) / CHANGES_PER_PARTITION);
    const partition =
      range < newestRange
        ? { from: range * CHANGES_PER_PARTITION + 1, to: (range + 1) * CHANGES_PER_PARTITION }
        : { from, to: from + CHANGES_PER_TAIL_PARTITION - 1 };
    partitions.set(partition.from, partition);
  }
  return [...partitions.values()].sort((a, b) => a.from - b.from);
}

/** What of the search an update changed: new builders, workers, masters or tests, changes, builds. */
export function changedSearch({ record, site }: Archive, before: Archive): SearchScope {
  const newBuilders = [...site.builders.keys()].filter((id) => !before.site.builders.has(id));
  const buildersWithNewBuilds = record.changedBuildOwners().filter((build) => build.isNew).map((build) => build.builder);
  const partitions = changePartitions(record);
  const changed = record.changedChanges();
  const paths = new Set(partitions.map(partitionPath));
  return {
    names:
      newBuilders.length > 0 ||
      site.workers.size !== before.site.workers.size ||
      site.masters.size !== before.site.masters.size ||
      testCount(record) !== testCount(before.record),
    failures: (record.db.prepare("SELECT count(*) FROM delta WHERE tbl = 'signatures' AND new").pluck().get() as number) > 0,
    partitions: new Set(partitions.filter(({ from, to }) => changed.some((id) => id >= from && id <= to)).map(partitionPath)),
    builders: [...new Set([...newBuilders, ...buildersWithNewBuilds])].filter((id) => site.builders.has(id)).sort((a, b) => a - b),
    removed: changePartitions(before.record).map(partitionPath).filter((path) => !paths.has(path)),
  };
}

/**
 * The share of the search that shard `index` of `count` writes (whole indexes, so partitions do not
 * depend on the number of shards): the names index and the change partitions dealt out in turn,
 * and the "builder + number" lookups of every count-th builder.
 */
export function shardSearchScope({ record, site }: Archive, index: number, count: number): SearchScope {
  const mine = (_: unknown, position: number) => position % count === index - 1;
  const indexes = [NAMES_INDEX, FAILURES_INDEX, ...changePartitions(record).map(partitionPath)].filter(mine);
  return {
    names: indexes.includes(NAMES_INDEX),
    failures: indexes.includes(FAILURES_INDEX),
    partitions: new Set(indexes.filter((path) => path !== NAMES_INDEX && path !== FAILURES_INDEX)),
    builders: [...site.builders.keys()].sort((a, b) => a - b).filter(mine),
    removed: [],
  };
}

/** Pagefind reports problems in a list instead of throwing: any entry fails the build. */
function check(errors: string[], what: string): void {
  if (errors.length > 0) throw new CopraError(`search indexing failed (${what}): ${errors.join('; ')}`);
}

/** Records sent to Pagefind before waiting for its answers: one round trip per record is slow. */
const RECORDS_IN_FLIGHT = 500;

async function writeIndex(records: Iterable<CustomRecord>, outputPath: string, what: string, signal: AbortSignal): Promise<number> {
  // keepIndexUrl: result links name index.html like every other link, so they work from any host.
  const { errors, index } = await pagefind.createIndex({ forceLanguage: 'en', keepIndexUrl: true });
  check(errors, what);
  let count = 0;
  let inFlight: Promise<{ errors: string[] }>[] = [];
  const settle = async () => {
    for (const answer of await Promise.all(inFlight)) check(answer.errors, what);
    inFlight = [];
    signal.throwIfAborted();
  };
  for (const record of records) {
    inFlight.push(index!.addCustomRecord(record));
    count++;
    if (inFlight.length === RECORDS_IN_FLIGHT) await settle();
  }
  await settle();
  check((await index!.writeFiles({ outputPath })).errors, what);
  await index!.deleteIndex();
  return count;
}

function* changeRecords(record: RecordReader, { from, to }: Partition): Generator<CustomRecord> {
  for (let start = from; start <= to; start += CHANGE_WINDOW) {
    for (const change of changesFrom(record, start, Math.min(to, start + CHANGE_WINDOW - 1))) {
      if (change.sourcestampId !== null) yield changeRecord(change);
    }
  }
}

function writeBuildLookups(record: RecordReader, builderIds: Iterable<number>, outDir: string): void {
  const dir = join(outDir, 'search', 'builds');
  mkdirSync(dir, { recursive: true });
  const buildNumbers = record.statement('SELECT number, id FROM builds WHERE builderid = ? ORDER BY id');
  for (const builderId of builderIds) {
    // Served by the builds_builder index alone: no build row is read.
    const numbers = Object.fromEntries(buildNumbers.raw().all(builderId) as [number, number][]);
    writeFileSync(join(dir, `${builderId}.json`), JSON.stringify(numbers));
  }
}

/**
 * Writes the indexes `scope` names (all of them without one) into `outDir`; `onIndex` is told of
 * each. Aborting `signal` stops Pagefind and rejects.
 */
export async function writeSearch(
  record: RecordReader,
  site: Site,
  outDir: string,
  scope: SearchScope | null,
  signal: AbortSignal,
  onIndex: (records: number) => void,
): Promise<SearchReport> {
  const stopPagefind = () => void pagefind.close();
  signal.addEventListener('abort', stopPagefind, { once: true });
  const partitions = changePartitions(record);
  const manifest: SearchManifest = { names: NAMES_INDEX, failures: FAILURES_INDEX, changes: partitions.map(partitionPath) };
  let records = 0;
  let indexes = 0;
  const write = async (items: Iterable<CustomRecord>, path: string) => {
    signal.throwIfAborted();
    const count = await writeIndex(items, join(outDir, path), path, signal);
    records += count;
    indexes++;
    onIndex(count);
  };
  try {
    if (!scope || scope.names) await write([...nameRecords(site), ...testRecords(record)], manifest.names);
    if (!scope || scope.failures) await write(failureRecords(record), manifest.failures);
    for (const partition of partitions) {
      if (!scope || scope.partitions.has(partitionPath(partition))) await write(changeRecords(record, partition), partitionPath(partition));
    }
  } finally {
    signal.removeEventListener('abort', stopPagefind);
    await pagefind.close();
  }
  writeBuildLookups(record, scope?.builders ?? site.builders.keys(), outDir);
  mkdirSync(join(outDir, 'search'), { recursive: true });
  writeFileSync(join(outDir, 'search', 'manifest.json'), JSON.stringify(manifest));
  return { records, indexes };
}

/** How many indexes `writeSearch` will write, for progress. */
export function searchIndexCount(record: RecordReader, scope: SearchScope | null): number {
  return scope ? Number(scope.names) + Number(scope.failures) + scope.partitions.size : 2 + changePartitions(record).length;
}

/** The buckets of `size` change ids (bucket k: ids k·size + 1 to (k + 1)·size) that hold a change on a sourcestamp. */
function changeBuckets(record: RecordReader, size: number): number[] {
  // Changes found in search are those on a sourcestamp's page.
  return record.db
    .prepare('SELECT DISTINCT (changeid - 1) / CAST(? AS INTEGER) FROM stamp_changes WHERE changeid >= 1 ORDER BY 1')
    .pluck()
    .all(size) as number[];
}

/** Changes with id in [from, to], each with the (first) sourcestamp that holds it. */
function changesFrom(record: RecordReader, from: number, to: number): (Change & { sourcestampId: number | null })[] {
  return record.changeRows(
    `SELECT (SELECT min(sc.sourcestampid) FROM stamp_changes sc WHERE sc.changeid = c.id) AS stampid, c.*
     FROM changes c WHERE c.id BETWEEN ? AND ? ORDER BY c.id`,
    from,
    to,
  );
}
