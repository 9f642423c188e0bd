/**
 * Renders one window of the archive: its page models, then one Eleventy run over them. The render
 * workers (worker.ts) and the in-process path of pool.ts both render through here.
 */
import { type Archive, type ArchiveOptions, type Window, loadArchive, windowPages } from '../pages/plan.ts';
import type { DataWarning } from '../pages/warnings.ts';
import { openRecord } from '../record/record.ts';
import { renderPages } from './eleventy.ts';
import { archiveFile, rawLogFile } from './rawLogs.ts';

/** What a render process needs to open the archive it renders windows of. */
export interface WorkerInit {
  /** copra's record, which every page is read from. */
  recordPath: string;
  outDir: string;
  options: ArchiveOptions;
}

/** What rendering a window wrote: its pages, and the problems of the snapshot's rows they met. */
export interface RenderedWindow {
  pages: number;
  warnings: DataWarning[];
}

export async function renderWindow(archive: Archive, window: Window, outDir: string): Promise<RenderedWindow> {
  const { pages, warnings } = windowPages(archive, window, { rawLog: rawLogFile(outDir), file: archiveFile(outDir) });
  await renderPages(pages, outDir, archive.options.templates);
  return { pages: pages.length, warnings };
}

export function openArchive(init: WorkerInit): Archive {
  const record = openRecord(init.recordPath);
  return loadArchive(record, record.title, init.options);
}
