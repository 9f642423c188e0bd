/**
 * copra's own record: every row it ever archived, in one schema whatever the snapshot's. The
 * translators in src/snapshot/ write into these tables; merge.ts accumulates them over snapshots;
 * queries.ts is the only reader. Times are unix seconds (UTC); text is as pages show it (statusdb's
 * mojibake already repaired); log chunks are kept as the snapshot stored them (compressed).
 *
 * This file is the record as this copra makes it new. A change to it is a migration too
 * (migrations/): an older record is upgraded in place to the same schema, which a test checks for
 * every committed record of an older format. Columns a migration adds go last in their table.
 */

/** Results of a failed build or step, as SQL: warnings (Mozilla's orange), failure, exception. */
export const FAILED = '(1, 2, 4)';

/** What the record knows about itself: format, schema family, title, how its pages were rendered. */
export const META_DDL = 'CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)';

/** The tables a translator fills, for a schema name (the record's, or an update's staging copy). */
export function recordDdl(schema: string): string {
  return TABLES_DDL.replace(/CREATE (TABLE|INDEX) (\w+)/g, `CREATE $1 ${schema}.$2`);
}

/** A new record's tables: what translators fill, and what only the record holds. */
export function newRecordDdl(): string {
  return [META_DDL, recordDdl('main'), RECORD_ONLY_DDL].join(';\n');
}

/**
 * What only the record holds, beside the translated tables.
 * - `delta`: what the last update changed, the ids of rows it added (`new`) or changed, by table;
 *   a relation names each side (`build_sourcestamps` the build, `stamp_builds` the sourcestamp).
 *   Pages are re-rendered from it.
 * - Indexes only pages read by (a revision's page finds its changes and sourcestamps; a failed
 *   build's page, its builder's last success before it).
 * - Failure signatures (signatures.ts), derived from the record's logs and steps:
 *   `signatures`, one per failure, its address (`key`, a hash of its text), its text, whether it
 *   comes from error lines (`log`) or a failed step's own text (`step`), and what its pages count:
 *   builds, builders, the first and last build that hit it;
 *   `step_signatures`, each failed step's signatures: where it first printed the line (log and
 *   line; none for a step's own text), how many lines matched, that line as printed;
 *   `build_signatures`, the builds that hit each signature, with what a build's page says of it
 *   as of that build: how many builds hit it before (started earlier, ties by id), on how many
 *   builders, and since when.
 */
const RECORD_ONLY_DDL = `
CREATE TABLE main.delta (tbl TEXT NOT NULL, id INTEGER NOT NULL, new INTEGER NOT NULL, PRIMARY KEY (tbl, id)) WITHOUT ROWID;
CREATE INDEX main.changes_revision ON changes (revision);
CREATE INDEX main.sourcestamps_revision ON sourcestamps (revision);
CREATE INDEX main.builds_successes ON builds (builderid, number, id) WHERE results = 0;
CREATE TABLE main.signatures (
  id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, text TEXT NOT NULL, source TEXT NOT NULL,
  builds INTEGER NOT NULL, builders INTEGER NOT NULL, first_build INTEGER, last_build INTEGER);
CREATE TABLE main.step_signatures (
  stepid INTEGER NOT NULL, signature INTEGER NOT NULL, logid INTEGER, line INTEGER, lines INTEGER NOT NULL, example TEXT NOT NULL,
  PRIMARY KEY (stepid, signature)) WITHOUT ROWID;
CREATE TABLE main.build_signatures (
  signature INTEGER NOT NULL, buildid INTEGER NOT NULL, earlier INTEGER NOT NULL, earlier_builders INTEGER NOT NULL, since INTEGER,
  PRIMARY KEY (signature, buildid)) WITHOUT ROWID;
CREATE INDEX main.build_signatures_build ON build_signatures (buildid, signature);`;

/**
 * What buildbot 3.9–4.3 added (migration format5.ts): projects, codebases and their commits, test
 * results (a result's test named by its name and code path as text, not by the snapshot's ids,
 * which are per builder), build data (values over MAX_BUILD_DATA bytes are kept as their length).
 * Snapshots of earlier masters leave these tables empty. `builds.extras_read` is 1 for a build
 * whose test results and build data are as a snapshot gave them, NULL for one archived before
 * format 5 that no snapshot has held since.
 */
export const BUILDBOT_4_DDL = `
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
CREATE INDEX build_data_build ON build_data (buildid);
`;

/** Build data larger than this (bytes) is kept as its length alone: a build's page says its size. */
export const MAX_BUILD_DATA = 1024 * 1024;

const TABLES_DDL = `
CREATE TABLE builders (id INTEGER PRIMARY KEY, name TEXT, description TEXT, projectid INTEGER);
CREATE TABLE builder_tags (builderid INTEGER NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (builderid, tag));
CREATE TABLE workers (id INTEGER PRIMARY KEY, name TEXT, pause_reason TEXT);
CREATE TABLE masters (id INTEGER PRIMARY KEY, name TEXT, url TEXT);
CREATE TABLE builds (
  id INTEGER PRIMARY KEY, number INTEGER NOT NULL, builderid INTEGER NOT NULL, workerid INTEGER,
  masterid INTEGER, started_at INTEGER, complete_at INTEGER, state_string TEXT NOT NULL,
  results INTEGER, reason TEXT, lost INTEGER NOT NULL, parent_buildid INTEGER, buildrequestid INTEGER,
  locks_duration_s INTEGER, rebuilt_buildid INTEGER, extras_read INTEGER);
CREATE INDEX builds_builder ON builds (builderid, number);
CREATE INDEX builds_worker ON builds (workerid);
CREATE INDEX builds_master ON builds (masterid);
CREATE INDEX builds_parent ON builds (parent_buildid) WHERE parent_buildid IS NOT NULL;
CREATE INDEX builds_request ON builds (buildrequestid) WHERE buildrequestid IS NOT NULL;
CREATE INDEX builds_rebuilt ON builds (rebuilt_buildid) WHERE rebuilt_buildid IS NOT NULL;
CREATE TABLE build_sourcestamps (buildid INTEGER NOT NULL, sourcestampid INTEGER NOT NULL,
  PRIMARY KEY (buildid, sourcestampid)) WITHOUT ROWID;
CREATE INDEX build_sourcestamps_stamp ON build_sourcestamps (sourcestampid, buildid);
CREATE TABLE build_properties (buildid INTEGER NOT NULL, name TEXT, value TEXT NOT NULL, source TEXT NOT NULL);
CREATE INDEX build_properties_build ON build_properties (buildid, name);
CREATE TABLE steps (
  id INTEGER PRIMARY KEY, buildid INTEGER NOT NULL, number INTEGER NOT NULL, name TEXT,
  started_at INTEGER, complete_at INTEGER, state_string TEXT NOT NULL, results INTEGER,
  urls_json TEXT NOT NULL, hidden INTEGER NOT NULL, locks_acquired_at INTEGER);
CREATE INDEX steps_build ON steps (buildid, number);
CREATE TABLE logs (id INTEGER PRIMARY KEY, stepid INTEGER NOT NULL, name TEXT, slug TEXT NOT NULL,
  type TEXT NOT NULL, num_lines INTEGER NOT NULL);
CREATE INDEX logs_step ON logs (stepid);
CREATE TABLE logchunks (logid INTEGER NOT NULL, first_line INTEGER NOT NULL, last_line INTEGER NOT NULL,
  content BLOB, compressed INTEGER NOT NULL);
CREATE INDEX logchunks_log ON logchunks (logid, first_line);
CREATE TABLE sourcestamps (id INTEGER PRIMARY KEY, branch TEXT, revision TEXT, repository TEXT, project TEXT, codebase TEXT);
CREATE INDEX sourcestamps_branch ON sourcestamps (branch);
CREATE TABLE changes (
  id INTEGER PRIMARY KEY, author TEXT, comments TEXT NOT NULL, branch TEXT, revision TEXT,
  revlink TEXT, when_timestamp INTEGER, repository TEXT, codebase TEXT);
CREATE TABLE stamp_changes (sourcestampid INTEGER NOT NULL, changeid INTEGER NOT NULL, position INTEGER NOT NULL,
  PRIMARY KEY (sourcestampid, changeid)) WITHOUT ROWID;
CREATE INDEX stamp_changes_change ON stamp_changes (changeid, sourcestampid);
CREATE TABLE change_files (changeid INTEGER NOT NULL, filename TEXT);
CREATE INDEX change_files_change ON change_files (changeid);
${BUILDBOT_4_DDL}`;

