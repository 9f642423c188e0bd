import { statfsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

/** What the tests' archives take at once (2 GB measured), with room to spare. */
const TEST_ARCHIVES_ROOM = 4 * 2 ** 30;

/** /dev/shm if the machine has it with room for the tests' archives (a container's may be 64 MB). */
function ramFileSystem(): string | null {
  try {
    const { bavail, bsize } = statfsSync('/dev/shm');
    return bavail * bsize >= TEST_ARCHIVES_ROOM ? '/dev/shm' : null;
  } catch {
    return null;
  }
}

// The tests' archives live in RAM where there is room: on a disk mounted with `discard`, as CI's
// is, creating and deleting the tens of thousands of files of each archive cost the suite minutes.
// Set before the global setup and the test processes read it.
const ram = ramFileSystem();
if (ram) process.env.TMPDIR = ram;

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
