import type { Migration } from './index.ts';

/**
 * Format 2: the delta table, which says what the last update changed, and the indexes only pages
 * read by. Records of format 1 got them on their first update after the copra that used them, by
 * `IF NOT EXISTS` on every update; older ones lack them until now.
 */
export const format2: Migration = {
  to: 2,
  adds: "the update's delta table and the page indexes",
  up: (db) =>
    db.exec(`
      CREATE TABLE IF NOT EXISTS delta (tbl TEXT NOT NULL, id INTEGER NOT NULL, new INTEGER NOT NULL, PRIMARY KEY (tbl, id)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS changes_revision ON changes (revision);
      CREATE INDEX IF NOT EXISTS sourcestamps_revision ON sourcestamps (revision);
      CREATE INDEX IF NOT EXISTS steps_failed ON steps (buildid, name) WHERE results IN (1, 2, 4);`),
};
