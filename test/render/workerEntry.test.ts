/**
 * A render worker starts from its own entry module only (src/render/worker.ts): a forked process
 * that merely imports the build leaves its IPC channel alone — it neither answers a message nor
 * exits — as any program that forks copra's build would expect.
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO, scratchDir } from '../helpers/archive.ts';

describe('importing the build in a forked process', () => {
  it('leaves its IPC alone: no answer to a render worker\'s messages, no exit', async () => {
    const script = join(scratchDir('copra-fork-'), 'imports-build.mts');
    // The program listens itself (a program that forks copra's build would) and stays a while.
    writeFileSync(
      script,
      `await import(${JSON.stringify(pathToFileURL(join(REPO, 'src', 'build.ts')).href)});\n` +
        "process.on('message', () => {});\nsetTimeout(() => {}, 30_000);\nprocess.send!('imported');\n",
    );
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const child = fork(script, [], { execArgv: ['--import', tsx], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const messages: unknown[] = [];
    child.on('message', (message) => messages.push(message));
    let exited = false;
    child.on('exit', () => (exited = true));
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('message', () => resolve());
        child.once('exit', (code) => reject(new Error(`the child exited with ${code} before importing the build`)));
      });
      child.send({ type: 'window', index: 0, window: { parts: [] } });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(messages).toEqual(['imported']);
      // A render worker exits when its parent leaves; this program is no render worker.
      child.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(exited).toBe(false);
    } finally {
      child.kill();
    }
  });
});
