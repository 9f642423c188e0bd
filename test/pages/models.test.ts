/**
 * Page models, without HTML: what a kind's model of a page holds, against SQL over a small record,
 * and the problems of the rows it met, which it returns rather than writes anywhere.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuildPage, buildPages } from '../../src/pages/buildPage.ts';
import { type Archive, DEFAULT_ARCHIVE_OPTIONS, DISCARDED_FILES, loadArchive, windowPages } from '../../src/pages/plan.ts';
import { snapshotRecord } from '../../src/record/record.ts';
import { STATUSDB_FIXTURE, fixtureCopy, scratchDir } from '../helpers/archive.ts';

const options = { logs: DEFAULT_ARCHIVE_OPTIONS.logs };

describe('the build page model', () => {
  const dir = scratchDir('copra-models-');
  let snapshot: Database.Database;
  let archive: Archive;
  /** A slave the snapshot lost, and two builds that ran on it. */
  let orphan: { slave: number; builds: number[] };

  beforeAll(() => {
    const file = fixtureCopy(STATUSDB_FIXTURE, dir);
    snapshot = new Database(file);
    const slave = snapshot.prepare('SELECT slave_id FROM builds GROUP BY slave_id HAVING count(*) >= 2 ORDER BY slave_id LIMIT 1').pluck().get() as number;
    orphan = { slave, builds: snapshot.prepare('SELECT id FROM builds WHERE slave_id = ? ORDER BY id LIMIT 2').pluck().all(slave) as number[] };
    snapshot.prepare('DELETE FROM slaves WHERE id = ?').run(slave);
    archive = loadArchive(snapshotRecord(file, dir), 'models', { ...DEFAULT_ARCHIVE_OPTIONS, search: false });
  });
  afterAll(() => {
    archive.record.close();
    snapshot.close();
  });

  it('holds the build, its builder and its steps as the record has them', () => {
    const failed = snapshot
      .prepare(
        `SELECT id, buildnumber, builder_id, (SELECT count(*) FROM builds o WHERE o.builder_id = b.builder_id AND o.buildnumber < b.buildnumber) AS earlier
         FROM builds b WHERE result = 2 ORDER BY id LIMIT 1`,
      )
      .get() as { id: number; buildnumber: number; builder_id: number; earlier: number };
    const [page] = buildPages(archive.record, archive.site, [failed.id], options, DISCARDED_FILES) as [BuildPage];
    expect(page.url).toBe(`build/${failed.id}/`);
    expect(page.number).toBe(failed.buildnumber);
    expect(page.builder.text).toBe(snapshot.prepare('SELECT name FROM builders WHERE id = ?').pluck().get(failed.builder_id));
    expect(page.result.key).toBe('failure');
    const steps = snapshot.prepare('SELECT name FROM steps WHERE build_id = ? ORDER BY "order", id').pluck().all(failed.id);
    expect(page.steps.map((step) => step.name)).toEqual(steps);
    // A failed build's similar builds: up to ten of its builder's builds before it.
    expect(page.failure?.before).toHaveLength(Math.min(10, failed.earlier));
    expect(page.warnings).toEqual([]);
  });

  it('returns the orphan it met, and shows the row unlinked', () => {
    const pages = buildPages(archive.record, archive.site, orphan.builds, options, DISCARDED_FILES) as BuildPage[];
    const warning = { problem: 'orphan', detail: `worker ${orphan.slave} is referenced but not in the snapshot; shown unlinked` };
    for (const page of pages) {
      expect(page.worker).toEqual({ href: null, text: `worker ${orphan.slave} (missing)` });
      expect(page.warnings).toEqual([warning]);
    }
    // A window reports each problem once, however many of its pages met it.
    const window = windowPages(archive, { parts: [{ kind: 'build', part: { ids: orphan.builds } }] }, DISCARDED_FILES);
    expect(window.pages).toHaveLength(2);
    expect(window.warnings).toEqual([warning]);
  });
});
