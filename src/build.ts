import { constants, copyFileSync, cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { SITE, checkReplaceable, checkRoomFor, commitUpdate, completePending, isArchive, lockArchive, scratchDirFor, swapIn } from './archiveDir.ts';
import { CopraError, Interrupted } from './errors.ts';
import {
  type Archive,
  type ArchiveOptions,
  DEFAULT_ARCHIVE_OPTIONS,
  type Window,
  loadArchive,
  planChangedWindows,
  planWindows,
  plannedPageCount,
} from './pages/plan.ts';
import type { DataWarning } from './pages/warnings.ts';
import { type Output, type Progress, formatSeconds, startProgress } from './progress.ts';
import type { MergeReport } from './record/merge.ts';
import type { Upgrade } from './record/migrations/index.ts';
import { RECORD_DIR, archivedBuildCount, openRecord, recordPathIn, updateRecord } from './record/record.ts';
import { rendererFingerprint } from './render/fingerprint.ts';
import { TEMPLATES_DIR, templatesOverlay } from './render/nunjucks.ts';
import { renderWindows } from './render/pool.ts';
import { writeSitemap } from './render/sitemap.ts';
import { type SearchReport, type SearchScope, changedSearch, searchIndexCount, shardSearchScope, writeSearch } from './search/indexer.ts';
import { type Shard, isPart, shardWindows, writePartMarker } from './shards.ts';
import { readableSnapshotPath } from './snapshot/open.ts';

export interface BuildOptions extends Partial<ArchiveOptions> {
  out: string;
  jobs?: number;
  /** The archive's title; a new archive is titled after the snapshot's file name. */
  title?: string;
  /** Build from the snapshot alone, dropping what an existing archive remembers. */
  fresh?: boolean;
  /** Render only this shard's share of the archive, as a part for `copra merge` (shards.ts). */
  shard?: Shard;
  /** Where progress lines go. */
  output: Output;
}

export interface BuildReport {
  schema: string;
  pages: number;
  windows: number;
  seconds: number;
  /** What is wrong in the snapshot's rows, as the pages this build rendered met it. */
  warnings: DataWarning[];
  /** Records in the search indexes written, or null when search was skipped. */
  searchRecords: number | null;
  /** What an update of an existing archive found; null for a new or --fresh archive. */
  update: MergeReport | null;
  /** Whether only the pages an update changed were rendered (else every page was). */
  incremental: boolean;
  /** Archived builds a --fresh build dropped. */
  droppedBuilds: number;
  /** The upgrade of a record an older copra wrote, or null. */
  upgrade: Upgrade | null;
}

/**
 * Builds the archive of `snapshotFile` into `options.out`, accumulating into the history the
 * archive's record already holds. A new archive, or one whose pages another copra or other options
 * rendered, is rendered whole into a fresh directory beside `out` and swapped in; an update renders
 * only the pages that changed and commits them (archiveDir.ts). A refused, failed or interrupted
 * build leaves the previous archive, record included, as it was.
 */
export async function buildArchive(snapshotFile: string, options: BuildOptions): Promise<BuildReport> {
  const started = Date.now();
  const out = resolve(options.out);
  checkReplaceable(out);
  if (options.shard && isArchive(out) && !isPart(out)) {
    throw new CopraError(`${options.out} holds a whole archive; build each shard into a directory of its own and merge them into ${options.out}.`);
  }
  mkdirSync(dirname(out), { recursive: true });
  const releaseLock = lockArchive(out);
  const scratch = scratchDirFor(out);
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
    const completed = completePending(out);
    if (completed > 0) options.output.write(`${options.out}: completed the update an earlier copra committed but did not finish (${completed} files)\n`);

    const site = join(scratch, SITE);
    const work = join(scratch, 'work');
    mkdirSync(work);
    mkdirSync(join(site, RECORD_DIR), { recursive: true });
    const snapshotPath = readableSnapshotPath(snapshotFile, work);
    const recordPath = recordPathIn(site);
    const archivedRecord = recordPathIn(out);
    const droppedBuilds = options.fresh ? archivedBuildCount(archivedRecord) : 0;
    if (!options.fresh && existsSync(archivedRecord)) {
      // The update, and any upgrade of an older record, works on this copy: the archive's record
      // stays as it was until the new one is swapped in.
      checkRoomFor(archivedRecord, work);
      copyFileSync(archivedRecord, recordPath, constants.COPYFILE_FICLONE);
    }

    const archiveOptions: ArchiveOptions = {
      buildsPerWindow: options.buildsPerWindow ?? DEFAULT_ARCHIVE_OPTIONS.buildsPerWindow,
      logs: options.logs ?? DEFAULT_ARCHIVE_OPTIONS.logs,
      logPageLines: options.logPageLines ?? DEFAULT_ARCHIVE_OPTIONS.logPageLines,
      search: options.search ?? DEFAULT_ARCHIVE_OPTIONS.search,
      baseUrl: options.baseUrl ?? DEFAULT_ARCHIVE_OPTIONS.baseUrl,
      templates: options.templates ? templatesOverlay(options.templates) : DEFAULT_ARCHIVE_OPTIONS.templates,
    };
    // Everything but the window size decides what the pages hold.
    const rendering = JSON.stringify({
      copra: rendererFingerprint(archiveOptions.templates),
      logs: archiveOptions.logs,
      logPageLines: archiveOptions.logPageLines,
      search: archiveOptions.search,
      baseUrl: archiveOptions.baseUrl,
    });
    const reading = Date.now();
    let readProgress = null as Progress | null;
    const recorded = updateRecord(recordPath, snapshotPath, {
      snapshotName: snapshotFile,
      archiveName: options.out,
      title: options.title,
      defaultTitle: basename(snapshotFile),
      stagingPath: join(work, 'incoming.sqlite'),
      rendering,
      onProgress: (done, total) => {
        readProgress ??= startProgress(options.output, 'Reading the snapshot', total, 'tables', reading);
        readProgress.advance(1);
      },
      onUpgrade: (from, to) => options.output.write(`${options.out}: upgrading copra's record from format ${from} to ${to}\n`),
    });
    readProgress?.done();
    const schema = recorded.schema.description;
    options.output.write(`${snapshotFile}: ${schema}, read into copra's record in ${formatSeconds((Date.now() - reading) / 1000)}\n`);
    checkInterrupt();

    const record = openRecord(recordPath);
    const archive = loadArchive(record, record.title, archiveOptions);
    // An update renders what changed, when the archive's pages are this copra's with these options;
    // a shard renders its share of every page.
    const { shard } = options;
    const changes =
      !shard && recorded.merge && !recorded.upgrade && recorded.previousRendering === rendering && isArchive(out)
        ? planUpdate(archive, archivedRecord)
        : null;
    const planned = changes?.windows ?? planWindows(archive);
    const windows = shard ? shardWindows(planned, shard) : planned;

    // Search reads the record, not the pages: its indexes are written while the pages render
    // (Pagefind indexes in its own process). Its progress shows once rendering is done.
    const searchScope = shard ? shardSearchScope(archive, shard.index, shard.count) : (changes?.search ?? null);
    const search = archiveOptions.search ? startSearch(archive, site, searchScope, interrupt.signal) : null;

    // Pages, not windows, measure progress: windows range from 20 listing pages to 1,000 build
    // pages, so counting windows made the ETA of a large archive far too long.
    const plannedPages = windows.reduce((sum, window) => sum + plannedPageCount(window), 0);
    const progress = startProgress(options.output, changes ? 'Rendering what changed' : 'Rendering', plannedPages, 'pages');
    let result;
    try {
      result = await renderWindows(windows, {
        recordPath,
        outDir: site,
        options: archiveOptions,
        jobs: options.jobs ?? availableParallelism(),
        onWindow: (window) => progress.advance(plannedPageCount(window)),
        signal: interrupt.signal,
      });
    } catch (error) {
      // Nothing may write into the scratch directory once this function leaves it.
      await search?.stop();
      throw error;
    }
    progress.done();
    if (!changes) copyAssets(site, archiveOptions.templates);
    // A part's sitemap is merge's to write: it lists the pages of every part.
    if (archiveOptions.baseUrl && !shard) writeSitemap(site, archiveOptions.baseUrl, changes ? out : null);
    const searched = await search?.report(options.output);
    archive.record.close();
    checkInterrupt();
    if (shard) writePartMarker(site, shard, archiveOptions.baseUrl);

    if (changes) commitUpdate(site, out, changes.search.removed);
    else swapIn(site, out, scratch, options.output);
    return {
      schema,
      pages: result.pages,
      windows: windows.length,
      seconds: (Date.now() - started) / 1000,
      warnings: result.warnings,
      searchRecords: searched?.records ?? null,
      update: recorded.merge,
      incremental: changes !== null,
      droppedBuilds,
      upgrade: recorded.upgrade,
    };
  } catch (error) {
    if (error instanceof Interrupted) {
      throw new CopraError(`interrupted by ${String(interrupt.signal.reason)}; ${options.out} was left as it was.`, 130, { cause: error });
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    removeScratch();
    releaseLock();
  }
}

/** copra's stylesheet and scripts, then the overlay's assets over them (TypeScript's declarations of a script stay behind). */
function copyAssets(site: string, templates: string | null): void {
  for (const dir of [TEMPLATES_DIR, templates]) {
    if (dir && existsSync(join(dir, 'assets'))) {
      cpSync(join(dir, 'assets'), join(site, 'assets'), { recursive: true, filter: (source) => !source.endsWith('.d.ts') });
    }
  }
}

/**
 * Writes the search indexes `scope` names (all without one) into `site`, starting now. `report`
 * waits for them, showing progress for what is left as a phase of its own; `stop` ends them early.
 */
function startSearch(archive: Archive, site: string, scope: SearchScope | null, interrupt: AbortSignal) {
  const stopping = new AbortController();
  interrupt.addEventListener('abort', () => stopping.abort(), { once: true });
  const total = searchIndexCount(archive.record, scope);
  const startedAt = Date.now();
  let done = 0;
  let progress: Progress | null = null;
  const started = writeSearch(archive.record, archive.site, site, scope, stopping.signal, () => {
    done++;
    progress?.advance(1);
  });
  // Awaited only later: a failure meanwhile must not count as unhandled.
  const settled = started.then(
    () => undefined,
    () => undefined,
  );
  return {
    async report(output: Output): Promise<SearchReport> {
      progress = startProgress(output, 'Indexing', total, 'indexes', startedAt);
      progress.advance(done);
      try {
        const report = await started;
        progress.done();
        return report;
      } catch (error) {
        throw stopping.signal.aborted ? new Interrupted() : error;
      }
    },
    async stop(): Promise<void> {
      stopping.abort();
      await settled;
    },
  };
}

/**
 * What an update renders: the windows of the pages that changed since the archive's record (as
 * the last build left it), and the search it rewrites. Null when every page must be rendered.
 */
function planUpdate(archive: Archive, archivedRecord: string): { windows: Window[]; search: SearchScope } | null {
  const record = openRecord(archivedRecord);
  try {
    const before = loadArchive(record, record.title, archive.options);
    const windows = planChangedWindows(archive, before);
    return windows && { windows, search: changedSearch(archive, before) };
  } finally {
    record.close();
  }
}
