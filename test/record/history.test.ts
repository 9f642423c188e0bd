/**
 * The archive remembers: building the successive snapshots of one database into one directory
 * gives, file for file, the archive of the unpruned database built once — although the later
 * snapshot lost builds, steps and log chunks. Only copra's record (under .copra/) may differ.
 */
import Database from 'better-sqlite3';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { buildArchive } from '../../src/build.ts';
import { CopraError } from '../../src/errors.ts';
import { buildbotEarlyCut, buildbotPruned, buildIdAt, statusdbEarlyCut, statusdbShrunk } from '../fixtures/history.ts';
import { BUILDBOT_FIXTURE, STATUSDB_FIXTURE, archiveHashes, differences, fixtureCopy, scratchDir } from '../helpers/archive.ts';

const quiet = { write: () => {} };

/** The same file name in its own folder: an archive is titled after its first snapshot's name. */
function snapshotFile(dir: string, stage: string, fixture: string): string {
  mkdirSync(join(dir, stage));
  return join(dir, stage, fixture.split('/').pop()!);
}

const count = (file: string, sql: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
};

describe('successive snapshots into one archive', () => {
  it('buildbot: an early cut, then the whole database after the janitor and a DBA pruned it, equal the whole recording built once', async () => {
    const dir = scratchDir('copra-history-');
    // The fixture is in WAL mode: opening it in place would leave -shm/-wal files beside it.
    const whole = fixtureCopy(BUILDBOT_FIXTURE, dir, 'whole.sqlite');
    const early = snapshotFile(dir, 'early', BUILDBOT_FIXTURE);
    const pruned = snapshotFile(dir, 'pruned', BUILDBOT_FIXTURE);
    const firstAbsent = buildIdAt(whole, 0.6);
    buildbotEarlyCut(whole, early, firstAbsent);
    buildbotPruned(whole, pruned, buildIdAt(whole, 0.3), buildIdAt(whole, 0.1));
    expect(count(early, 'SELECT count(*) FROM builds WHERE complete_at IS NULL')).toBeGreaterThan(0);

    const out = join(dir, 'archive');
    await buildArchive(early, { out, output: quiet, jobs: 2 });
    const update = await buildArchive(pruned, { out, output: quiet, jobs: 2 });

    const all = count(whole, 'SELECT count(*) FROM builds');
    expect(update.update).toEqual({
      newBuilds: all - count(early, 'SELECT count(*) FROM builds'),
      finishedBuilds: count(early, 'SELECT count(*) FROM builds WHERE complete_at IS NULL'),
      kept: {
        builds: all - count(pruned, 'SELECT count(*) FROM builds'),
        steps: count(whole, 'SELECT count(*) FROM steps') - count(pruned, 'SELECT count(*) FROM steps'),
        logs: count(whole, 'SELECT count(*) FROM logs') - count(pruned, "SELECT count(*) FROM logs WHERE type <> 'd'"),
      },
    });
    expect(update.incremental).toBe(true);
    expect(differences(archiveHashes(out), archiveHashes(inject('archives').buildbot))).toEqual([]);
  });

  it('statusdb: an early cut, then the whole database after a shrink deleted the steps of older builds, equal the whole recording built once', async () => {
    const dir = scratchDir('copra-history-');
    const early = snapshotFile(dir, 'early', STATUSDB_FIXTURE);
    const shrunk = snapshotFile(dir, 'shrunk', STATUSDB_FIXTURE);
    statusdbEarlyCut(STATUSDB_FIXTURE, early, buildIdAt(STATUSDB_FIXTURE, 0.6));
    statusdbShrunk(STATUSDB_FIXTURE, shrunk, buildIdAt(STATUSDB_FIXTURE, 0.5));

    const out = join(dir, 'archive');
    await buildArchive(early, { out, output: quiet, jobs: 2 });
    const update = await buildArchive(shrunk, { out, output: quiet, jobs: 2 });

    expect(update.update?.kept.steps).toBe(
      count(STATUSDB_FIXTURE, 'SELECT count(*) FROM steps') - count(shrunk, 'SELECT count(*) FROM steps'),
    );
    expect(update.update?.kept.steps).toBeGreaterThan(0);
    expect(update.update?.finishedBuilds).toBeGreaterThan(0);
    expect(update.incremental).toBe(true);
    expect(differences(archiveHashes(out), archiveHashes(inject('archives').statusdb))).toEqual([]);
  });

  it.each([
    ['buildbot', BUILDBOT_FIXTURE, 'buildbot' as const],
    ['statusdb', STATUSDB_FIXTURE, 'statusdb' as const],
  ])('%s: an update from the start of the last hundredth of builds renders only the pages that changed', async (_, fixture, archive) => {
    const dir = scratchDir('copra-history-');
    const early = snapshotFile(dir, 'early', fixture);
    const whole = fixtureCopy(fixture, dir, 'whole.sqlite');
    (archive === 'buildbot' ? buildbotEarlyCut : statusdbEarlyCut)(whole, early, buildIdAt(whole, 0.99));
    const out = join(dir, 'archive');
    await buildArchive(early, { out, output: quiet, jobs: 2 });
    const wholeAgain = snapshotFile(dir, 'whole', fixture);
    copyFileSync(whole, wholeAgain);
    const update = await buildArchive(wholeAgain, { out, output: quiet, jobs: 2 });

    const expected = archiveHashes(inject('archives')[archive]);
    expect(update.incremental).toBe(true);
    expect(update.update?.newBuilds).toBe(count(whole, 'SELECT count(*) FROM builds') - count(early, 'SELECT count(*) FROM builds'));
    // New builds, their logs and neighbours, their sourcestamps' pages and listing rows, the
    // newest pages of their builders, workers and masters, the home page: a few percent at most;
    // the badge and feed of each builder that ran (two small files each); and the failed builds
    // among the 10 before each new build, whose similar-builds strip shows it.
    const builders = count(whole, 'SELECT count(*) FROM builders');
    const result = archive === 'buildbot' ? 'results' : 'result';
    const failedShare = count(whole, `SELECT avg(${result} IN (1, 2, 4)) FROM builds`);
    expect(update.pages).toBeLessThan(expected.size * 0.03 + 2 * builders + 10 * failedShare * update.update!.newBuilds);
    expect(differences(archiveHashes(out), expected)).toEqual([]);
  });

  it('renders every page again when the title changes, or when copra\'s record was deleted', async () => {
    const dir = scratchDir('copra-history-');
    const early = snapshotFile(dir, 'early', STATUSDB_FIXTURE);
    statusdbEarlyCut(STATUSDB_FIXTURE, early, buildIdAt(STATUSDB_FIXTURE, 0.6));
    const options = { output: quiet, jobs: 2, search: false } as const;
    await buildArchive(STATUSDB_FIXTURE, { ...options, out: join(dir, 'fresh'), title: 'CI history' });
    const expected = archiveHashes(join(dir, 'fresh'));

    const retitled = join(dir, 'retitled');
    await buildArchive(early, { ...options, out: retitled });
    const update = await buildArchive(STATUSDB_FIXTURE, { ...options, out: retitled, title: 'CI history' });
    expect(update.incremental).toBe(false);
    expect(differences(archiveHashes(retitled), expected)).toEqual([]);

    const forgetful = join(dir, 'forgetful');
    await buildArchive(early, { ...options, out: forgetful, title: 'CI history' });
    rmSync(join(forgetful, '.copra'), { recursive: true });
    // Without its record an archive is built anew from the snapshot alone, whole.
    const rebuilt = await buildArchive(STATUSDB_FIXTURE, { ...options, out: forgetful, title: 'CI history' });
    expect(rebuilt.update).toBeNull();
    expect(differences(archiveHashes(forgetful), expected)).toEqual([]);
  });

  it('statusdb with change ids spread over search shards: an update merges the newest range into one shard and removes the old ones', async () => {
    const dir = scratchDir('copra-history-');
    // 340 changes 200 ids apart: ids up to 68,000, past the first 50,000-id range of shards.
    const spread = fixtureCopy(STATUSDB_FIXTURE, dir, 'spread.sqlite');
    const db = new Database(spread);
    db.exec(`
      UPDATE changes SET id = -id; UPDATE changes SET id = -id * 200;
      UPDATE source_changes SET change_id = change_id * 200; UPDATE file_changes SET change_id = change_id * 200;`);
    db.close();
    const early = snapshotFile(dir, 'early', 'spread.sqlite');
    statusdbEarlyCut(spread, early, buildIdAt(spread, 0.6));
    const whole = snapshotFile(dir, 'whole', 'spread.sqlite');
    copyFileSync(spread, whole);
    const maxId = (file: string) => count(file, 'SELECT max(id) FROM changes');
    expect(maxId(early)).toBeLessThan(50_000);
    expect(maxId(whole)).toBeGreaterThan(50_000);

    const out = join(dir, 'archive');
    await buildArchive(early, { out, output: quiet, jobs: 2 });
    const shardsBefore = (JSON.parse(readFileSync(join(out, 'search', 'manifest.json'), 'utf8')) as { changes: string[] }).changes;
    expect(shardsBefore.length).toBeGreaterThan(2);
    const update = await buildArchive(whole, { out, output: quiet, jobs: 2 });
    expect(update.incremental).toBe(true);

    const fresh = join(dir, 'fresh');
    await buildArchive(whole, { out: fresh, output: quiet, jobs: 2, title: 'spread.sqlite' });
    const shards = (JSON.parse(readFileSync(join(fresh, 'search', 'manifest.json'), 'utf8')) as { changes: string[] }).changes;
    expect(shards[0]).toBe('pagefind/changes-1-50000/');
    expect(differences(archiveHashes(out), archiveHashes(fresh))).toEqual([]);
  });

  it('refuses a snapshot of another CI, or a damaged, truncated or locked one, and leaves the archive as it was', async () => {
    const dir = scratchDir('copra-history-');
    const out = join(dir, 'archive');
    const early = snapshotFile(dir, 'early', STATUSDB_FIXTURE);
    statusdbEarlyCut(STATUSDB_FIXTURE, early, buildIdAt(STATUSDB_FIXTURE, 0.2));
    await buildArchive(early, { out, output: quiet, jobs: 2, search: false });
    const before = archiveHashes(out);
    const record = archiveHashes(out, { record: true }).get('.copra/record.sqlite');

    // A master restarted on a fresh database: build ids start again, on other builders.
    const restarted = join(dir, 'restarted.sqlite');
    statusdbShrunk(STATUSDB_FIXTURE, restarted, 0);
    const db = new Database(restarted);
    db.exec('UPDATE builds SET buildnumber = buildnumber + 100000 WHERE id = (SELECT min(id) FROM builds)');
    db.close();

    // A damaged, truncated or locked snapshot of the same CI.
    const damaged = fixtureCopy(STATUSDB_FIXTURE, dir, 'damaged.sqlite');
    const buildsRoot = count(damaged, "SELECT rootpage FROM sqlite_master WHERE name = 'builds'");
    const pageSize = count(damaged, 'PRAGMA page_size');
    const bytes = readFileSync(damaged);
    bytes.fill(0xff, (buildsRoot - 1) * pageSize + 200, buildsRoot * pageSize - 200);
    writeFileSync(damaged, bytes);
    const truncated = join(dir, 'truncated.sqlite');
    writeFileSync(truncated, readFileSync(STATUSDB_FIXTURE).subarray(0, 3_000_000));
    const locked = fixtureCopy(STATUSDB_FIXTURE, dir, 'locked.sqlite');
    const master = new Database(locked);
    master.exec('BEGIN EXCLUSIVE');
    try {
      // Each refusal says why, and the way out.
      for (const [snapshot, says, wayOut] of [
        [BUILDBOT_FIXTURE, /holds a statusdb history, the snapshot is buildbot/, '--fresh'],
        [restarted, /build id \d+ is build \d+ of builder/, '--fresh'],
        [damaged, /damaged.sqlite is damaged: SQLite says "database disk image is malformed"/, '.backup'],
        [truncated, /truncated.sqlite is truncated: its header says \d+ bytes, the file has 3000000/, '.backup'],
        [locked, /locked.sqlite is locked by another program/, '.backup'],
      ] as const) {
        const error = await buildArchive(snapshot, { out, output: quiet, jobs: 2 }).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(CopraError);
        expect((error as CopraError).exitCode).toBe(2);
        expect((error as CopraError).message).toMatch(says);
        expect((error as CopraError).message).toContain(wayOut);
      }
    } finally {
      master.close();
    }
    expect(differences(archiveHashes(out), before)).toEqual([]);
    expect(archiveHashes(out, { record: true }).get('.copra/record.sqlite')).toBe(record);

    const fresh = await buildArchive(restarted, { out, output: quiet, jobs: 2, search: false, fresh: true });
    expect(fresh.droppedBuilds).toBe(count(early, 'SELECT count(*) FROM builds'));
  });
});
