import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EntityPage } from '../../src/pages/entityPage.ts';
import { KINDS } from '../../src/pages/kinds.ts';
import type { NotFoundPage } from '../../src/pages/notFoundPage.ts';
import {
  type Archive,
  DEFAULT_ARCHIVE_OPTIONS,
  DISCARDED_FILES,
  type Window,
  loadArchive,
  planWindows,
  plannedPageCount,
  windowPages,
} from '../../src/pages/plan.ts';
import type { SourcePage } from '../../src/pages/sourcePage.ts';
import { snapshotRecord } from '../../src/record/record.ts';
import { BUILDBOT4_FIXTURE, BUILDBOT_FIXTURE, STATUSDB_FIXTURE, fixtureCopy, querySnapshot, scratchDir } from '../helpers/archive.ts';

const noRawLogs = {
  ...DISCARDED_FILES,
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
  windowsOf(windows, 'builder', 'worker', 'master').flatMap((window) => windowPages(archive, window, noRawLogs).pages.filter((page) => page.body === 'entity') as unknown as EntityPage[]);

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
      windowsOf(planWindows(of), 'source').map((window) => ({ window, pages: windowPages(of, window, noRawLogs).pages.filter((page) => page.body === 'source') as unknown as SourcePage[] }));
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
    small.record.close();
    large.record.close();
  });

  it.each<[string, string, string[], string[] | null]>([
    ['buildbot 3.7', BUILDBOT_FIXTURE, ['project', 'test', 'tests'], null],
    ['statusdb', STATUSDB_FIXTURE, ['log', 'project', 'test', 'tests'], null],
    // Only the kinds the others lack: the rest are the 3.7 fixture's.
    ['buildbot 4.3', BUILDBOT4_FIXTURE, [], ['project', 'test', 'tests']],
  ])('knows from the plan how many pages each window of the %s fixture writes, each page in its kind\'s folder', (_, fixture, absentKinds, checkedKinds) => {
    // Every kind of page, but those the fixture has nothing for (statusdb kept no logs; only
    // buildbot 4 has projects and test results).
    const kinds = KINDS.map((kind) => kind.name).filter((name) => !absentKinds.includes(name));
    // The buildbot fixture is in WAL mode: read a copy, as copra does, so that SQLite leaves no
    // -shm file beside it. Small windows, so that every kind of window comes in several shapes.
    const work = mkdtempSync(join(tmpdir(), 'copra-plan-'));
    const archive = loadArchive(snapshotRecord(fixture, work), basename(fixture), {
      ...DEFAULT_ARCHIVE_OPTIONS,
      buildsPerWindow: 50,
      search: false,
    });
    const windows = planWindows(archive);
    expect(new Set(windows.flatMap((window) => window.parts.map((part) => part.kind)))).toEqual(new Set(kinds));
    // Each part writes the pages its plan counts, each under the folder its kind names, which
    // the 404 page knows.
    const notFound = windowPages(archive, { parts: [{ kind: 'notfound', part: {} }] }, DISCARDED_FILES).pages[0] as unknown as NotFoundPage;
    const rootFolders = new RegExp(notFound.rootPattern.replace(/\/\.\*\$$/, '/$'));
    for (const { kind: name, part } of windows.flatMap((window) => window.parts).filter((part) => checkedKinds?.includes(part.kind) ?? true)) {
      const kind = KINDS.find((candidate) => candidate.name === name)!;
      const pages = kind.pages(archive, part, DISCARDED_FILES) as unknown as { url?: string; file?: string }[];
      expect(pages.length, `${name}: ${JSON.stringify(part).slice(0, 80)}`).toBe(kind.pageCount(part));
      for (const page of pages) {
        const path = page.file ?? `${page.url}index.html`;
        const folder = path.includes('/') ? path.slice(0, path.indexOf('/')) : null;
        expect(folder, `${name}: ${path}`).toBe(kind.folder);
        if (folder !== null) expect(`/${folder}/`, `${name}: ${path}`).toMatch(rootFolders);
      }
    }
    archive.record.close();
    rmSync(work, { recursive: true, force: true });
  });
});
