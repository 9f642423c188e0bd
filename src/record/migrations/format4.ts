import type { Migration } from './index.ts';

/**
 * Format 4: each build's build request, so that a build triggered from a step, and a build run
 * again (a retry), are found by their request. Only a snapshot has it: the next update reads every
 * build the snapshot holds; builds no snapshot holds any more keep none, and say so.
 */
export const format4: Migration = {
  to: 4,
  adds: 'build requests',
  up(db) {
    db.exec(`
      ALTER TABLE builds ADD COLUMN buildrequestid INTEGER;
      CREATE INDEX builds_request ON builds (buildrequestid) WHERE buildrequestid IS NOT NULL;`);
  },
  rereads: true,
};
