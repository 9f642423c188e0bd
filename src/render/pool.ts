import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Window } from '../pages/plan.ts';
import { type FromWorker, type WorkerInit, openArchive, renderWindow } from './worker.ts';

export interface RenderOptions extends WorkerInit {
  /** Worker processes; 1 renders in this process. */
  jobs: number;
  /** Called after each window. */
  onWindow?: (window: Window) => void;
}

export interface RenderResult {
  pages: number;
  warnings: string[];
}

/** Renders every window, in `jobs` processes at once. Any failed window fails the whole render. */
export async function renderWindows(windows: Window[], options: RenderOptions): Promise<RenderResult> {
  return options.jobs <= 1 || windows.length <= 1 ? renderHere(windows, options) : renderInWorkers(windows, options);
}

async function renderHere(windows: Window[], options: RenderOptions): Promise<RenderResult> {
  const archive = openArchive(options);
  try {
    let pages = 0;
    for (const window of windows) {
      pages += await renderWindow(archive, window, options.outDir);
      options.onWindow?.(window);
    }
    return { pages, warnings: [...archive.site.warnings].sort() };
  } finally {
    archive.snapshot.close();
  }
}

const WORKER_FILE = fileURLToPath(new URL('./worker.ts', import.meta.url));
/** Workers run TypeScript through tsx's loader, found from here whatever the working directory. */
const WORKER_EXEC_ARGV = ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];

function renderInWorkers(windows: Window[], options: RenderOptions): Promise<RenderResult> {
  const { jobs, onWindow, ...init } = options;
  const workers: ChildProcess[] = [];
  const warnings = new Set<string>();
  let pages = 0;
  let next = 0;
  let finished = 0;

  return new Promise<RenderResult>((resolve, reject) => {
    const stopAll = () => workers.forEach((worker) => worker.kill());
    const fail = (error: Error) => {
      stopAll();
      reject(error);
    };
    const dispatch = (worker: ChildProcess) => {
      if (next >= windows.length) return;
      const index = next++;
      worker.send({ type: 'window', index, window: windows[index] });
    };
    for (let i = 0; i < Math.min(jobs, windows.length); i++) {
      const worker = fork(WORKER_FILE, [], { execArgv: WORKER_EXEC_ARGV, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      workers.push(worker);
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'failed') return fail(new Error(`rendering window ${message.index} failed:\n${message.message}`));
        pages += message.pages;
        message.warnings.forEach((warning) => warnings.add(warning));
        onWindow?.(windows[message.index]!);
        if (++finished === windows.length) {
          stopAll();
          resolve({ pages, warnings: [...warnings].sort() });
        } else dispatch(worker);
      });
      worker.on('exit', (code) => {
        if (finished < windows.length && code !== null && code !== 0) fail(new Error(`a render worker exited with code ${code}`));
      });
      worker.send({ type: 'init', init });
      dispatch(worker);
    }
  });
}
