/**
 * A render worker's process: pool.ts forks this module, which opens copra's record once and renders
 * the windows its parent sends, one at a time. Only this entry module serves: importing the build
 * (or window.ts) starts nothing.
 */
import type { Archive, Window } from '../pages/plan.ts';
import { type RenderedWindow, type WorkerInit, openArchive, renderWindow } from './window.ts';

export type ToWorker = { type: 'init'; init: WorkerInit } | { type: 'window'; index: number; window: Window };
export type FromWorker =
  | ({ type: 'done'; index: number } & RenderedWindow)
  | { type: 'failed'; index: number; message: string; stack: string | undefined };

function serve(send: (message: FromWorker) => void): void {
  let archive: Archive | undefined;
  let outDir = '';
  process.on('message', async (message: ToWorker) => {
    if (message.type === 'init') {
      archive = openArchive(message.init);
      outDir = message.init.outDir;
      return;
    }
    try {
      if (!archive) throw new Error('render worker got a window before its record');
      send({ type: 'done', index: message.index, ...(await renderWindow(archive, message.window, outDir)) });
    } catch (error) {
      const { message: text, stack } = error instanceof Error ? error : new Error(String(error));
      send({ type: 'failed', index: message.index, message: text, stack });
    }
  });
}

if (!process.send) throw new Error('render/worker is a render process that pool.ts forks; it is not run by hand');
// A parent that died or was killed without stopping us: nothing will read what we write.
process.on('disconnect', () => process.exit(1));
serve(process.send.bind(process));
