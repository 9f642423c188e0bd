/**
 * `copra stats SNAPSHOT`: what building the snapshot's archive would produce, writing nothing.
 *
 * The snapshot is read into copra's record in memory (its steps and log chunks stay in the
 * snapshot, read where they are). Pages come from the plan and are exact. Files and bytes are
 * estimates: every kind of page has a sample of its pages made and rendered through the real
 * templates, without writing, and what they weigh (raw logs included) is scaled to the kind. Time
 * is the page count at a rate copra ships with, measured in BENCHMARKS.md.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type Archive, type ArchiveOptions, DEFAULT_ARCHIVE_OPTIONS, type PageFiles } from './pages/kind.ts';
import { type WindowPart, loadArchive, partPageCount, partWeight, planParts, windowPages } from './pages/plan.ts';
import type { RecordReader } from './record/reader.ts';
import { memoryRecord } from './record/record.ts';
import { groupBy } from './record/sql.ts';
import { renderedSizes } from './render/eleventy.ts';
import { TEMPLATES_DIR, templatesOverlay } from './render/nunjucks.ts';
import { searchIndexCount } from './search/indexer.ts';
import { nameRecords } from './search/records.ts';
import { readableSnapshotPath, unreadableSnapshot } from './snapshot/open.ts';

/**
 * Pages a second per render process, end to end: a fresh build of 100k statusdb builds ran at
 * 1,223–1,290 pages a second with two (BENCHMARKS.md, "Render levers").
 */
const PAGES_PER_SECOND_PER_JOB = 600;
/**
 * What Pagefind writes per index besides its records (its scripts, styles, WebAssembly, the word
 * index), and per record (its fragment): measured on the recordings' archives.
 */
const SEARCH_FILES_PER_INDEX = 16;
const SEARCH_BYTES_PER_INDEX = 670_000;
const SEARCH_BYTES_PER_RECORD = 400;
/** Bytes of a builder's "number → build id" lookup per build. */
const LOOKUP_BYTES_PER_BUILD = 14;
/**
 * The sample: stats plans parts of this weight (a build's page weighs 1), makes the pages of this
 * many parts of each kind, spread over the history, and renders this many of them.
 */
const SAMPLE_PART_WEIGHT = 50;
const SAMPLE_PARTS = 4;
const SAMPLE_PAGES = 100;

/** What one kind of page, or the search and assets, adds to the archive. */
export interface ArchivePart {
  name: string;
  pages: number;
  files: number;
  bytes: number;
}

export interface SnapshotStats {
  schema: string;
  rows: { builders: number; workers: number; masters: number; builds: number; steps: number; sourcestamps: number; changes: number };
  logs: { logs: number; lines: number; storedBytes: number };
  /** By kind of page, then the search and the assets; pages exact, files and bytes estimated. */
  parts: ArchivePart[];
  total: { pages: number; files: number; bytes: number };
  /** Render processes the estimate assumes, the rate of each, and the estimated seconds of the build. */
  jobs: number;
  pagesPerSecondPerJob: number;
  seconds: number;
}

export type StatsOptions = Pick<ArchiveOptions, 'logs' | 'search' | 'templates'> & { logPageLines?: number; jobs?: number };

export async function snapshotStats(snapshotFile: string, options: StatsOptions): Promise<SnapshotStats> {
  // A snapshot in WAL mode is read from a copy (open.ts): the only thing written, and removed.
  const work = mkdtempSync(join(tmpdir(), 'copra-stats-'));
  try {
    const record = memoryRecord(snapshotFile, readableSnapshotPath(snapshotFile, work));
    try {
      const { logs, logPageLines, search, templates } = options;
      // Pages do not depend on the window size: small parts let the sample spread wide.
      const archive = loadArchive(record, basename(snapshotFile), {
        ...DEFAULT_ARCHIVE_OPTIONS,
        buildsPerWindow: SAMPLE_PART_WEIGHT,
        logs,
        logPageLines: logPageLines ?? DEFAULT_ARCHIVE_OPTIONS.logPageLines,
        search,
        templates: templates && templatesOverlay(templates),
      });
      const summary = record.summary();
      const parts = [];
      for (const [kind, kindParts] of groupBy(planParts(archive), (part) => part.kind)) {
        parts.push(await sampledKind(archive, kind, kindParts));
      }
      if (options.search) {
        const stampedChanges = record.db.prepare('SELECT count(DISTINCT changeid) FROM stamp_changes').pluck().get() as number;
        const records = nameRecords(archive.site).length + stampedChanges;
        const indexes = searchIndexCount(record, null);
        parts.push({
          name: 'search index',
          pages: 0,
          // Pagefind's files and fragments, a lookup per builder, the manifest.
          files: indexes * SEARCH_FILES_PER_INDEX + records + summary.builders + 1,
          bytes: indexes * SEARCH_BYTES_PER_INDEX + records * SEARCH_BYTES_PER_RECORD + summary.builds * LOOKUP_BYTES_PER_BUILD,
        });
      }
      // The overlay's assets replace copra's of the same name: an estimate counts both.
      for (const dir of [TEMPLATES_DIR, archive.options.templates]) {
        if (dir && existsSync(join(dir, 'assets'))) parts.push({ name: 'assets', pages: 0, ...filesUnder(join(dir, 'assets')) });
      }
      const jobs = options.jobs ?? availableParallelism();
      const total = {
        pages: sum(parts.map((part) => part.pages)),
        files: sum(parts.map((part) => part.files)),
        bytes: sum(parts.map((part) => part.bytes)),
      };
      const { builds, builders, workers, masters, steps, sourcestamps, changes } = summary;
      return {
        schema: record.schema.description,
        rows: { builders, workers, masters, builds, steps, sourcestamps, changes },
        logs: logTotals(record),
        parts,
        total,
        jobs,
        pagesPerSecondPerJob: PAGES_PER_SECOND_PER_JOB,
        seconds: total.pages / (PAGES_PER_SECOND_PER_JOB * jobs),
      };
    } finally {
      record.close();
    }
  } catch (error) {
    // Steps and log chunks are read where they are, after the snapshot's other tables: damage
    // there shows only now.
    throw unreadableSnapshot(snapshotFile, error) ?? error;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * One kind's pages, files and bytes: the models of a few of its parts, spread over the history,
 * and some of those rendered. Their files are scaled to the kind by pages, their bytes by weight
 * (a log's weight counts its lines).
 */
async function sampledKind(archive: Archive, kind: string, parts: WindowPart[]): Promise<ArchivePart> {
  const pages = sum(parts.map(partPageCount));
  const sample = spread(parts, SAMPLE_PARTS);
  const raw = { files: 0, bytes: 0 };
  const files: PageFiles = {
    rawLog: () => {
      raw.files++;
      return { write: (line) => void (raw.bytes += Buffer.byteLength(line) + 1), close: () => undefined };
    },
    file: (_url, bytes) => {
      raw.files++;
      raw.bytes += bytes.length;
    },
  };
  const made = windowPages(archive, { parts: sample }, files).pages;
  const modelled = made.length;
  if (modelled === 0) return { name: kind, pages, files: pages, bytes: 0 };
  const sizes = await renderedSizes(spread(made, SAMPLE_PAGES), archive.options.templates);
  const sampleBytes = (sum(sizes) / sizes.length) * modelled + raw.bytes;
  return {
    name: kind,
    pages,
    files: pages + Math.round((raw.files * pages) / modelled),
    bytes: Math.round((sampleBytes * sum(parts.map(partWeight))) / sum(sample.map(partWeight))),
  };
}

/** At most `count` items of `list`, evenly spread over it. */
function spread<T>(list: readonly T[], count: number): T[] {
  if (list.length <= count) return [...list];
  return Array.from({ length: count }, (_, index) => list[Math.floor(((index + 0.5) * list.length) / count)]!);
}

function filesUnder(dir: string): { files: number; bytes: number } {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  return { files: files.length, bytes: sum(files.map((entry) => statSync(join(entry.parentPath, entry.name)).size)) };
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/** Logs, their lines, and the bytes of their chunks as stored (compressed or not). */
function logTotals(record: RecordReader): { logs: number; lines: number; storedBytes: number } {
  return record.db
    .prepare(
      `SELECT (SELECT count(*) FROM logs) AS logs, (SELECT coalesce(sum(num_lines), 0) FROM logs) AS lines,
              (SELECT coalesce(sum(length(content)), 0) FROM logchunks) AS storedBytes`,
    )
    .get() as { logs: number; lines: number; storedBytes: number };
}
