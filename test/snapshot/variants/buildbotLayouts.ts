import Database from 'better-sqlite3';

/**
 * Buildbot schemas other than 3.7, derived in place from a writable copy of the 3.7 fixture (see
 * `fixtureCopy`). Each keeps every row the 3.7 file has; only the layout around them changes.
 */

/**
 * The 0.9 betas: workers were still "buildslaves", tags did not exist yet, steps had neither
 * `hidden` nor `urls_json`, changes had no `committer`, and the version lived in
 * sqlalchemy-migrate's `migrate_version` table.
 */
export function toBuildbot09Beta(file: string): void {
  const db = new Database(file);
  try {
    db.exec(`
      DROP TABLE builders_tags;
      DROP TABLE tags;

      ALTER TABLE workers RENAME TO buildslaves;
      ALTER TABLE builds RENAME COLUMN workerid TO buildslaveid;
      ALTER TABLE connected_workers RENAME TO connected_buildslaves;
      ALTER TABLE connected_buildslaves RENAME COLUMN workerid TO buildslaveid;
      ALTER TABLE configured_workers RENAME TO configured_buildslaves;
      ALTER TABLE configured_buildslaves RENAME COLUMN workerid TO buildslaveid;

      ALTER TABLE steps DROP COLUMN hidden;
      ALTER TABLE steps DROP COLUMN urls_json;
      ALTER TABLE changes DROP COLUMN committer;

      DROP TABLE alembic_version;
      CREATE TABLE migrate_version (
        repository_id VARCHAR(250) NOT NULL,
        repository_path TEXT,
        version INTEGER,
        PRIMARY KEY (repository_id)
      );
      INSERT INTO migrate_version VALUES ('Buildbot', '/usr/lib/python2.7/dist-packages/buildbot/db/migrate', 44);
    `);
  } finally {
    db.close();
  }
}

/**
 * 4.3: projects and codebases, plus columns for locks, pause reasons and rebuilds. The new
 * columns are filled with values, so an adapter that read them by position would show it.
 */
export function toBuildbot43(file: string): void {
  const db = new Database(file);
  try {
    db.exec(`
      CREATE TABLE projects (
        id INTEGER NOT NULL,
        name TEXT NOT NULL,
        name_hash VARCHAR(40) NOT NULL,
        slug VARCHAR(50) NOT NULL,
        description TEXT,
        description_format TEXT,
        description_html TEXT,
        PRIMARY KEY (id)
      );
      CREATE UNIQUE INDEX projects_name_hash ON projects (name_hash);
      INSERT INTO projects VALUES (1, 'gecko', 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3', 'gecko', 'Firefox builds', 'markdown', '<p>Firefox builds</p>');

      ALTER TABLE builders ADD COLUMN projectid INTEGER REFERENCES projects (id) ON DELETE SET NULL;
      CREATE INDEX builders_projectid ON builders (projectid);
      UPDATE builders SET projectid = 1 WHERE id % 2 = 0;

      ALTER TABLE steps ADD COLUMN locks_acquired_at INTEGER;
      UPDATE steps SET locks_acquired_at = started_at;

      ALTER TABLE workers ADD COLUMN pause_reason TEXT;
      UPDATE workers SET pause_reason = 'maintenance window' WHERE id = 1;

      ALTER TABLE buildsets ADD COLUMN rebuilt_buildid INTEGER REFERENCES builds (id) ON DELETE SET NULL;

      ALTER TABLE builds ADD COLUMN locks_duration_s INTEGER NOT NULL DEFAULT 0;
      UPDATE builds SET locks_duration_s = id % 7;

      CREATE TABLE codebases (
        id INTEGER NOT NULL,
        projectid INTEGER NOT NULL,
        name TEXT NOT NULL,
        name_hash VARCHAR(40) NOT NULL,
        slug VARCHAR(50) NOT NULL,
        PRIMARY KEY (id),
        FOREIGN KEY (projectid) REFERENCES projects (id) ON DELETE CASCADE
      );
      CREATE UNIQUE INDEX codebases_projects_name_hash ON codebases (projectid, name_hash);
      CREATE TABLE codebase_commits (
        id INTEGER NOT NULL,
        codebaseid INTEGER NOT NULL,
        author VARCHAR(255) NOT NULL,
        committer VARCHAR(255),
        comments TEXT NOT NULL,
        when_timestamp INTEGER NOT NULL,
        revision VARCHAR(70) NOT NULL,
        parent_commitid INTEGER,
        PRIMARY KEY (id),
        FOREIGN KEY (codebaseid) REFERENCES codebases (id) ON DELETE CASCADE,
        FOREIGN KEY (parent_commitid) REFERENCES codebase_commits (id) ON DELETE SET NULL
      );
      CREATE UNIQUE INDEX codebase_commits_unique ON codebase_commits (codebaseid, revision);
      CREATE TABLE codebase_branches (
        id INTEGER NOT NULL,
        codebaseid INTEGER NOT NULL,
        name TEXT NOT NULL,
        name_hash VARCHAR(40) NOT NULL,
        commitid INTEGER,
        last_timestamp INTEGER NOT NULL,
        PRIMARY KEY (id),
        FOREIGN KEY (codebaseid) REFERENCES codebases (id) ON DELETE CASCADE,
        FOREIGN KEY (commitid) REFERENCES codebase_commits (id) ON DELETE CASCADE
      );
      CREATE UNIQUE INDEX codebase_branches_unique ON codebase_branches (codebaseid, name_hash);
      INSERT INTO codebases VALUES (1, 1, 'gecko-dev', 'b2d5e5f1c5bd3a1c0a3b1f9e0f4d7c8a9b0c1d2e', 'gecko-dev');
      INSERT INTO codebase_commits VALUES (1, 1, 'A Person <a@example.invalid>', NULL, 'first', 1795620389, '3cae0f590f0a46acf8aabbeeec9f066ee9c9f5d4', NULL);
      INSERT INTO codebase_branches VALUES (1, 1, 'main', 'b28b7af69320201d1cf206ebf28373980add1451', 1, 1795620389);

      UPDATE alembic_version SET version_num = '065';
    `);
  } finally {
    db.close();
  }
}
