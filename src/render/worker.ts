/**
 * A render worker: a child process that opens copra's record once and renders the windows its
 * parent sends, one at a time. See pool.ts for the other side of the messages.
 */
import { type Archive, type ArchiveOptions, type Window, loadArchive, pageCount, windowPages } from '../pages/plan.ts';
import type { DataWarning } from '../pages/warnings.ts';
import { openRecord } from '../record/record.ts';
import { renderPages } from './eleventy.ts';
import { rawLogFile } from './rawLogs.ts';

export interface WorkerInit {
  /** copra's record, which every page is read from. */
  recordPath: string;
  outDir: string;
  options: ArchiveOptions;
}

export type ToWorker = { type: 'init'; init: WorkerInit } | { type: 'window'; index: number; window: Window };
export type FromWorker =
  | { type: 'done'; index: number; pages: number; warnings: DataWarning[] }
  | { type: 'failed'; index: number; message: string };

/** Renders one window; the in-process path of pool.ts uses this too. */
export async function renderWindow(archive: Archive, window: Window, outDir: string): Promise<number> {
  const pages = windowPages(archive, window, { rawLog: rawLogFile(outDir) });
  await renderPages(pages, outDir, archive.options.templates);
  return pageCount(pages);
}

export function openArchive(init: WorkerInit): Archive {
  const record = openRecord(init.recordPath);
  return loadArchive(record, record.title, init.options);
}

function serve(): void {
  let archive: Archive | undefined;
  let outDir = '';
  process.on('message', async (message: ToWorker) => {
    if (message.type === 'init') {
      archive = openArchive(message.init);
      outDir = message.init.outDir;
      return;
    }
    const reply = (answer: FromWorker) => process.send!(answer);
    try {
      if (!archive) throw new Error('render worker got a window before its record');
      const pages = await renderWindow(archive, message.window, outDir);
      reply({ type: 'done', index: message.index, pages, warnings: archive.site.warnings.list() });
    } catch (error) {
      reply({ type: 'failed', index: message.index, message: (error as Error).stack ?? String(error) });
    }
  });
}

if (process.send) {
  // A parent that died or was killed without stopping us: nothing will read what we write.
  process.on('disconnect', () => process.exit(1));
  serve();
}
