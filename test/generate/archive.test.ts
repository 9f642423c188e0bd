/**
 * The scale check: copra archives a generated 10,000-build statusdb snapshot within the CI
 * budget, and the pages one would look at first exist. A small generated buildbot snapshot, logs
 * and all, archives too.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuildReport, buildArchive } from '../../src/build.ts';
import { makeSnapshot } from '../../src/generate/snapshot.ts';

/** What CI allows this build; it takes about 35 s alone on two cores. */
const CI_BUDGET_MS = 180_000;
const dir = mkdtempSync(join(tmpdir(), 'copra-generated-archive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const quiet = { write: () => {} };

/** Ids picked by SQL from the generated snapshot, so the test does not depend on the seed. */
function pick(snapshot: string, sql: string): number {
  const db = new Database(snapshot, { readonly: true });
  try {
    const id = db.prepare(sql).pluck().get();
    if (typeof id !== 'number') throw new Error(`no row for: ${sql}`);
    return id;
  } finally {
    db.close();
  }
}

const page = (out: string, url: string) => join(out, url, 'index.html');

describe('a generated 10,000-build statusdb snapshot', () => {
  const snapshot = join(dir, 'statusdb-10k.sqlite');
  const out = join(dir, 'statusdb-10k');
  let report: BuildReport;

  beforeAll(() => {
    makeSnapshot({ schema: 'statusdb', builds: 10_000, seed: 'ci', out: snapshot });
  }, 60_000);

  it(
    'is archived within the CI budget',
    async () => {
      report = await buildArchive(snapshot, { out, output: quiet, jobs: 2 });
      expect(report.pages).toBeGreaterThan(10_000);
      // The generator forces every special row, result codes 7 and 8 among them: only those are warned of.
      expect(new Set(report.warnings.map((warning) => warning.problem))).toEqual(new Set(['result']));
    },
    CI_BUDGET_MS,
  );

  it('has the home page, listings, and the pages of ordinary and special builds', () => {
    expect(report, 'the archive was not built').toBeDefined();
    const running = pick(snapshot, 'SELECT max(id) FROM builds WHERE result IS NULL AND lost = 0');
    const lost = pick(snapshot, 'SELECT min(id) FROM builds WHERE lost = 1');
    const unknown = pick(snapshot, 'SELECT min(id) FROM builds WHERE result > 6');
    const nightlyStamp = pick(
      snapshot,
      'SELECT min(source_id) FROM builds b JOIN sourcestamps s ON s.id = b.source_id WHERE s.revision IS NULL',
    );
    const urls = [
      '',
      'sources/',
      'sources/page/1/',
      'sources/nonempty/',
      'sources/branch/mozilla-central/',
      'sources/tag/try/',
      'build/1/',
      'build/5000/',
      'build/10000/',
      `build/${running}/`,
      `build/${lost}/`,
      `build/${unknown}/`,
      `source/${nightlyStamp}/`,
      'builder/1/',
      'worker/1/',
      'master/1/',
    ];
    expect(urls.filter((url) => !existsSync(page(out, url)))).toEqual([]);
    expect(readFileSync(page(out, `build/${lost}/`), 'utf8')).toContain('lost');
  });
});

describe('a generated buildbot snapshot', () => {
  it('is archived with its log pages', async () => {
    const snapshot = join(dir, 'buildbot-300.sqlite');
    const out = join(dir, 'buildbot-300');
    makeSnapshot({ schema: 'buildbot', builds: 300, seed: 'ci', out: snapshot });
    const report = await buildArchive(snapshot, { out, output: quiet, jobs: 2, logs: 'full' });
    expect(report.pages).toBeGreaterThan(300);
    const log = pick(snapshot, "SELECT l.id FROM logs l WHERE l.type = 's' ORDER BY l.id LIMIT 1");
    const build = pick(snapshot, `SELECT s.buildid FROM logs l JOIN steps s ON s.id = l.stepid WHERE l.id = ${log}`);
    expect(existsSync(page(out, `build/${build}/log/${log}/`))).toBe(true);
  }, CI_BUDGET_MS);
});
