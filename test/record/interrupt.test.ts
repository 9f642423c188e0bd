/**
 * An update that is interrupted (SIGINT, SIGTERM sent to copra's PID alone, as `timeout`,
 * systemd and CI cancels do) or whose render worker dies leaves the archive, record included, as it
 * was: no worker lives on, no scratch file or lock remains.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildArchive } from '../../src/build.ts';
import { buildIdAt, statusdbEarlyCut } from '../fixtures/history.ts';
import { REPO, STATUSDB_FIXTURE, archiveHashes, copraLeftovers, differences, scratchDir } from '../helpers/archive.ts';

const quiet = { write: () => {} };

/** Every file of an archive with a hash of its bytes, copra's record included. */
const state = (dir: string) => archiveHashes(dir, { record: true });

/** copra's render workers: its children running render/worker.ts (tsx may run an esbuild service too). */
const children = (pid: number): number[] => {
  try {
    return execFileSync('pgrep', ['-P', String(pid), '-f', 'render/worker'], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Starts `copra build` and resolves once its render workers are at work. */
async function buildRendering(snapshot: string, out: string): Promise<{ copra: ChildProcess; workers: number[]; stderr: () => string; exit: Promise<number | null> }> {
  const copra = spawn(process.execPath, [join(REPO, 'bin', 'copra.js'), 'build', snapshot, '--out', out, '--jobs', '2', '--no-search'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exit = new Promise<number | null>((resolve) => copra.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    copra.stderr!.on('data', (data: Buffer) => {
      stderr += data.toString();
      if (stderr.includes("read into copra's record")) resolve();
    });
    copra.on('exit', () => reject(new Error(`copra exited before rendering:\n${stderr}`)));
  });
  // The workers start right after the record is read; give them a moment to write pages.
  let workers: number[] = [];
  for (let tries = 0; tries < 50 && workers.length < 2; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    workers = children(copra.pid!);
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return { copra, workers, stderr: () => stderr, exit };
}

describe('an interrupted or failed update', () => {
  const dir = scratchDir('copra-interrupt-');
  const out = join(dir, 'archive');
  let before: Map<string, string>;

  beforeAll(async () => {
    const early = join(dir, 'early.sqlite');
    statusdbEarlyCut(STATUSDB_FIXTURE, early, buildIdAt(STATUSDB_FIXTURE, 0.5));
    await buildArchive(early, { out, output: quiet, jobs: 2, search: false });
    before = state(out);
  });

  const leftAsItWas = async (workers: number[]) => {
    expect(workers.length).toBe(2);
    // Nothing may write after copra returned: wait a little, then look again.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(workers.filter(alive)).toEqual([]);
    expect(copraLeftovers(dir)).toEqual([]);
    expect(state(out)).toEqual(before);
  };

  it.each(['SIGINT', 'SIGTERM'] as const)('%s to the PID while rendering: exit 130, workers stopped, archive and record unchanged', async (signal) => {
    const { copra, workers, stderr, exit } = await buildRendering(STATUSDB_FIXTURE, out);
    copra.kill(signal);
    expect(await exit).toBe(130);
    expect(stderr()).toContain(`copra: interrupted by ${signal}; ${out} was left as it was.`);
    expect(stderr()).not.toMatch(/ERR_IPC_CHANNEL_CLOSED|\n\s+at /);
    await leftAsItWas(workers);
  });

  it('a render worker killed with SIGKILL ends the build with one line naming its window', async () => {
    const { workers, stderr, exit } = await buildRendering(STATUSDB_FIXTURE, out);
    process.kill(workers[0]!, 'SIGKILL');
    expect(await exit).toBe(1);
    expect(stderr()).toMatch(/copra: the render worker of window \d+ \(\w+[^)]*\) was killed by SIGKILL; nothing was written/);
    expect(stderr()).not.toMatch(/\n\s+at /);
    await leftAsItWas(workers);
  });

  it('a second build into an archive being built is refused', async () => {
    const { copra, workers, exit } = await buildRendering(STATUSDB_FIXTURE, out);
    const second = spawn(process.execPath, [join(REPO, 'bin', 'copra.js'), 'build', STATUSDB_FIXTURE, '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let said = '';
    second.stderr!.on('data', (data: Buffer) => (said += data.toString()));
    const code = await new Promise((resolve) => second.on('exit', resolve));
    expect(code).toBe(2);
    expect(said).toMatch(new RegExp(`${out} is being built by another copra \\(PID ${copra.pid}\\)`));
    copra.kill('SIGTERM');
    expect(await exit).toBe(130);
    await leftAsItWas(workers);
  });
});

describe('an update killed with SIGKILL at any moment', () => {
  it('leaves the old archive, the new one, or a committed update that the next build completes', async () => {
    const dir = scratchDir('copra-kill-');
    const early = join(dir, 'early.sqlite');
    statusdbEarlyCut(STATUSDB_FIXTURE, early, buildIdAt(STATUSDB_FIXTURE, 0.9));
    const pristine = join(dir, 'pristine');
    await buildArchive(early, { out: pristine, output: quiet, jobs: 2 });
    const old = archiveHashes(pristine);
    const expected = join(dir, 'expected');
    await buildArchive(STATUSDB_FIXTURE, { out: expected, output: quiet, jobs: 2, title: 'early.sqlite' });
    const updated = archiveHashes(expected);

    const out = join(dir, 'archive');
    // Killed at start-up, then as each phase ends (reading the snapshot, rendering, indexing),
    // whatever the machine's speed (more moments cost CI minutes).
    const moments: (RegExp | number)[] = [100, /read into copra's record/, /^Rendering what changed: /m, /^Indexing: /m];
    for (const moment of moments) {
      // Node's cpSync takes seconds over thousands of small files; cp a fraction of one.
      execFileSync('rm', ['-rf', out]);
      execFileSync('cp', ['-a', pristine, out]);
      const copra = spawn(process.execPath, [join(REPO, 'bin', 'copra.js'), 'build', STATUSDB_FIXTURE, '--out', out, '--jobs', '2'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const exit = new Promise((resolve) => copra.on('exit', resolve));
      await new Promise<void>((resolve) => {
        if (typeof moment === 'number') setTimeout(resolve, moment);
        let said = '';
        copra.stderr!.on('data', (data: Buffer) => {
          said += data.toString();
          if (typeof moment !== 'number' && moment.test(said)) resolve();
        });
        void exit.then(() => resolve());
      });
      copra.kill('SIGKILL');
      await exit;

      const now = archiveHashes(out);
      const pending = existsSync(join(out, '.copra', 'pending'));
      expect(pending || differences(now, old).length === 0 || differences(now, updated).length === 0, `killed at ${moment}`).toBe(true);
      await buildArchive(STATUSDB_FIXTURE, { out, output: quiet, jobs: 2 });
      expect(differences(archiveHashes(out), updated), `killed at ${moment}`).toEqual([]);
      expect(copraLeftovers(dir)).toEqual([]);
    }
  });
});
