/**
 * Building one archive on several machines: `copra build --shard I/N` renders a deterministic 1/N
 * of the archive's windows and search indexes into a part, and `copra merge` assembles the parts
 * into the archive a single build writes, byte for byte.
 *
 * Every shard reads the whole snapshot into its own record (a few percent of a build's time), so
 * any shard can render any page: pages that span the archive (home, totals, listings) need nothing
 * from other shards, and the parts' records are identical. Merge reads only the parts: it checks
 * that they are the N shards of one record, lays their files together, writes the sitemap (the
 * one file made from every page) and swaps the result in like a build.
 */
import { closeSync, constants, copyFileSync, existsSync, linkSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { SITE, checkReplaceable, isArchive, lockArchive, scratchDirFor, swapIn } from './archiveDir.ts';
import { CopraError } from './errors.ts';
import { type Window, partWeight } from './pages/plan.ts';
import { type Output, formatSeconds, startProgress } from './progress.ts';
import { RECORD_DIR, RECORD_FILE, recordPathIn } from './record/record.ts';
import { writeSitemap } from './render/sitemap.ts';

/** Shard `index` (1 to `count`) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** What a part says of itself, in its record's directory: what merge checks before it trusts the files. */
interface PartMarker {
  shard: Shard;
  /** SHA-256 of the part's record: the shards of one archive hold the same one. */
  record: string;
  /** The archive's --base-url, for the sitemap merge writes; null without one. */
  baseUrl: string | null;
}

const MARKER = join(RECORD_DIR, 'shard.json');

/** Parses `I/N` as --shard takes it. */
export function parseShard(value: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const [index, count] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  if (!match || count < 1 || index < 1 || index > count) {
    throw new CopraError(`--shard takes I/N, this shard's number I from 1 to the number of shards N (like 2/3), not "${value}".\nRun "copra help" for usage.`);
  }
  return { index, count };
}

/**
 * The windows shard `shard` renders: each window, in plan order, goes to the shard with the least
 * weight so far (the lowest-numbered on a tie), so shards differ by at most one window's weight
 * and every build of the same plan deals them out alike.
 */
export function shardWindows(windows: readonly Window[], { index, count }: Shard): Window[] {
  const loads = new Array<number>(count).fill(0);
  return windows.filter((window) => {
    const lightest = loads.indexOf(Math.min(...loads));
    loads[lightest]! += window.parts.reduce((sum, part) => sum + partWeight(part), 0);
    return lightest === index - 1;
  });
}

/** Whether `dir` holds a part that a shard build wrote. */
export function isPart(dir: string): boolean {
  return existsSync(join(dir, MARKER));
}

/** Marks the part a shard build wrote into `site`, whose record is complete. */
export function writePartMarker(site: string, shard: Shard, baseUrl: string | null): void {
  const marker: PartMarker = { shard, record: fileDigest(recordPathIn(site)), baseUrl };
  writeFileSync(join(site, MARKER), JSON.stringify(marker));
}

function fileDigest(path: string): string {
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(1 << 20);
  const fd = openSync(path, 'r');
  try {
    for (let read; (read = readSync(fd, buffer)) > 0; ) hash.update(buffer.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

function readMarker(part: string): PartMarker {
  if (!existsSync(part)) throw new CopraError(`${part} does not exist; pass the directories the shard builds wrote (copra build SNAPSHOT --out PART --shard I/N).`);
  if (!isPart(part)) throw new CopraError(`${part} is not a part of a sharded build (it has no ${MARKER}); build it with copra build SNAPSHOT --out ${part} --shard I/N.`);
  const damaged = (what: string) => new CopraError(`${part}: ${what} is damaged or missing; build ${part} again.`);
  let marker: PartMarker;
  try {
    marker = JSON.parse(readFileSync(join(part, MARKER), 'utf8')) as PartMarker;
  } catch {
    throw damaged(MARKER);
  }
  const { shard } = marker ?? {};
  if (!Number.isInteger(shard?.index) || !Number.isInteger(shard?.count) || typeof marker.record !== 'string') throw damaged(MARKER);
  if (!existsSync(recordPathIn(part))) throw damaged(join(RECORD_DIR, RECORD_FILE));
  return marker;
}

/** Orders the parts by shard, refusing anything but the N shards of one record. */
function checkedParts(parts: readonly string[]): { dir: string; marker: PartMarker }[] {
  if (parts.length === 0) throw new CopraError('copra merge takes the part directories of every shard.\nRun "copra help" for usage.');
  const read = parts.map((dir) => ({ dir, marker: readMarker(dir) }));
  const [first] = read;
  const count = first!.marker.shard.count;
  for (const part of read) {
    if (part.marker.shard.count !== count) {
      throw new CopraError(`${part.dir} is shard ${part.marker.shard.index}/${part.marker.shard.count}, ${first!.dir} is one of ${count}; merge the parts of one sharded build.`);
    }
    if (part.marker.record !== first!.marker.record || part.marker.baseUrl !== first!.marker.baseUrl) {
      throw new CopraError(
        `${part.dir} and ${first!.dir} were built from different snapshots, options or copra versions (their records differ); ` +
          'build every shard from the same snapshot with the same options.',
      );
    }
  }
  const byIndex = new Map<number, string>();
  for (const { dir, marker } of read) {
    const twin = byIndex.get(marker.shard.index);
    if (twin) throw new CopraError(`${twin} and ${dir} are both shard ${marker.shard.index}/${count}; pass each shard's part once.`);
    byIndex.set(marker.shard.index, dir);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((index) => !byIndex.has(index));
  if (missing.length > 0) {
    throw new CopraError(`shard${missing.length === 1 ? '' : 's'} ${missing.map((index) => `${index}/${count}`).join(', ')} missing; pass the parts of all ${count} shards.`);
  }
  return read.sort((a, b) => a.marker.shard.index - b.marker.shard.index);
}

/**
 * Refuses to replace an archive whose record remembers builds the parts' record lacks: history the
 * snapshot no longer has would be lost.
 */
function checkKeepsHistory(out: string, partRecord: string): void {
  const archived = recordPathIn(out);
  if (!existsSync(archived)) return;
  const db = new Database(partRecord, { readonly: true, fileMustExist: true });
  try {
    let lost: number;
    try {
      db.prepare('ATTACH DATABASE ? AS archived').run(archived);
      lost = db.prepare('SELECT count(*) FROM archived.builds WHERE id NOT IN (SELECT id FROM main.builds)').pluck().get() as number;
    } catch (error) {
      throw new CopraError(`${archived} cannot be read (${(error as Error).message}), so merge cannot tell what history it holds; move it away or merge into another --out.`);
    }
    if (lost > 0) {
      throw new CopraError(
        `${out} remembers ${lost} build${lost === 1 ? '' : 's'} the parts' record lacks; build the shards on ${archived} ` +
          '(copy it into each part\'s .copra/ first) to keep them, or merge into another --out.',
      );
    }
  } finally {
    db.close();
  }
}

export interface MergeResult {
  parts: number;
  files: number;
  seconds: number;
}

/**
 * Merges the parts of a sharded build into `out`, replacing what it held like a build does; reads
 * nothing but the parts. Files that two parts both hold (the stylesheet, the search manifest, the
 * record) must be the same.
 */
export function mergeParts(parts: readonly string[], out: string, output: Output): MergeResult {
  const started = Date.now();
  const ordered = checkedParts(parts.map((part) => resolve(part)));
  const target = resolve(out);
  checkReplaceable(target);
  if (isPart(target)) throw new CopraError(`${out} is a part of a sharded build; merge into another --out.`);
  if (ordered.some(({ dir }) => dir === target)) throw new CopraError(`${out} is one of the parts; merge into another --out.`);
  const firstRecord = recordPathIn(ordered[0]!.dir);
  checkKeepsHistory(target, firstRecord);
  mkdirSync(dirname(target), { recursive: true });
  const releaseLock = lockArchive(target);
  const scratch = scratchDirFor(target);
  try {
    const site = join(scratch, SITE);
    const files = ordered.map(({ dir }) => ({ dir, files: filesUnder(dir).filter((file) => !file.startsWith(`${RECORD_DIR}/`)) }));
    // The record is the same in every part (checkedParts): it is copied once, the marker not at all.
    const progress = startProgress(output, 'Merging', files.reduce((sum, part) => sum + part.files.length, 0) + 1, 'files');
    const place = linkOrCopy();
    const copiedFrom = new Map<string, string>();
    const made = new Set<string>();
    for (const part of files) {
      for (const file of part.files) {
        const from = join(part.dir, file);
        const twin = copiedFrom.get(file);
        if (twin !== undefined) {
          if (!readFileSync(from).equals(readFileSync(join(twin, file)))) {
            throw new CopraError(`${part.dir} and ${twin} hold different versions of ${file}; build every shard with the same copra and options.`);
          }
        } else {
          const dir = dirname(join(site, file));
          if (!made.has(dir)) mkdirSync(dir, { recursive: true });
          made.add(dir);
          place(from, join(site, file));
          copiedFrom.set(file, part.dir);
        }
        progress.advance(1);
      }
    }
    mkdirSync(join(site, RECORD_DIR), { recursive: true });
    // The record is copied, not linked: it is the one file people open with tools that write.
    copyFileSync(firstRecord, recordPathIn(site), constants.COPYFILE_FICLONE);
    progress.advance(1);
    progress.done();
    const { baseUrl } = ordered[0]!.marker;
    if (baseUrl) writeSitemap(site, [site], baseUrl);
    if (!isArchive(site)) throw new CopraError(`the parts hold no home page; build them again with this copra.`);
    swapIn(site, target, scratch, output);
    return { parts: ordered.length, files: copiedFrom.size + 1, seconds: (Date.now() - started) / 1000 };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    releaseLock();
  }
}

/**
 * Places a part's file in the archive: a hard link, three times faster than a copy at 250,000
 * files, where the part is on the archive's file system (else a copy). Sharing the file is safe:
 * copra never writes into a file, it writes new ones and renames them over the old.
 */
function linkOrCopy(): (from: string, to: string) => void {
  let linking = true;
  return (from, to) => {
    if (linking) {
      try {
        return linkSync(from, to);
      } catch (error) {
        if (!['EXDEV', 'EPERM', 'ENOTSUP', 'EMLINK'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
        linking = false;
      }
    }
    copyFileSync(from, to, constants.COPYFILE_FICLONE);
  };
}

/** Paths of the files under `dir`, relative to it, with '/' between folders. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'));
}
