/**
 * Writes the archive's search: Pagefind indexes built from custom records through Pagefind's Node
 * API, and one lookup file per builder for "builder + number" queries.
 *
 * - `pagefind/names/`: builders, workers, masters. Small, so a builder search downloads little.
 * - `pagefind/changes-<n>/`: changes, in shards of CHANGES_PER_SHARD records. Each shard is indexed
 *   and written on its own, so indexer memory is bounded by the shard; the browser loads the first
 *   and merges the others only when someone searches changes.
 * - `search/builds/<builder id>.json`: build number → build id.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pagefind from 'pagefind';
import type { CustomRecord } from 'pagefind';
import { CopraError } from '../errors.ts';
import type { Archive } from '../pages/kind.ts';
import type { Site } from '../pages/site.ts';
import type { Snapshot } from '../snapshot/types.ts';
import { changeRecord, nameRecords } from './records.ts';

/** Changes per shard: shard k holds the changes with ids from k·50,000 + 1 to (k + 1)·50,000. */
export const CHANGES_PER_SHARD = 50_000;
/** Changes read from the record at once. */
const CHANGE_WINDOW = 5_000;

export interface SearchManifest {
  names: string;
  changes: string[];
}

export interface SearchReport {
  records: number;
  indexes: number;
}

/** What an update rewrites of the search; null in place of a scope means everything. */
export interface SearchScope {
  names: boolean;
  shards: Set<number>;
  /** Builders whose "builder + number" lookup changed. */
  builders: number[];
}

/** Fixed by change ids, so an update rewrites only the shards of the changes it brought. */
const shardOf = (changeId: number) => Math.trunc((changeId - 1) / CHANGES_PER_SHARD);
const shardPath = (shard: number) => `pagefind/changes-${shard}/`;

/** What of the search an update changed: new builders, workers or masters, changes, builds. */
export function changedSearch({ snapshot, site }: Archive, before: Archive): SearchScope {
  const newBuilders = [...site.builders.keys()].filter((id) => !before.site.builders.has(id));
  const buildersWithNewBuilds = snapshot.changedBuildOwners().filter((build) => build.isNew).map((build) => build.builder);
  return {
    names: newBuilders.length > 0 || site.workers.size !== before.site.workers.size || site.masters.size !== before.site.masters.size,
    shards: new Set(snapshot.changedChanges().map(shardOf)),
    builders: [...new Set([...newBuilders, ...buildersWithNewBuilds])].filter((id) => site.builders.has(id)).sort((a, b) => a - b),
  };
}

/** Pagefind reports problems in a list instead of throwing: any entry fails the build. */
function check(errors: string[], what: string): void {
  if (errors.length > 0) throw new CopraError(`search indexing failed (${what}): ${errors.join('; ')}`);
}

async function writeIndex(records: Iterable<CustomRecord>, outputPath: string, what: string): Promise<number> {
  // keepIndexUrl: result links name index.html like every other link, so they work from any host.
  const { errors, index } = await pagefind.createIndex({ forceLanguage: 'en', keepIndexUrl: true });
  check(errors, what);
  let count = 0;
  for (const record of records) {
    check((await index!.addCustomRecord(record)).errors, what);
    count++;
  }
  check((await index!.writeFiles({ outputPath })).errors, what);
  await index!.deleteIndex();
  return count;
}

function* changeShard(snapshot: Snapshot, shard: number): Generator<CustomRecord> {
  const from = shard * CHANGES_PER_SHARD + 1;
  for (let start = from; start < from + CHANGES_PER_SHARD; start += CHANGE_WINDOW) {
    for (const change of snapshot.changes(start, start + CHANGE_WINDOW - 1)) {
      if (change.sourcestampId !== null) yield changeRecord({ ...change, sourcestampId: change.sourcestampId });
    }
  }
}

function writeBuildLookups(snapshot: Snapshot, builderIds: Iterable<number>, outDir: string): void {
  const dir = join(outDir, 'search', 'builds');
  mkdirSync(dir, { recursive: true });
  for (const builderId of builderIds) {
    const numbers = Object.fromEntries(snapshot.buildsOf('builder', builderId).map((build) => [build.number, build.id]));
    writeFileSync(join(dir, `${builderId}.json`), JSON.stringify(numbers));
  }
}

/** Writes the indexes `scope` names (all of them without one) into `outDir`; `onIndex` is told of each. */
export async function writeSearch(
  snapshot: Snapshot,
  site: Site,
  outDir: string,
  scope: SearchScope | null,
  onIndex: (records: number) => void,
): Promise<SearchReport> {
  const shards = snapshot.changeShards(CHANGES_PER_SHARD);
  const manifest: SearchManifest = { names: 'pagefind/names/', changes: shards.map(shardPath) };
  let records = 0;
  let indexes = 0;
  const write = async (items: Iterable<CustomRecord>, path: string) => {
    const count = await writeIndex(items, join(outDir, path), path);
    records += count;
    indexes++;
    onIndex(count);
  };
  try {
    if (!scope || scope.names) await write(nameRecords(site), manifest.names);
    for (const shard of shards) if (!scope || scope.shards.has(shard)) await write(changeShard(snapshot, shard), shardPath(shard));
  } finally {
    await pagefind.close();
  }
  writeBuildLookups(snapshot, scope?.builders ?? site.builders.keys(), outDir);
  mkdirSync(join(outDir, 'search'), { recursive: true });
  writeFileSync(join(outDir, 'search', 'manifest.json'), JSON.stringify(manifest));
  return { records, indexes };
}

/** How many indexes `writeSearch` will write, for progress. */
export function searchIndexCount(snapshot: Snapshot, scope: SearchScope | null): number {
  const shards = snapshot.changeShards(CHANGES_PER_SHARD);
  return scope ? Number(scope.names) + shards.filter((shard) => scope.shards.has(shard)).length : 1 + shards.length;
}
