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

const TABLES_DDL = `
CREATE TABLE builders (id INTEGER PRIMARY KEY, name TEXT, description TEXT);
CREATE TABLE builder_tags (builderid INTEGER NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (builderid, tag));
CREATE TABLE workers (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE masters (id INTEGER PRIMARY KEY, name TEXT, url TEXT);
CREATE TABLE builds (
  id INTEGER PRIMARY KEY, number INTEGER NOT NULL, builderid INTEGER NOT NULL, workerid INTEGER,
  masterid INTEGER, started_at INTEGER, complete_at INTEGER, state_string TEXT NOT NULL,
  results INTEGER, reason TEXT, lost INTEGER NOT NULL, parent_buildid INTEGER, buildrequestid INTEGER);
CREATE INDEX builds_builder ON builds (builderid, number);
CREATE INDEX builds_worker ON builds (workerid);
CREATE INDEX builds_master ON builds (masterid);
CREATE INDEX builds_parent ON builds (parent_buildid) WHERE parent_buildid IS NOT NULL;
CREATE INDEX builds_request ON builds (buildrequestid) WHERE buildrequestid IS NOT NULL;
CREATE TABLE build_sourcestamps (buildid INTEGER NOT NULL, sourcestampid INTEGER NOT NULL,
  PRIMARY KEY (buildid, sourcestampid)) WITHOUT ROWID;
CREATE INDEX build_sourcestamps_stamp ON build_sourcestamps (sourcestampid, buildid);
CREATE TABLE build_properties (buildid INTEGER NOT NULL, name TEXT, value TEXT NOT NULL, source TEXT NOT NULL);
CREATE INDEX build_properties_build ON build_properties (buildid, name);
CREATE TABLE steps (
  id INTEGER PRIMARY KEY, buildid INTEGER NOT NULL, number INTEGER NOT NULL, name TEXT,
  started_at INTEGER, complete_at INTEGER, state_string TEXT NOT NULL, results INTEGER,
  urls_json TEXT NOT NULL, hidden INTEGER NOT NULL);
CREATE INDEX steps_build ON steps (buildid, number);
CREATE TABLE logs (id INTEGER PRIMARY KEY, stepid INTEGER NOT NULL, name TEXT, slug TEXT NOT NULL,
  type TEXT NOT NULL, num_lines INTEGER NOT NULL);
CREATE INDEX logs_step ON logs (stepid);
CREATE TABLE logchunks (logid INTEGER NOT NULL, first_line INTEGER NOT NULL, last_line INTEGER NOT NULL,
  content BLOB, compressed INTEGER NOT NULL);
CREATE INDEX logchunks_log ON logchunks (logid, first_line);
CREATE TABLE sourcestamps (id INTEGER PRIMARY KEY, branch TEXT, revision TEXT, repository TEXT, project TEXT);
CREATE INDEX sourcestamps_branch ON sourcestamps (branch);
CREATE TABLE changes (
  id INTEGER PRIMARY KEY, author TEXT, comments TEXT NOT NULL, branch TEXT, revision TEXT,
  revlink TEXT, when_timestamp INTEGER, repository TEXT);
CREATE TABLE stamp_changes (sourcestampid INTEGER NOT NULL, changeid INTEGER NOT NULL, position INTEGER NOT NULL,
  PRIMARY KEY (sourcestampid, changeid)) WITHOUT ROWID;
CREATE INDEX stamp_changes_change ON stamp_changes (changeid, sourcestampid);
CREATE TABLE change_files (changeid INTEGER NOT NULL, filename TEXT);
CREATE INDEX change_files_change ON change_files (changeid);
`;

