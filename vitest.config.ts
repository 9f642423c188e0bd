import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The files that take a minute or more in CI, longest first (package.test.ts compiles
 * better-sqlite3 there). Vitest orders a run without its cache — every CI run — by file size,
 * which started some of these last, leaving one worker alone with them for minutes; started first,
 * they let both workers end together.
 */
const SLOW_FIRST = [
  'test/record/history.test.ts',
  'test/package.test.ts',
  'test/record/rebuild.test.ts',
  'test/record/interrupt.test.ts',
  'test/generate/archive.test.ts',
  'test/site/fixtureArchives.test.ts',
  'test/logs/logPages.test.ts',
  'test/shards.test.ts',
  'test/site/layout.test.ts',
];

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = SLOW_FIRST.indexOf(relative(import.meta.dirname, file.moduleId));
      return index < 0 ? SLOW_FIRST.length : index;
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
    sequence: { sequencer: SlowFirst },
  },
});
