/**
 * Failure signatures, derived from what the record holds: a failed step's error lines (its stdio
 * and text logs, decoded from the archived chunks) normalized by templates/assets/signature.js, or,
 * where its logs give none (statusdb kept no logs), its own name and text. Computed when logs and
 * steps enter the record — an update reads only the steps and logs it changed — and by the
 * migration that added them, from the chunks a record already holds, so builds no snapshot has any
 * more get theirs too. See schema.ts for the tables. Steps, logs and chunks are named without a
 * schema: `copra stats` reads them from the snapshot, through views.
 */
import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { errorLines, normalizeLine } from '../../templates/assets/signature.js';
import { type LogChunk, logLines, splitStream } from '../snapshot/logchunks.ts';
import { FAILED } from './schema.ts';

/** Where a signature comes from: error lines of a log, or a failed step's own name and text. */
export type SignatureSource = 'log' | 'step';

/** A signature's address: a short hash of its text, the same in every build of any archive. */
export function signatureKey(source: SignatureSource, text: string): string {
  return createHash('sha256').update(`${source}\0${text}`).digest('hex').slice(0, 16);
}

/** Which steps to compute: every failed step of the record, or those the last update changed (its delta). */
export type SignatureScope = 'all' | 'changed';

interface FoundSignature {
  source: SignatureSource;
  text: string;
  logid: number | null;
  line: number | null;
  lines: number;
  example: string;
}

/**
 * Computes the signatures of the steps `scope` names, and what each build's page and each
 * signature's pages say of them. Notes in the delta table the signatures whose builds or counts
 * changed (`signatures`) and the builds whose signatures or facts changed (`build_failures`): an
 * update renders their pages again.
 */
export function recordSignatures(db: Database.Database, scope: SignatureScope): void {
  db.exec(`
    CREATE TEMP TABLE touched_steps (id INTEGER PRIMARY KEY);
    INSERT INTO touched_steps ${
      scope === 'all'
        ? `SELECT id FROM steps WHERE results IN ${FAILED}`
        : `SELECT id FROM main.delta WHERE tbl = 'steps'
           UNION SELECT l.stepid FROM main.delta d JOIN logs l ON l.id = d.id WHERE d.tbl = 'logs'`
    };
    CREATE TEMP TABLE touched_builds (id INTEGER PRIMARY KEY);
    INSERT INTO touched_builds SELECT DISTINCT s.buildid FROM temp.touched_steps t JOIN steps s ON s.id = t.id
      UNION SELECT id FROM main.delta WHERE tbl = 'builds';
    CREATE TEMP TABLE old_hits AS SELECT signature FROM main.build_signatures WHERE buildid IN (SELECT id FROM temp.touched_builds);
    DELETE FROM main.step_signatures WHERE stepid IN (SELECT id FROM temp.touched_steps);
  `);
  findSignatures(db);
  // What every build of a signature that gains or loses builds said before: only what differs is new.
  db.exec(`
    CREATE TEMP TABLE changed_signatures (id INTEGER PRIMARY KEY);
    INSERT INTO changed_signatures SELECT signature FROM temp.old_hits
      UNION SELECT ss.signature FROM main.step_signatures ss JOIN steps s ON s.id = ss.stepid WHERE s.buildid IN (SELECT id FROM temp.touched_builds);
    CREATE TEMP TABLE old_facts AS SELECT * FROM main.build_signatures WHERE signature IN (SELECT id FROM temp.changed_signatures);
    DELETE FROM main.build_signatures WHERE buildid IN (SELECT id FROM temp.touched_builds);
    INSERT INTO main.build_signatures (signature, buildid, earlier, earlier_builders, since)
      SELECT DISTINCT ss.signature, s.buildid, 0, 0, NULL FROM main.step_signatures ss JOIN steps s ON s.id = ss.stepid
      WHERE s.buildid IN (SELECT id FROM temp.touched_builds);
  `);
  countHits(db);
  db.exec(`
    INSERT OR IGNORE INTO main.delta (tbl, id, new)
      SELECT 'build_failures', buildid, 0 FROM temp.old_facts WHERE buildid IN (SELECT id FROM temp.touched_builds)
      UNION SELECT 'build_failures', buildid, 0 FROM main.build_signatures WHERE buildid IN (SELECT id FROM temp.touched_builds);
    INSERT OR IGNORE INTO main.delta (tbl, id, new)
      SELECT 'build_failures', n.buildid, 0 FROM main.build_signatures n
      LEFT JOIN temp.old_facts o ON o.signature = n.signature AND o.buildid = n.buildid
      WHERE n.signature IN (SELECT id FROM temp.changed_signatures)
        AND (o.buildid IS NULL OR o.earlier IS NOT n.earlier OR o.earlier_builders IS NOT n.earlier_builders OR o.since IS NOT n.since);
    INSERT OR IGNORE INTO main.delta (tbl, id, new)
      SELECT 'signatures', c.id, NOT EXISTS (SELECT 1 FROM temp.old_facts o WHERE o.signature = c.id) FROM temp.changed_signatures c;
    DROP TABLE temp.touched_steps;
    DROP TABLE temp.touched_builds;
    DROP TABLE temp.old_hits;
    DROP TABLE temp.old_facts;
    DROP TABLE temp.changed_signatures;
  `);
}

/** The signatures of the touched steps that failed, found in their logs or, failing that, their own text. */
function findSignatures(db: Database.Database): void {
  const steps = db
    .prepare(
      `SELECT s.id, s.name, s.state_string FROM temp.touched_steps t JOIN steps s ON s.id = t.id
       WHERE s.results IN ${FAILED} ORDER BY s.id`,
    )
    .all() as { id: number; name: string | null; state_string: string }[];
  const logsOf = db.prepare("SELECT id, type FROM logs WHERE stepid = ? AND type IN ('s', 't') ORDER BY id");
  const chunksOf = db.prepare('SELECT first_line, last_line, content, compressed FROM logchunks WHERE logid = ? ORDER BY first_line');
  const addSignature = db.prepare(
    'INSERT INTO main.signatures (key, text, source, builds, builders) VALUES (?, ?, ?, 0, 0) ON CONFLICT (key) DO NOTHING',
  );
  const signatureId = db.prepare('SELECT id FROM main.signatures WHERE key = ?').pluck();
  const addStepSignature = db.prepare(
    'INSERT INTO main.step_signatures (stepid, signature, logid, line, lines, example) VALUES (?, ?, ?, ?, ?, ?)',
  );
  for (const step of steps) {
    const found = new Map<string, FoundSignature>();
    for (const log of logsOf.all(step.id) as { id: number; type: string }[]) {
      for (const line of errorLines(printedLines(log.type, chunksOf.iterate(log.id) as Iterable<LogChunk>))) {
        const text = normalizeLine(line.text);
        const entry = found.get(text);
        if (entry) entry.lines++;
        else found.set(text, { source: 'log', text, logid: log.id, line: line.number, lines: 1, example: line.text });
      }
    }
    if (found.size === 0) {
      const own = `${step.name ?? 'step'}: ${step.state_string}`;
      found.set('', { source: 'step', text: normalizeLine(own), logid: null, line: null, lines: 1, example: own });
    }
    for (const signature of found.values()) {
      const key = signatureKey(signature.source, signature.text);
      addSignature.run(key, signature.text, signature.source);
      addStepSignature.run(step.id, signatureId.get(key), signature.logid, signature.line, signature.lines, signature.example);
    }
  }
}

/**
 * The lines a step printed, as numbered in its log: a stdio log's stdout and stderr (never
 * buildbot's header lines, which quote the command), a text log's every line. Unreadable lines
 * are left out.
 */
function* printedLines(type: string, chunks: Iterable<LogChunk>): Generator<{ number: number; text: string }> {
  for (const line of logLines(chunks)) {
    if ('missing' in line) continue;
    if (type !== 's') {
      yield line;
      continue;
    }
    const { stream, text } = splitStream(line.text);
    if (stream !== 'h') yield { number: line.number, text };
  }
}

/**
 * For every build that hit a changed signature, what its page says as of that build: how many
 * builds hit it before (started earlier, ties by id), on how many builders, since when; and for
 * the signature, its builds, builders, first and last build.
 */
function countHits(db: Database.Database): void {
  db.exec(`
    CREATE TEMP TABLE hits AS
      SELECT bs.signature, b.id, b.builderid, b.started_at,
             row_number() OVER (PARTITION BY bs.signature, b.builderid ORDER BY b.started_at, b.id) = 1 AS first_on_builder
      FROM main.build_signatures bs JOIN main.builds b ON b.id = bs.buildid
      WHERE bs.signature IN (SELECT id FROM temp.changed_signatures);
    CREATE TEMP TABLE facts AS
      SELECT signature, id AS buildid,
             count(*) OVER hit - 1 AS earlier,
             sum(first_on_builder) OVER hit - first_on_builder AS earlier_builders,
             min(started_at) OVER hit AS since,
             row_number() OVER hit AS position,
             count(*) OVER (PARTITION BY signature) AS builds,
             sum(first_on_builder) OVER (PARTITION BY signature) AS builders
      FROM temp.hits WINDOW hit AS (PARTITION BY signature ORDER BY started_at, id ROWS UNBOUNDED PRECEDING);
    CREATE INDEX temp.facts_position ON facts (signature, position);
    UPDATE main.build_signatures SET earlier = f.earlier, earlier_builders = f.earlier_builders, since = f.since
      FROM temp.facts f WHERE f.signature = build_signatures.signature AND f.buildid = build_signatures.buildid;
    UPDATE main.signatures SET builds = 0, builders = 0, first_build = NULL, last_build = NULL
      WHERE id IN (SELECT id FROM temp.changed_signatures);
    UPDATE main.signatures SET builds = f.builds, builders = f.builders,
        first_build = (SELECT first.buildid FROM temp.facts first WHERE first.signature = f.signature AND first.position = 1),
        last_build = (SELECT last.buildid FROM temp.facts last WHERE last.signature = f.signature AND last.position = f.builds)
      FROM temp.facts f WHERE f.signature = signatures.id AND f.position = 1;
    DROP TABLE temp.hits;
    DROP TABLE temp.facts;
  `);
}
