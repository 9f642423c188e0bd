/**
 * When an archive is rendered whole again, how search partitions follow the change ids, and which
 * snapshots an archive refuses: the history tests that do not need the whole recordings (apart
 * from history.test.ts so the two halves run side by side).
 */
import Database from 'better-sqlite3';
import { copyFileSync, cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildArchive } from '../../src/build.ts';
import { CopraError } from '../../src/errors.ts';
import { buildIdAt, statusdbEarlyCut, statusdbShrunk } from '../fixtures/history.ts';
import { BUILDBOT_FIXTURE, STATUSDB_FIXTURE, archiveHashes, count, differences, fixtureCopy, quiet, scratchDir, snapshotFile } from '../helpers/archive.ts';

describe('rebuilding, search partitions and refusals of an archive with history', () => {
  it('renders every page again when the title changes, or when copra\'s record was deleted', async () => {
    const dir = scratchDir('copra-history-');
    const early = snapshotFile(dir, 'early', STATUSDB_FIXTURE);
    statusdbEarlyCut(STATUSDB_FIXTURE, early, buildIdAt(STATUSDB_FIXTURE, 0.6));
    const options = { output: quiet, jobs: 2, search: false } as const;
    await buildArchive(STATUSDB_FIXTURE, { ...options, out: join(dir, 'fresh'), title: 'CI history' });
    const expected = archiveHashes(join(dir, 'fresh'));

    const retitled = join(dir, 'retitled');
    await buildArchive(early, { ...options, out: retitled });
    // The same early archive, to lose its record: one build of the early cut serves both cases.
    const forgetful = join(dir, 'forgetful');
    cpSync(retitled, forgetful, { recursive: true });
    const update = await buildArchive(STATUSDB_FIXTURE, { ...options, out: retitled, title: 'CI history' });
    expect(update.incremental).toBe(false);
    expect(differences(archiveHashes(retitled), expected)).toEqual([]);

    rmSync(join(forgetful, '.copra'), { recursive: true });
    // Without its record an archive is built anew from the snapshot alone, whole.
    const rebuilt = await buildArchive(STATUSDB_FIXTURE, { ...options, out: forgetful, title: 'CI history' });
    expect(rebuilt.update).toBeNull();
    expect(differences(archiveHashes(forgetful), expected)).toEqual([]);
  });

  it('statusdb with change ids spread over search partitions: an update merges the newest range into one partition and removes the old ones', async () => {
    const dir = scratchDir('copra-history-');
    // 340 changes 200 ids apart: ids up to 68,000, past the first 50,000-id range of partitions.
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
