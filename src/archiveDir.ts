/**
 * The archive directory's protocol: who may build into it (a lock), how a full build replaces it
 * (a swap), and how an update lands in it (a commit that the next build completes if it was cut
 * short). Whatever stops copra, the directory serves the old archive, the new one, or — only
 * after an update's commit point — a mix that the next build completes before anything else.
 */
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, statfsSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { CopraError } from './errors.ts';
import type { Output } from './progress.ts';
import { formatBytes, startProgress } from './progress.ts';
import { RECORD_DIR, RECORD_FILE, recordPathIn } from './record/record.ts';
import { replacedWhole } from './urls.ts';

/** An update's files once committed, inside the record's directory (never served). */
const PENDING = join(RECORD_DIR, 'pending');

/**
 * A build replaces only an earlier archive, a directory holding copra's record (a shard's part, or
 * one a record was copied into to continue it) or an empty directory, never anything else.
 */
export function checkReplaceable(out: string): void {
  const stat = statSync(out, { throwIfNoEntry: false });
  if (!stat) return;
  if (!stat.isDirectory()) throw new CopraError(`${out} is a file, not a directory; choose another --out.`);
  if (!isArchive(out) && !existsSync(recordPathIn(out)) && readdirSync(out).length > 0) {
    throw new CopraError(`${out} exists and does not look like a copra archive; choose another --out or remove it.`);
  }
}

export function isArchive(out: string): boolean {
  return existsSync(join(out, 'index.html')) && existsSync(join(out, 'assets', 'copra.css'));
}

/**
 * Takes the archive's lock (a file beside it holding the builder's PID), so that a second build
 * into the same directory is refused while one runs. A lock whose process is gone is taken over.
 */
export function lockArchive(out: string): () => void {
  const lock = join(dirname(out), `.${basename(out)}.copra-lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return () => {
        if (!released) rmSync(lock, { force: true });
        released = true;
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lock, 'utf8'));
      if (processAlive(holder)) {
        throw new CopraError(`${out} is being built by another copra (PID ${holder}); wait for it to finish, or choose another --out.`);
      }
      rmSync(lock, { force: true });
    }
  }
  throw new CopraError(`${out}: cannot take the lock file beside it; remove .${basename(out)}.copra-lock if no copra is running.`);
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A new scratch directory beside `out` for one build, named after it. Only the holder of `out`'s
 * lock makes them, so any other one left there is a build's that was killed: removed first — after
 * finishing its swap if it was killed between the swap's two renames, when `out` is missing and
 * the complete new archive waits in it.
 */
export function scratchDirFor(out: string): string {
  const prefix = `.${basename(out)}.copra-tmp-`;
  for (const name of readdirSync(dirname(out))) {
    if (!name.startsWith(prefix)) continue;
    const stale = join(dirname(out), name);
    if (!existsSync(out) && existsSync(join(stale, PREVIOUS)) && existsSync(join(stale, SITE))) renameSync(join(stale, SITE), out);
    rmSync(stale, { recursive: true, force: true });
  }
  return mkdtempSync(join(dirname(out), prefix));
}

/**
 * Refuses, before starting, to copy `file` into `dir` when the file system lacks the room: a
 * copy cut short by a full disk would fail the build only after minutes of work.
 */
export function checkRoomFor(file: string, dir: string, free = (path: string) => {
  const { bavail, bsize } = statfsSync(path);
  return bavail * bsize;
}): void {
  const needed = statSync(file).size;
  const available = free(dir);
  if (available < needed) {
    throw new CopraError(
      `${dir}: ${formatBytes(available)} free, but the update works on a copy of copra's record (${file}, ${formatBytes(needed)}); free some space there and build again.`,
    );
  }
}

/** Inside a scratch directory: the archive being built, and the one it replaces during the swap. */
export const SITE = 'site';
const PREVIOUS = 'previous';

/**
 * Replaces `out` with the complete archive in `site` (`scratch`/SITE), then deletes the old one
 * (moved into `scratch` first) with progress: at scale that takes minutes, and a user should see
 * why. Killed between its two renames, it is finished by the next build (scratchDirFor).
 */
export function swapIn(site: string, out: string, scratch: string, output: Output): void {
  const previous = join(scratch, PREVIOUS);
  if (existsSync(out)) renameSync(out, previous);
  renameSync(site, out);
  if (existsSync(previous)) removeTree(previous, output);
}

/** Deletes a tree entry by entry below its top level, counting them. */
function removeTree(dir: string, output: Output): void {
  const groups = readdirSync(dir, { withFileTypes: true }).map((entry) => ({
    path: join(dir, entry.name),
    children: entry.isDirectory() ? readdirSync(join(dir, entry.name)) : [],
  }));
  const progress = startProgress(output, 'Removing the old archive', groups.reduce((sum, group) => sum + Math.max(1, group.children.length), 0), 'entries');
  for (const group of groups) {
    for (const child of group.children) {
      rmSync(join(group.path, child), { recursive: true, force: true });
      progress.advance(1);
    }
    rmSync(group.path, { recursive: true, force: true });
    if (group.children.length === 0) progress.advance(1);
  }
  rmSync(dir, { recursive: true, force: true });
  progress.done();
}

/**
 * Lands an update: `site` holds only the files that changed (and copra's new record); `removed`
 * names what the update deletes (search shards the new layout merged away). Moving `site` to
 * `out/.copra/pending` in one rename is the commit point; then its files replace their old
 * versions one rename each, the removals follow, and the record comes last. Returns the files
 * and directories moved.
 */
export function commitUpdate(site: string, out: string, removed: readonly string[]): number {
  writeFileSync(join(site, REMOVALS), JSON.stringify(removed));
  renameSync(site, join(out, PENDING));
  return completePending(out);
}

/** Inside a pending update: the paths it deletes. */
const REMOVALS = join(RECORD_DIR, 'removed.json');

/**
 * Completes an update that was committed but cut short (a crash, a kill, a full disk), moving the
 * rest of its files into place; a no-op when there is none. Running it twice is harmless: what
 * was moved is no longer pending, what was removed is gone. Returns the files moved.
 */
export function completePending(out: string): number {
  const pending = join(out, PENDING);
  if (!existsSync(pending)) return 0;
  let moved = 0;
  const move = (relative: string) => {
    const from = join(pending, relative);
    const to = join(out, relative);
    const stat = statSync(from);
    if (stat.isDirectory() && !replacedWhole(relative)) {
      for (const name of readdirSync(from)) move(join(relative, name));
      return;
    }
    mkdirSync(dirname(to), { recursive: true });
    // A directory written whole (a Pagefind index, a log's page and raw file) replaces the old one
    // whole, so no file of the old version is left behind.
    if (stat.isDirectory()) rmSync(to, { recursive: true, force: true });
    renameSync(from, to);
    moved++;
  };
  // copra's own files in the pending tree are applied after the pages, the record last.
  for (const name of readdirSync(pending)) if (name !== RECORD_DIR) move(name);
  const removals = join(pending, REMOVALS);
  if (existsSync(removals)) {
    for (const path of JSON.parse(readFileSync(removals, 'utf8')) as string[]) {
      const target = resolve(out, path);
      if (target.startsWith(out + sep)) rmSync(target, { recursive: true, force: true });
    }
  }
  const record = join(RECORD_DIR, RECORD_FILE);
  if (existsSync(join(pending, record))) renameSync(join(pending, record), join(out, record));
  rmSync(pending, { recursive: true, force: true });
  return moved;
}
