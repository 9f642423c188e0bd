import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The files that take two minutes or more in CI, longest first. Without its timing cache — in
 * every CI run — vitest orders files by size, which started the longest last: one worker then ran
 * it alone for minutes after the other had finished.
 */
const LONGEST = [
  'test/record/rebuild.test.ts',
  'test/record/history.test.ts',
  'test/shards.test.ts',
  'test/record/interrupt.test.ts',
  'test/record/updates.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = LONGEST.indexOf(relative(import.meta.dirname, file.moduleId));
      return index < 0 ? LONGEST.length : index;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/globalSetup.ts'],
    // Archive builds take seconds each and fork render workers: give them room.
    testTimeout: 240_000,
    hookTimeout: 240_000,
    pool: 'forks',
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
  },
});
