import type { Migration } from './index.ts';

/**
 * Format 3: failure signatures (signatures.ts), derived from the logs and steps the record already
 * holds, so builds that no snapshot has any more get theirs too; and an index of each builder's
 * successes, where a failed build finds its last good build. The failed steps' index served the
 * list of earlier builds where a step of the same name failed, which signatures replace.
 */
export const format3: Migration = {
  to: 3,
  adds: 'failure signatures',
  up(db) {
    db.exec(`
      CREATE INDEX builds_successes ON builds (builderid, number, id) WHERE results = 0;
      DROP INDEX IF EXISTS steps_failed;
      CREATE TABLE signatures (
        id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, text TEXT NOT NULL, source TEXT NOT NULL,
        builds INTEGER NOT NULL, builders INTEGER NOT NULL, first_build INTEGER, last_build INTEGER);
      CREATE TABLE step_signatures (
        stepid INTEGER NOT NULL, signature INTEGER NOT NULL, logid INTEGER, line INTEGER, lines INTEGER NOT NULL, example TEXT NOT NULL,
        PRIMARY KEY (stepid, signature)) WITHOUT ROWID;
      CREATE TABLE build_signatures (
        signature INTEGER NOT NULL, buildid INTEGER NOT NULL, earlier INTEGER NOT NULL, earlier_builders INTEGER NOT NULL, since INTEGER,
        PRIMARY KEY (signature, buildid)) WITHOUT ROWID;
      CREATE INDEX build_signatures_build ON build_signatures (buildid, signature);`);
  },
  derives: ['signatures'],
};
