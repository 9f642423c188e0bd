/**
 * The archive remembers: an archive built by an older copra (the committed format-1 records of
 * test/fixtures/records/, from each recording's early snapshot), upgraded and given the successive
 * snapshots of the database — the early one again, then the whole database after the janitor and
 * a DBA (buildbot) or a shrink (statusdb) pruned it — gives, file for file, the archive of the
 * unpruned database built once. Only copra's record (under .copra/) may differ. Given the pruned
 * snapshot straight away, it loses no page and no row.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildArchive } from '../../src/build.ts';
import { RECORD_FORMAT } from '../../src/record/migrations/index.ts';
import { FIRST_RECORD_FORMAT, RECORDINGS, type Recording, archiveWithRecord, earlySnapshot, prunedSnapshot } from '../fixtures/records/cuts.ts';
import { ARCHIVE_OPTIONS, BUILDBOT4_FIXTURE, BUILDBOT_FIXTURE, STATUSDB_FIXTURE, archiveFiles, archiveHashes, count, differences, fixtureArchive, fixtureCopy, quiet, readPage, scratchDir, snapshotFile, text } from '../helpers/archive.ts';

const FIXTURE: Record<Recording, string> = { buildbot: BUILDBOT_FIXTURE, statusdb: STATUSDB_FIXTURE, buildbot4: BUILDBOT4_FIXTURE };
const RESULT = { buildbot: 'results', statusdb: 'result', buildbot4: 'results' };
const COMPLETE = { buildbot: 'complete_at', statusdb: 'endtime', buildbot4: 'complete_at' };

describe.each(RECORDINGS)('a %s archive built by the copra of its oldest record format, given successive snapshots', (recording) => {
  const format = FIRST_RECORD_FORMAT[recording];
  const dir = scratchDir('copra-history-');
  let whole: string;
  let early: string;
  let pruned: string;
  /** The pages and raw logs of the archive of the early snapshot (search indexes name their files after their contents). */
  let earlyPages: string[];

  beforeAll(() => {
    // The fixture is in WAL mode: opening it in place would leave -shm/-wal files beside it.
    whole = fixtureCopy(FIXTURE[recording], dir, 'whole.sqlite');
    // Named as the recording's file, like the snapshot the committed record was built from.
    early = snapshotFile(dir, 'early', FIXTURE[recording]);
    pruned = snapshotFile(dir, 'pruned', FIXTURE[recording]);
    earlySnapshot(recording, whole, early);
    prunedSnapshot(recording, whole, pruned);
  });

  it('is upgraded, then built from its early snapshot and a pruned one equals the whole recording built once', async () => {
    expect(count(early, `SELECT count(*) FROM builds WHERE ${COMPLETE[recording]} IS NULL`)).toBeGreaterThan(0);
    // buildbot 4: test result sets still being written when the early snapshot was taken.
    if (recording === 'buildbot4') expect(count(early, 'SELECT count(*) FROM test_result_sets WHERE complete = 0')).toBeGreaterThan(0);
    const out = archiveWithRecord(format, recording, join(dir, 'a'));
    const again = await buildArchive(early, { out, output: quiet, jobs: 2, ...ARCHIVE_OPTIONS[recording] });
    expect(again.upgrade).toMatchObject({ from: format, to: RECORD_FORMAT });
    earlyPages = archiveFiles(out).filter((file) => !/^(\.copra|pagefind)\//.test(file));

    const update = await buildArchive(pruned, { out, output: quiet, jobs: 2, ...ARCHIVE_OPTIONS[recording] });
    const builds = (file: string, where = 'true') => count(file, `SELECT count(*) FROM builds WHERE ${where}`);
    const steps = (file: string) => count(file, 'SELECT count(*) FROM steps');
    expect(update.upgrade).toBeNull();
    expect(update.incremental).toBe(true);
    expect(update.update).toEqual({
      newBuilds: builds(whole) - builds(early),
      finishedBuilds: builds(early, `${COMPLETE[recording]} IS NULL`),
      kept: {
        builds: builds(whole) - builds(pruned),
        steps: steps(whole) - steps(pruned),
        logs: recording !== 'statusdb' ? count(whole, 'SELECT count(*) FROM logs') - count(pruned, "SELECT count(*) FROM logs WHERE type <> 'd'") : 0,
      },
    });
    expect(recording !== 'statusdb' ? update.update?.kept.builds : update.update?.kept.steps).toBeGreaterThan(0);
    expect(builds(early, `${RESULT[recording]} IS NULL`)).toBeGreaterThan(0);
    expect(differences(archiveHashes(out), archiveHashes(await fixtureArchive(recording)))).toEqual([]);
  });

  it('built straight from the pruned snapshot, keeps every page and every row the early snapshot had', async () => {
    const out = archiveWithRecord(format, recording, join(dir, 'b'));
    const report = await buildArchive(pruned, { out, output: quiet, jobs: 2, ...ARCHIVE_OPTIONS[recording] });
    expect(report.upgrade).toMatchObject({ from: format, to: RECORD_FORMAT });
    const record = new Database(join(out, '.copra', 'record.sqlite'), { readonly: true });
    try {
      record.prepare('ATTACH DATABASE ? AS early').run(early);
      const lost = (sql: string) => record.prepare(sql).pluck().get();
      expect(lost('SELECT count(*) FROM early.builds WHERE id NOT IN (SELECT id FROM main.builds)')).toBe(0);
      expect(lost('SELECT count(*) FROM early.steps WHERE id NOT IN (SELECT id FROM main.steps)')).toBe(0);
      if (recording !== 'statusdb') {
        expect(lost("SELECT count(*) FROM early.logs e WHERE e.type <> 'd' AND NOT EXISTS (SELECT 1 FROM main.logs m WHERE m.id = e.id AND m.type <> 'd')")).toBe(0);
        expect(
          lost(`SELECT count(*) FROM early.logchunks e WHERE NOT EXISTS
                  (SELECT 1 FROM main.logchunks m WHERE m.logid = e.logid AND m.first_line = e.first_line)`),
        ).toBe(0);
      }
    } finally {
      record.close();
    }
    const pages = new Set(archiveFiles(out));
    // Build data only a snapshot has, of builds archived before copra kept it (format 5) and that
    // no snapshot since holds: their pages say it is not archived.
    const unread = (page: string) => {
      const build = /^build\/(\d+)\/data\//.exec(page)?.[1];
      return build !== undefined && format < 5 && count(pruned, `SELECT count(*) FROM builds WHERE id = ${build}`) === 0;
    };
    expect(earlyPages.filter((page) => !pages.has(page) && !unread(page))).toEqual([]);
    for (const page of earlyPages.filter(unread)) {
      expect(text(readPage(out, page.replace(/data\/.*$/, '')).querySelector('p#tests'))).toMatch(/^Test results and build data: not archived/);
    }
  });
});
