import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type Archive,
  DEFAULT_ARCHIVE_OPTIONS,
  type Window,
  loadArchive,
  pageCount,
  planWindows,
  plannedPageCount,
  windowPages,
} from '../../src/pages/plan.ts';
import type { EntityPage } from '../../src/pages/entityPage.ts';
import type { SourcePage } from '../../src/pages/sourcePage.ts';
import { snapshotRecord } from '../../src/record/record.ts';
import { readableSnapshotPath } from '../../src/snapshot/open.ts';
import Database from 'better-sqlite3';
import { BUILDBOT_FIXTURE, STATUSDB_FIXTURE, fixtureCopy, querySnapshot, scratchDir } from '../helpers/archive.ts';

const noRawLogs = {
  rawLog: () => {
    throw new Error('statusdb has no logs to write');
  },
};

/** The windows that render pages of these kinds. */
const windowsOf = (windows: Window[], ...kinds: string[]) => windows.filter((window) => window.parts.some((part) => kinds.includes(part.kind)));

function archiveWith(buildsPerWindow: number): Archive {
  const snapshot = snapshotRecord(STATUSDB_FIXTURE, mkdtempSync(join(tmpdir(), 'copra-plan-')));
  return loadArchive(snapshot, 'statusdb-gecko-mini.sqlite', { ...DEFAULT_ARCHIVE_OPTIONS, buildsPerWindow, search: false });
}

const entityModels = (archive: Archive, windows: Window[]) =>
  windowsOf(windows, 'builder', 'worker', 'master').flatMap((window) => windowPages(archive, window, noRawLogs).entity as EntityPage[]);

/** The kinds of page both fixtures have (the statusdb fixture has no logs). */
const EVERY_FIXTURE_KIND = ['home', 'search', 'builders', 'build', 'source', 'listing', 'builder', 'worker', 'master', 'workers', 'changes', 'change', 'revision', 'badge', 'builder-feed', 'failures-feed', 'notfound', 'consoles', 'console'];

describe('planning windows', () => {
  it('splits a sourcestamp of thousands of builds over windows of bounded builds without changing a page', () => {
    // Like buildbot's nightlies, one stamp shared by half the builds of the recording.
    const dir = scratchDir('copra-plan-');
    const file = fixtureCopy(STATUSDB_FIXTURE, dir);
    const db = new Database(file);
    db.exec('UPDATE builds SET source_id = (SELECT min(id) FROM sourcestamps) WHERE id % 2 = 0');
    const shared = db.prepare('SELECT count(*) FROM builds WHERE source_id = (SELECT min(id) FROM sourcestamps)').pluck().get() as number;
    db.close();
    expect(shared).toBeGreaterThan(2000);

    const archive = (buildsPerWindow: number) =>
      loadArchive(snapshotRecord(file, dir), 'x', { ...DEFAULT_ARCHIVE_OPTIONS, buildsPerWindow, search: false });
    const sourceModels = (of: Archive) =>
      windowsOf(planWindows(of), 'source').map((window) => ({ window, pages: windowPages(of, window, noRawLogs).source as SourcePage[] }));
    const buildsPerWindow = 600;
    const small = sourceModels(archive(buildsPerWindow));
    for (const { window, pages } of small) {
      expect(pages.length).toBeLessThanOrEqual(plannedPageCount(window));
      const builds = pages.reduce((sum, page) => sum + page.platforms.reduce((n, group) => n + group.builds.length, 0), 0);
      expect(builds).toBeLessThanOrEqual(buildsPerWindow);
    }
    const bigStamp = small.flatMap(({ pages }) => pages).filter((page) => page.buildCount === shared);
    expect(bigStamp.length).toBe(Math.ceil(shared / 500));
    expect(new Set(small.filter(({ pages }) => pages.some((page) => page.buildCount === shared)).map(({ window }) => window)).size).toBe(
      bigStamp.length,
    );
    const whole = sourceModels(archive(1_000_000));
    expect(whole.length).toBe(1);
    expect(small.flatMap(({ pages }) => pages)).toEqual(whole[0]!.pages);
  });

  it("splits a busy master's pages over windows of bounded size without changing a page", () => {
    const db = querySnapshot(STATUSDB_FIXTURE);
    const busiest = db.prepare('SELECT count(*) FROM builds GROUP BY master_id ORDER BY 1 DESC LIMIT 1').pluck().get() as number;
    const entityPageCount = db
      .prepare(
        `SELECT sum(max(1, n / 100)) FROM (
           SELECT (SELECT count(*) FROM builds b WHERE b.builder_id = e.id) AS n FROM builders e UNION ALL
           SELECT (SELECT count(*) FROM builds b WHERE b.slave_id = e.id) FROM slaves e UNION ALL
           SELECT (SELECT count(*) FROM builds b WHERE b.master_id = e.id) FROM masters e)`,
      )
      .pluck()
      .get() as number;
    db.close();
    const pagesPerWindow = 3;
    expect(Math.floor(busiest / 100)).toBeGreaterThan(pagesPerWindow);

    const small = archiveWith(pagesPerWindow);
    const smallWindows = windowsOf(planWindows(small), 'builder', 'worker', 'master');
    for (const window of smallWindows) expect(plannedPageCount(window)).toBeLessThanOrEqual(pagesPerWindow);
    const large = archiveWith(100_000);
    const largeWindows = windowsOf(planWindows(large), 'builder', 'worker', 'master');
    expect(largeWindows.length).toBe(1);

    const split = entityModels(small, smallWindows);
    expect(split.length).toBe(entityPageCount);
    expect(split).toEqual(entityModels(large, largeWindows));
    small.snapshot.close();
    large.snapshot.close();
  });

  it.each([
    ['buildbot', BUILDBOT_FIXTURE, ['log']],
    ['statusdb', STATUSDB_FIXTURE, []],
  ])('knows from the plan how many pages each window of the %s fixture writes', (_, fixture, logKinds) => {
    const kinds = [...EVERY_FIXTURE_KIND, ...logKinds];
    // The buildbot fixture is in WAL mode: read a copy, as copra does, so that SQLite leaves no
    // -shm file beside it. Small windows, so that every kind of window comes in several shapes.
    const work = mkdtempSync(join(tmpdir(), 'copra-plan-'));
    const archive = loadArchive(snapshotRecord(fixture, work), basename(fixture), {
      ...DEFAULT_ARCHIVE_OPTIONS,
      buildsPerWindow: 50,
      search: false,
    });
    const discardRawLog = { rawLog: () => ({ write: () => {}, close: () => {} }) };
    const windows = planWindows(archive);
    expect(new Set(windows.flatMap((window) => window.parts.map((part) => part.kind)))).toEqual(new Set(kinds));
    for (const window of windows) {
      expect(plannedPageCount(window), JSON.stringify(window).slice(0, 80)).toBe(pageCount(windowPages(archive, window, discardRawLog)));
    }
    archive.snapshot.close();
    rmSync(work, { recursive: true, force: true });
  });
});
