/**
 * The archive remembers: building the successive snapshots of one database into one directory
 * gives, file for file, the archive of the unpruned database built once — although the later
 * snapshot lost builds, steps and log chunks. Only copra's record (under .copra/) may differ.
 */
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { buildArchive } from '../../src/build.ts';
import { buildbotEarlyCut, buildbotPruned, buildIdAt, statusdbEarlyCut, statusdbShrunk } from '../fixtures/history.ts';
import { BUILDBOT_FIXTURE, STATUSDB_FIXTURE, archiveHashes, count, differences, fixtureCopy, quiet, scratchDir, snapshotFile } from '../helpers/archive.ts';

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
});
