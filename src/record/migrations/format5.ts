import type { Migration } from './index.ts';

/**
 * Format 5: what buildbot 3.9–4.3 masters hold beside builds — projects, codebases and their
 * commits, test results, build data, lock waits, rebuilds, a worker's pause reason — and the
 * codebase of sourcestamps and changes. Only a snapshot has them: the next update reads every row
 * the snapshot holds; builds no snapshot holds any more have none, and `builds.extras_read` stays
 * NULL for them (1 for every build read since), so their pages say so.
 */
export const format5: Migration = {
  to: 5,
  adds: 'projects, codebases, test results and build data',
  up(db) {
    db.exec(`
      ALTER TABLE builders ADD COLUMN projectid INTEGER;
      ALTER TABLE workers ADD COLUMN pause_reason TEXT;
      ALTER TABLE builds ADD COLUMN locks_duration_s INTEGER;
      ALTER TABLE builds ADD COLUMN rebuilt_buildid INTEGER;
      ALTER TABLE builds ADD COLUMN extras_read INTEGER;
      CREATE INDEX builds_rebuilt ON builds (rebuilt_buildid) WHERE rebuilt_buildid IS NOT NULL;
      ALTER TABLE steps ADD COLUMN locks_acquired_at INTEGER;
      ALTER TABLE sourcestamps ADD COLUMN codebase TEXT;
      ALTER TABLE changes ADD COLUMN codebase TEXT;
      CREATE TABLE projects (id INTEGER PRIMARY KEY, name TEXT, slug TEXT, description TEXT, description_html TEXT);
      CREATE TABLE codebases (id INTEGER PRIMARY KEY, projectid INTEGER, name TEXT);
      CREATE TABLE codebase_commits (id INTEGER PRIMARY KEY, codebaseid INTEGER NOT NULL, author TEXT, committer TEXT, comments TEXT,
        when_timestamp INTEGER, revision TEXT, parent_commitid INTEGER);
      CREATE INDEX codebase_commits_revision ON codebase_commits (revision);
      CREATE INDEX codebase_commits_parent ON codebase_commits (parent_commitid) WHERE parent_commitid IS NOT NULL;
      CREATE TABLE test_result_sets (id INTEGER PRIMARY KEY, buildid INTEGER NOT NULL, stepid INTEGER, description TEXT,
        category TEXT NOT NULL, value_unit TEXT NOT NULL, tests_passed INTEGER, tests_failed INTEGER, complete INTEGER NOT NULL);
      CREATE INDEX test_result_sets_build ON test_result_sets (buildid);
      CREATE TABLE test_results (id INTEGER PRIMARY KEY, setid INTEGER NOT NULL, name TEXT, code_path TEXT, line INTEGER,
        duration_ns INTEGER, value TEXT NOT NULL);
      CREATE INDEX test_results_set ON test_results (setid);
      CREATE INDEX test_results_test ON test_results (name, code_path);
      CREATE TABLE build_data (id INTEGER PRIMARY KEY, buildid INTEGER NOT NULL, name TEXT NOT NULL, value BLOB, length INTEGER NOT NULL,
        source TEXT NOT NULL);
      CREATE INDEX build_data_build ON build_data (buildid);`);
  },
  rereads: true,
};
