/**
 * Building one archive on several machines: `copra build --shard I/N` renders a deterministic 1/N
 * of the archive's windows and search indexes into a part, and `copra merge` assembles the parts
 * into the archive a single build writes, byte for byte.
 *
 * Every shard reads the whole snapshot into its own record (a few percent of a build's time), so
 * any shard can render any page: pages that span the archive (home, totals, listings) need nothing
 * from other shards, and the parts' records are identical. Merge reads only the parts: it checks
 * that they are the N shards of one record, lays their files together (linked, or moved with
 * --move), writes the sitemap (the one file made from every page) and swaps the result in like a build.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { closeSync, constants, copyFileSync, existsSync, linkSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { SITE, checkReplaceable, isArchive, lockArchive, scratchDirFor, swapIn } from './archiveDir.ts';
import { CopraError } from './errors.ts';
import { type Window, partWeight } from './pages/plan.ts';
import { type Output, startProgress } from './progress.ts';
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
/** The marker of a part whose files a merge began moving: a part that still has it is incomplete. */
const MOVING_MARKER = join(RECORD_DIR, 'shard-being-moved.json');

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
  if (existsSync(join(part, MOVING_MARKER))) {
    throw new CopraError(`${part} was being moved into an archive by a copra merge --move that did not finish, so some of its files are gone; build ${part} again.`);
  }
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
      throw new CopraError(
        `${archived} cannot be read (${(error as Error).message}), so merge cannot tell what history it holds; move it away or merge into another --out.`,
        2,
        { cause: error },
      );
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

export interface MergeOptions {
  /**
   * Move the parts' files into the archive instead of linking or copying them: whole folders in
   * one rename where only one part holds them, so the merge costs a few renames per page folder
   * of all parts but the first instead of a folder and a link per page. The parts are used up.
   */
  move?: boolean;
}

export interface MergeResult {
  parts: number;
  seconds: number;
}

/**
 * Merges the parts of a sharded build into `out`, replacing what it held like a build does; reads
 * nothing but the parts. Files that two parts both hold (the stylesheet, the search manifest) must
 * be the same. Moving, a failure puts back what was moved; a merge killed while moving leaves
 * the parts marked, and merge refuses them after.
 */
export function mergeParts(parts: readonly string[], out: string, output: Output, { move = false }: MergeOptions = {}): MergeResult {
  const started = Date.now();
  const ordered = checkedParts(parts.map((part) => resolve(part)));
  const target = resolve(out);
  // Nested, a merge would lay the archive into itself or, moving, delete it with the part.
  const nested = ordered.find(({ dir }) => dir === target || target.startsWith(dir + sep) || dir.startsWith(target + sep));
  if (nested) throw new CopraError(`${out} is the part ${nested.dir}, inside it or holds it; merge into a directory apart from the parts.`);
  checkReplaceable(target);
  if (isPart(target)) throw new CopraError(`${out} is a part of a sharded build; merge into another --out.`);
  const firstRecord = recordPathIn(ordered[0]!.dir);
  checkKeepsHistory(target, firstRecord);
  mkdirSync(dirname(target), { recursive: true });
  const releaseLock = lockArchive(target);
  const scratch = scratchDirFor(target);
  const moved: Moved[] = [];
  try {
    const site = join(scratch, SITE);
    mkdirSync(site);
    if (move) for (const { dir } of ordered) renameSync(join(dir, MARKER), join(dir, MOVING_MARKER));
    const progress = startProgress(output, 'Merging', ordered.length, 'parts');
    for (const { dir } of ordered) {
      layTogether(dir, site, '', move && sameDevice(dir, site) ? mover(moved) : linkOrCopy());
      progress.advance(1);
    }
    progress.done();
    mkdirSync(join(site, RECORD_DIR));
    // Moving, the record goes with the files; else it is copied, not linked: it is the one file
    // people open with tools that write.
    if (move) mover(moved).file(firstRecord, recordPathIn(site));
    else copyFileSync(firstRecord, recordPathIn(site), constants.COPYFILE_FICLONE);
    const { baseUrl } = ordered[0]!.marker;
    if (baseUrl) writeSitemap(site, baseUrl);
    if (!isArchive(site)) throw new CopraError(`the parts hold no home page; build them again with this copra.`);
    // The archive is whole: from here its files stay in it, whatever happens to the swap.
    moved.length = 0;
    swapIn(site, target, scratch, output);
  } catch (error) {
    if (move) putBack(moved, ordered.map(({ dir }) => dir));
    throw error;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    releaseLock();
  }
  if (move) for (const { dir } of ordered) rmSync(dir, { recursive: true, force: true });
  return { parts: ordered.length, seconds: (Date.now() - started) / 1000 };
}

/** How a part's entries reach the archive. */
interface Placer {
  file(from: string, to: string): void;
  /** Places a folder: true when it went whole, false when it was made empty for its entries. */
  folder(from: string, to: string): boolean;
}

/** A rename done by a merge moving its parts, undone should the merge fail. */
type Moved = [from: string, to: string];

/**
 * Lays the entries of `part`'s folder `rel` into the same folder of `site`, descending only into
 * folders another part has placed already; a file both hold must be the same.
 */
function layTogether(part: string, site: string, rel: string, placer: Placer, placed = new Set(readdirSync(join(site, rel)))): void {
  const here = join(site, rel);
  for (const entry of readdirSync(join(part, rel), { withFileTypes: true })) {
    const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (path === RECORD_DIR) continue;
    const from = join(part, path);
    const to = join(here, entry.name);
    if (!placed.has(entry.name)) {
      if (!entry.isDirectory()) placer.file(from, to);
      else if (!placer.folder(from, to)) layTogether(part, site, path, placer, new Set());
    } else if (entry.isDirectory()) {
      layTogether(part, site, path, placer);
    } else if (!readFileSync(from).equals(readFileSync(to))) {
      throw new CopraError(`${part} holds another version of ${path} than the parts before it; build every shard with the same copra and options.`);
    }
  }
}

function sameDevice(a: string, b: string): boolean {
  return statSync(a).dev === statSync(b).dev;
}

function mover(moved: Moved[]): Placer {
  const rename = (from: string, to: string) => {
    renameSync(from, to);
    moved.push([from, to]);
    return true;
  };
  return { file: rename, folder: rename };
}

/**
 * Undoes a failed merge's moves, newest first; the parts are unmarked only when all went back,
 * else merge goes on refusing them.
 */
function putBack(moved: readonly Moved[], parts: readonly string[]): void {
  let whole = true;
  for (const [from, to] of [...moved].reverse()) {
    try {
      renameSync(to, from);
    } catch {
      whole = false;
    }
  }
  if (whole) for (const dir of parts) if (existsSync(join(dir, MOVING_MARKER))) renameSync(join(dir, MOVING_MARKER), join(dir, MARKER));
}

/**
 * Places a part's files in the archive: hard links, three times faster than copies at 250,000
 * files, where the part is on the archive's file system (else copies); folders are made anew.
 * Sharing a file is safe: copra never writes into a file, it writes new ones and renames them over the old.
 */
function linkOrCopy(): Placer {
  let linking = true;
  return {
    file(from, to) {
      if (linking) {
        try {
          return linkSync(from, to);
        } catch (error) {
          if (!['EXDEV', 'EPERM', 'ENOTSUP', 'EMLINK'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
          linking = false;
        }
      }
      copyFileSync(from, to, constants.COPYFILE_FICLONE);
    },
    folder(_from, to) {
      mkdirSync(to);
      return false;
    },
  };
}
