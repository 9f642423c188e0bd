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
import type { Site } from '../pages/site.ts';
import type { Snapshot } from '../snapshot/types.ts';
import { changeRecord, nameRecords } from './records.ts';

export const CHANGES_PER_SHARD = 50_000;
/** Changes read from the snapshot at once. */
const CHANGE_WINDOW = 5_000;

export interface SearchManifest {
  names: string;
  changes: string[];
}

export interface SearchReport {
  records: number;
  indexes: number;
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

function* changeShard(snapshot: Snapshot, from: number, to: number): Generator<CustomRecord> {
  for (let start = from; start <= to; start += CHANGE_WINDOW) {
    for (const change of snapshot.changes(start, Math.min(to, start + CHANGE_WINDOW - 1))) {
      if (change.sourcestampId !== null) yield changeRecord({ ...change, sourcestampId: change.sourcestampId });
    }
  }
}

function writeBuildLookups(snapshot: Snapshot, site: Site, outDir: string): void {
  const dir = join(outDir, 'search', 'builds');
  mkdirSync(dir, { recursive: true });
  for (const builderId of site.builders.keys()) {
    const numbers = Object.fromEntries(snapshot.buildsOf('builder', builderId).map((build) => [build.number, build.id]));
    writeFileSync(join(dir, `${builderId}.json`), JSON.stringify(numbers));
  }
}

/** Builds every index into `outDir`; `onIndex` is told each time one is written. */
export async function writeSearch(
  snapshot: Snapshot,
  site: Site,
  outDir: string,
  onIndex: (records: number) => void,
): Promise<SearchReport> {
  const manifest: SearchManifest = { names: 'pagefind/names/', changes: [] };
  let records = 0;
  try {
    const names = await writeIndex(nameRecords(site), join(outDir, manifest.names), 'names');
    records += names;
    onIndex(names);
    const bounds = snapshot.changeIdBounds();
    // Shards are id ranges: about CHANGES_PER_SHARD changes each, fewer where ids have gaps.
    for (let from = bounds?.min ?? 1; bounds && from <= bounds.max; from += CHANGES_PER_SHARD) {
      const path = `pagefind/changes-${manifest.changes.length}/`;
      const count = await writeIndex(changeShard(snapshot, from, Math.min(bounds.max, from + CHANGES_PER_SHARD - 1)), join(outDir, path), path);
      if (count > 0) manifest.changes.push(path);
      records += count;
      onIndex(count);
    }
  } finally {
    await pagefind.close();
  }
  writeBuildLookups(snapshot, site, outDir);
  writeFileSync(join(outDir, 'search', 'manifest.json'), JSON.stringify(manifest));
  return { records, indexes: 1 + manifest.changes.length };
}

/** How many indexes `writeSearch` will write, for progress. */
export function searchIndexCount(snapshot: Snapshot): number {
  const bounds = snapshot.changeIdBounds();
  return 1 + (bounds ? Math.ceil((bounds.max - bounds.min + 1) / CHANGES_PER_SHARD) : 0);
}
