import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { CopraError } from './errors.ts';
import { type ArchiveOptions, DEFAULT_ARCHIVE_OPTIONS, loadArchive, planWindows, plannedPageCount } from './pages/plan.ts';
import { type Output, startProgress } from './progress.ts';
import { renderWindows } from './render/pool.ts';
import { TEMPLATES_DIR } from './render/eleventy.ts';
import { type SearchReport, searchIndexCount, writeSearch } from './search/indexer.ts';
import { openSnapshot, readableSnapshotPath } from './snapshot/open.ts';

export interface BuildOptions extends Partial<ArchiveOptions> {
  out: string;
  jobs?: number;
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
}

/**
 * Builds the archive of `snapshotFile` into `options.out`. Everything is written into a fresh
 * directory beside `out` and swapped in only when the build succeeded: a failed or interrupted
 * build leaves the previous archive as it was.
 */
export async function buildArchive(snapshotFile: string, options: BuildOptions): Promise<BuildReport> {
  const started = Date.now();
  const out = resolve(options.out);
  checkReplaceable(out);
  mkdirSync(dirname(out), { recursive: true });
  const scratch = mkdtempSync(join(dirname(out), '.copra-tmp-'));
  const removeScratch = () => rmSync(scratch, { recursive: true, force: true });
  const onSignal = () => {
    removeScratch();
    process.exit(130);
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    const site = join(scratch, 'site');
    const work = join(scratch, 'work');
    mkdirSync(work);
    const snapshotPath = readableSnapshotPath(snapshotFile, work);
    const title = basename(snapshotFile);
    const archiveOptions: ArchiveOptions = {
      buildsPerWindow: options.buildsPerWindow ?? DEFAULT_ARCHIVE_OPTIONS.buildsPerWindow,
      logs: options.logs ?? DEFAULT_ARCHIVE_OPTIONS.logs,
      logPageLines: options.logPageLines ?? DEFAULT_ARCHIVE_OPTIONS.logPageLines,
      search: options.search ?? DEFAULT_ARCHIVE_OPTIONS.search,
    };
    const archive = loadArchive(openSnapshot(snapshotPath, snapshotFile), title, archiveOptions);
    const schema = archive.snapshot.schema.description;
    options.output.write(`${snapshotFile}: ${schema}\n`);
    const windows = planWindows(archive);

    // Pages, not windows, measure progress: windows range from 20 listing pages to 1,000 build
    // pages, so counting windows made the ETA of a large archive far too long.
    const plannedPages = windows.reduce((sum, window) => sum + plannedPageCount(window), 0);
    const progress = startProgress(options.output, 'Rendering', plannedPages, 'pages');
    const result = await renderWindows(windows, {
      snapshotPath,
      snapshotName: snapshotFile,
      title,
      outDir: site,
      options: archiveOptions,
      jobs: options.jobs ?? availableParallelism(),
      onWindow: (window) => progress.advance(plannedPageCount(window)),
    });
    progress.done();
    cpSync(join(TEMPLATES_DIR, 'assets'), join(site, 'assets'), { recursive: true });

    let search: SearchReport | null = null;
    if (archiveOptions.search) {
      const indexing = startProgress(options.output, 'Indexing', searchIndexCount(archive.snapshot), 'indexes');
      search = await writeSearch(archive.snapshot, archive.site, site, () => indexing.advance(1));
      indexing.done();
    }
    archive.snapshot.close();

    swapIn(site, out, scratch);
    removeScratch();
    return {
      schema,
      pages: result.pages,
      windows: windows.length,
      seconds: (Date.now() - started) / 1000,
      warnings: result.warnings,
      searchRecords: search?.records ?? null,
    };
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    removeScratch();
  }
}

/** A build replaces only an earlier archive or an empty directory, never anything else. */
function checkReplaceable(out: string): void {
  if (!existsSync(out)) return;
  const isArchive = existsSync(join(out, 'index.html')) && existsSync(join(out, 'assets', 'copra.css'));
  if (!isArchive && readdirSync(out).length > 0) {
    throw new CopraError(`${out} exists and does not look like a copra archive; choose another --out or remove it.`);
  }
}

/** Replaces `out` with `site`; the old archive is moved aside into the scratch directory first. */
function swapIn(site: string, out: string, scratch: string): void {
  if (existsSync(out)) renameSync(out, join(scratch, 'previous'));
  renameSync(site, out);
}
