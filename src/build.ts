import { closeSync, copyFileSync, constants, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { CopraError } from './errors.ts';
import { type ArchiveOptions, DEFAULT_ARCHIVE_OPTIONS, loadArchive, planWindows, plannedPageCount } from './pages/plan.ts';
import { type Output, formatSeconds, startProgress } from './progress.ts';
import type { MergeReport } from './record/merge.ts';
import { RECORD_DIR, archivedBuildCount, openRecord, recordPathIn, updateRecord } from './record/record.ts';
import { Interrupted, renderWindows } from './render/pool.ts';
import { TEMPLATES_DIR } from './render/eleventy.ts';
import { type SearchReport, searchIndexCount, writeSearch } from './search/indexer.ts';
import { readableSnapshotPath } from './snapshot/open.ts';

export interface BuildOptions extends Partial<ArchiveOptions> {
  out: string;
  jobs?: number;
  /** The archive's title; a new archive is titled after the snapshot's file name. */
  title?: string;
  /** Build from the snapshot alone, dropping what an existing archive remembers. */
  fresh?: boolean;
  /** Where progress lines go. */
  output: Output;
}

export interface BuildReport {
  schema: string;
  pages: number;
  windows: number;
  seconds: number;
  warnings: string[];
  /** Records in the search indexes, or null when search was skipped. */
  searchRecords: number | null;
  /** What an update of an existing archive found; null for a new or --fresh archive. */
  update: MergeReport | null;
  /** Archived builds a --fresh build dropped. */
  droppedBuilds: number;
}

/**
 * Builds the archive of `snapshotFile` into `options.out`, accumulating into the history the
 * archive's record already holds. Everything — pages and record — is written into a fresh
 * directory beside `out` and swapped in only when the build succeeded: a refused, failed or
 * interrupted build leaves the previous archive, record included, as it was.
 */
export async function buildArchive(snapshotFile: string, options: BuildOptions): Promise<BuildReport> {
  const started = Date.now();
  const out = resolve(options.out);
  checkReplaceable(out);
  mkdirSync(dirname(out), { recursive: true });
  const releaseLock = lockArchive(out);
  const scratch = mkdtempSync(join(dirname(out), '.copra-tmp-'));
  const removeScratch = () => rmSync(scratch, { recursive: true, force: true });
  // A signal aborts the render (its workers are stopped first), then this function unwinds and
  // cleans up; a second signal does not wait for that.
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) {
      removeScratch();
      releaseLock();
      process.exit(130);
    }
    interrupt.abort(signal);
  };
  const checkInterrupt = () => {
    if (interrupt.signal.aborted) throw new Interrupted();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    const site = join(scratch, 'site');
    const work = join(scratch, 'work');
    mkdirSync(work);
    mkdirSync(join(site, RECORD_DIR), { recursive: true });
    const snapshotPath = readableSnapshotPath(snapshotFile, work);
    const recordPath = recordPathIn(site);
    const archivedRecord = recordPathIn(out);
    const droppedBuilds = options.fresh ? archivedBuildCount(archivedRecord) : 0;
    if (!options.fresh && existsSync(archivedRecord)) copyFileSync(archivedRecord, recordPath, constants.COPYFILE_FICLONE);

    const reading = Date.now();
    const recorded = updateRecord(recordPath, snapshotPath, {
      snapshotName: snapshotFile,
      archiveName: options.out,
      title: options.title,
      defaultTitle: basename(snapshotFile),
      stagingPath: join(work, 'incoming.sqlite'),
      rendering: '',
    });
    const schema = recorded.schema.description;
    options.output.write(`${snapshotFile}: ${schema}, read into copra's record in ${formatSeconds((Date.now() - reading) / 1000)}\n`);
    checkInterrupt();

    const archiveOptions: ArchiveOptions = {
      buildsPerWindow: options.buildsPerWindow ?? DEFAULT_ARCHIVE_OPTIONS.buildsPerWindow,
      logs: options.logs ?? DEFAULT_ARCHIVE_OPTIONS.logs,
      logPageLines: options.logPageLines ?? DEFAULT_ARCHIVE_OPTIONS.logPageLines,
      search: options.search ?? DEFAULT_ARCHIVE_OPTIONS.search,
    };
    const record = openRecord(recordPath);
    const archive = loadArchive(record, record.title, archiveOptions);
    const windows = planWindows(archive);

    // Pages, not windows, measure progress: windows range from 20 listing pages to 1,000 build
    // pages, so counting windows made the ETA of a large archive far too long.
    const plannedPages = windows.reduce((sum, window) => sum + plannedPageCount(window), 0);
    const progress = startProgress(options.output, 'Rendering', plannedPages, 'pages');
    const result = await renderWindows(windows, {
      recordPath,
      outDir: site,
      options: archiveOptions,
      jobs: options.jobs ?? availableParallelism(),
      onWindow: (window) => progress.advance(plannedPageCount(window)),
      signal: interrupt.signal,
    });
    progress.done();
    cpSync(join(TEMPLATES_DIR, 'assets'), join(site, 'assets'), { recursive: true });
    checkInterrupt();

    let search: SearchReport | null = null;
    if (archiveOptions.search) {
      const indexing = startProgress(options.output, 'Indexing', searchIndexCount(archive.snapshot), 'indexes');
      search = await writeSearch(archive.snapshot, archive.site, site, () => indexing.advance(1));
      indexing.done();
    }
    archive.snapshot.close();
    checkInterrupt();

    swapIn(site, out, scratch);
    return {
      schema,
      pages: result.pages,
      windows: windows.length,
      seconds: (Date.now() - started) / 1000,
      warnings: result.warnings,
      searchRecords: search?.records ?? null,
      update: recorded.merge,
      droppedBuilds,
    };
  } catch (error) {
    if (error instanceof Interrupted) {
      throw new CopraError(`interrupted by ${String(interrupt.signal.reason)}; ${options.out} was left as it was.`, 130);
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    removeScratch();
    releaseLock();
  }
}

/** A build replaces only an earlier archive or an empty directory, never anything else. */
function checkReplaceable(out: string): void {
  const stat = statSync(out, { throwIfNoEntry: false });
  if (!stat) return;
  if (!stat.isDirectory()) throw new CopraError(`${out} is a file, not a directory; choose another --out.`);
  const isArchive = existsSync(join(out, 'index.html')) && existsSync(join(out, 'assets', 'copra.css'));
  if (!isArchive && readdirSync(out).length > 0) {
    throw new CopraError(`${out} exists and does not look like a copra archive; choose another --out or remove it.`);
  }
}

/**
 * Takes the archive's lock (a file beside it holding the builder's PID), so that a second build
 * into the same directory is refused while one runs. A lock whose process is gone is taken over.
 */
function lockArchive(out: string): () => void {
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

/** Replaces `out` with `site`; the old archive is moved aside into the scratch directory first. */
function swapIn(site: string, out: string, scratch: string): void {
  if (existsSync(out)) renameSync(out, join(scratch, 'previous'));
  renameSync(site, out);
}
