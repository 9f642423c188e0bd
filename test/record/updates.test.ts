/**
 * An update renders only what changed: from the start of each recording's last hundredth of
 * builds, the update writes a few percent of the pages and gives the archive of the whole
 * recording built once. (Apart from history.test.ts so the two run side by side.)
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildArchive } from '../../src/build.ts';
import { buildbotEarlyCut, buildIdAt, statusdbEarlyCut } from '../fixtures/history.ts';
import { ARCHIVE_OPTIONS, BUILDBOT4_FIXTURE, BUILDBOT_FIXTURE, STATUSDB_FIXTURE, archiveHashes, count, differences, fixtureArchive, fixtureCopy, quiet, scratchDir, snapshotFile } from '../helpers/archive.ts';

describe('an update of an archive', () => {
  it.each([
    ['buildbot', BUILDBOT_FIXTURE, 'buildbot' as const],
    ['statusdb', STATUSDB_FIXTURE, 'statusdb' as const],
    ['buildbot 4.3', BUILDBOT4_FIXTURE, 'buildbot4' as const],
  ])('%s: an update from the start of the last hundredth of builds renders only the pages that changed', async (_, fixture, archive) => {
    const dir = scratchDir('copra-history-');
    const early = snapshotFile(dir, 'early', fixture);
    const whole = fixtureCopy(fixture, dir, 'whole.sqlite');
    (archive === 'statusdb' ? statusdbEarlyCut : buildbotEarlyCut)(whole, early, buildIdAt(whole, 0.99));
    const out = join(dir, 'archive');
    await buildArchive(early, { out, output: quiet, jobs: 2, ...ARCHIVE_OPTIONS[archive] });
    const wholeAgain = snapshotFile(dir, 'whole', fixture);
    copyFileSync(whole, wholeAgain);
    const update = await buildArchive(wholeAgain, { out, output: quiet, jobs: 2, ...ARCHIVE_OPTIONS[archive] });

    const expected = archiveHashes(await fixtureArchive(archive));
    expect(update.incremental).toBe(true);
    expect(update.update?.newBuilds).toBe(count(whole, 'SELECT count(*) FROM builds') - count(early, 'SELECT count(*) FROM builds'));
    // New builds, their logs and neighbours, their sourcestamps' pages and listing rows, the
    // newest pages of their builders, workers and masters, the home page: a few percent at most;
    // the badge and feed of each builder that ran (two small files each); and the failed builds
    // among the 10 before each new build, whose similar-builds strip shows it; buildbot 4: the
    // newest page of each test with results the early snapshot lacked.
    const builders = count(whole, 'SELECT count(*) FROM builders');
    const result = archive === 'statusdb' ? 'result' : 'results';
    const failedShare = count(whole, `SELECT avg(${result} IN (1, 2, 4)) FROM builds`);
    const testsRun =
      archive === 'buildbot4'
        ? count(
            whole,
            `SELECT count(*) FROM (SELECT DISTINCT n.name, p.path FROM test_results r JOIN test_result_sets s ON s.id = r.test_result_setid
             LEFT JOIN test_names n ON n.id = r.test_nameid LEFT JOIN test_code_paths p ON p.id = r.test_code_pathid
             WHERE r.id > ${count(early, 'SELECT coalesce(max(id), 0) FROM test_results')})`,
          )
        : 0;
    expect(update.pages).toBeLessThan(expected.size * 0.03 + 2 * builders + 10 * failedShare * update.update!.newBuilds + testsRun);
    expect(differences(archiveHashes(out), expected)).toEqual([]);
  });
});
