import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { CopraError, Interrupted } from '../errors.ts';
import { type Window, describeWindow, plannedPageCount } from '../pages/plan.ts';
import { type DataWarning, Warnings } from '../pages/warnings.ts';
import { siblingModule } from './modules.ts';
import { type WorkerInit, openArchive, renderWindow } from './window.ts';
import type { FromWorker, ToWorker } from './worker.ts';

export interface RenderOptions extends WorkerInit {
  /** Worker processes; 1 renders in this process. */
  jobs: number;
  /** Called after each window. */
  onWindow?: (window: Window) => void;
  /** Aborting stops every worker before the render rejects: nothing writes after that. */
  signal?: AbortSignal;
}

export interface RenderResult {
  pages: number;
  warnings: DataWarning[];
}

/**
 * Pages this process renders itself rather than start workers: a worker takes about a second and a
 * half to start (TypeScript, Eleventy, the record), in which this process renders about as many.
 * Small updates stay here.
 */
const PAGES_NOT_WORTH_A_WORKER = 1500;

/** Renders every window, in `jobs` processes at once. Any failed window fails the whole render. */
export async function renderWindows(windows: Window[], options: RenderOptions): Promise<RenderResult> {
  const pages = windows.reduce((sum, window) => sum + plannedPageCount(window), 0);
  return options.jobs <= 1 || windows.length <= 1 || pages <= PAGES_NOT_WORTH_A_WORKER
    ? renderHere(windows, options)
    : renderInWorkers(windows, options);
}

/** Why a window failed, the same whether it was rendered in this process or in a worker. */
function windowFailed(index: number, window: Window, cause: unknown): Error {
  return new Error(`rendering ${describeWindow(index, window)} failed`, { cause });
}

async function renderHere(windows: Window[], options: RenderOptions): Promise<RenderResult> {
  const archive = openArchive(options);
  try {
    let pages = 0;
    const warnings = new Warnings();
    for (const [index, window] of windows.entries()) {
      if (options.signal?.aborted) throw new Interrupted();
      const rendered = await renderWindow(archive, window, options.outDir).catch((error: unknown) => {
        throw windowFailed(index, window, error);
      });
      pages += rendered.pages;
      warnings.addAll(rendered.warnings);
      options.onWindow?.(window);
    }
    return { pages, warnings: warnings.list() };
  } finally {
    archive.record.close();
  }
}

/** The worker beside this file: compiled JavaScript (lib/), or TypeScript (src/) run through tsx's loader. */
const WORKER_FILE = siblingModule('worker', import.meta.url);
const WORKER_EXEC_ARGV = WORKER_FILE.endsWith('.ts') ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : [];

function renderInWorkers(windows: Window[], options: RenderOptions): Promise<RenderResult> {
  const { jobs, onWindow, signal, ...init } = options;
  const workers = new Map<ChildProcess, number | null>();
  const warnings = new Warnings();
  let pages = 0;
  let next = 0;
  let finished = 0;
  let settled = false;

  return new Promise<RenderResult>((resolve, reject) => {
    // Settles only once every worker has exited, so that no worker writes into a directory the
    // caller is about to remove (an orphan would otherwise recreate it).
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      const alive = [...workers.keys()].filter((worker) => worker.exitCode === null && worker.signalCode === null);
      let waiting = alive.length;
      if (waiting === 0) return outcome();
      for (const worker of alive) {
        worker.once('exit', () => --waiting === 0 && outcome());
        worker.kill('SIGKILL');
      }
    };
    const fail = (error: Error) => settle(() => reject(error));
    const onAbort = () => fail(new Interrupted());
    if (signal?.aborted) return reject(new Interrupted());
    signal?.addEventListener('abort', onAbort);

    const dispatch = (worker: ChildProcess) => {
      if (next >= windows.length) return workers.set(worker, null);
      const index = next++;
      workers.set(worker, index);
      worker.send({ type: 'window', index, window: windows[index]! } satisfies ToWorker);
    };
    for (let i = 0; i < Math.min(jobs, windows.length); i++) {
      const worker = fork(WORKER_FILE, [], { execArgv: WORKER_EXEC_ARGV, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      workers.set(worker, null);
      worker.on('message', (message: FromWorker) => {
        if (settled) return;
        const window = windows[message.index]!;
        if (message.type === 'failed') {
          // The worker's error, as it was thrown there: its message and its stack.
          const cause = Object.assign(new Error(message.message), { stack: message.stack });
          return fail(windowFailed(message.index, window, cause));
        }
        pages += message.pages;
        warnings.addAll(message.warnings);
        onWindow?.(window);
        if (++finished === windows.length) settle(() => resolve({ pages, warnings: warnings.list() }));
        else dispatch(worker);
      });
      // Any exit before the render is over is a death (the OOM killer, kill -9, a crash): a
      // worker that exits by itself never finishes its window.
      worker.on('exit', (code, exitSignal) => {
        if (settled) return;
        const index = workers.get(worker);
        const what = index === null || index === undefined ? 'an idle render worker' : `the render worker of ${describeWindow(index, windows[index]!)}`;
        const how = exitSignal ? `was killed by ${exitSignal}` : `exited with code ${code}`;
        fail(new CopraError(`${what} ${how}; nothing was written to the archive. Rerun the build${exitSignal === 'SIGKILL' ? ' (SIGKILL is often the out-of-memory killer: try fewer --jobs)' : ''}.`, 1));
      });
      worker.send({ type: 'init', init } satisfies ToWorker);
      dispatch(worker);
    }
  });
}
