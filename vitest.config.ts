import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// The tests' archives live in RAM where the machine has a RAM file system: on a disk mounted with
// `discard`, as CI's is, creating and deleting the tens of thousands of files of each archive
// cost the suite minutes. Set before the global setup and the test processes read it.
if (existsSync('/dev/shm')) process.env.TMPDIR = '/dev/shm';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/globalSetup.ts'],
    // Archive builds take seconds each and fork render workers: give them room.
    testTimeout: 240_000,
    hookTimeout: 240_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
