/**
 * The synthetic snapshot generator (src/generate/): deterministic, the fixtures' exact schemas,
 * Mozilla's 2010 proportions, and every special kind of row present even at 2,000 builds.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOZILLA_2010, perBuild } from '../../src/generate/proportions.ts';
import { makeSnapshot } from '../../src/generate/snapshot.ts';
import { BRANCHES } from '../../src/generate/vocabulary.ts';
import { repairMojibake } from '../../src/snapshot/mojibake.ts';

const REPO = join(import.meta.dirname, '..', '..');
const BUILDS = 2000;
const dir = mkdtempSync(join(tmpdir(), 'copra-generate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function generate(schema: 'statusdb' | 'buildbot', seed: string, name = `${schema}-${seed}.sqlite`): string {
  const out = join(dir, name);
  makeSnapshot({ schema, builds: BUILDS, seed, out });
  return out;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The schema as sqlite_master holds it. The buildbot fixture is WAL-mode: read through a copy. */
function schemaOf(file: string): string[] {
  const copy = join(dir, `schema-${Math.random().toString(36).slice(2)}.sqlite`);
  copyFileSync(file, copy);
  const db = new Database(copy, { readonly: true });
  const rows = db
    .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
    .all() as { type: string; name: string; tbl_name: string; sql: string | null }[];
  db.close();
  return rows.map((row) => `${row.type} ${row.name} ${row.tbl_name}: ${row.sql}`);
}

describe('the generator', () => {
  it('writes byte-identical files for the same arguments, and different ones for another seed', () => {
    for (const schema of ['statusdb', 'buildbot'] as const) {
      const first = sha256(generate(schema, 'same', `${schema}-a.sqlite`));
      const second = sha256(generate(schema, 'same', `${schema}-b.sqlite`));
      const other = sha256(generate(schema, 'other', `${schema}-c.sqlite`));
      expect(second, schema).toBe(first);
      expect(other, schema).not.toBe(first);
    }
  });

  it('uses exactly the schemas of the two fixtures', () => {
    expect(schemaOf(generate('statusdb', 'schema'))).toEqual(schemaOf(join(REPO, 'test', 'fixtures', 'statusdb-gecko-mini.sqlite')));
    expect(schemaOf(generate('buildbot', 'schema'))).toEqual(schemaOf(join(REPO, 'data', 'buildbot-3.7-gecko-mini.sqlite')));
  });
});

describe('a 2,000-build statusdb snapshot', () => {
  let db: Database.Database;
  const one = <T>(sql: string) => db.prepare(sql).pluck().get() as T;
  const count = (sql: string) => one<number>(sql);

  beforeAll(() => {
    db = new Database(generate('statusdb', 'kinds'), { readonly: true });
  });
  afterAll(() => db.close());

  it("has Mozilla's proportions", () => {
    const builds = count('SELECT count(*) FROM builds');
    expect(builds).toBe(BUILDS);
    expect(Math.abs(count('SELECT count(*) FROM steps') / builds - perBuild('steps'))).toBeLessThan(3);
    const buildsPerStamp = MOZILLA_2010.builds / MOZILLA_2010.sourcestamps;
    expect(Math.abs(builds / count('SELECT count(*) FROM sourcestamps') - buildsPerStamp)).toBeLessThan(0.25);
    expect(Math.abs(count('SELECT count(*) FROM changes') / builds - perBuild('changes'))).toBeLessThan(0.05);
    const stampsPerChange = MOZILLA_2010.sourceChanges / MOZILLA_2010.changes;
    const sourceChangesPerChange = count('SELECT count(*) FROM source_changes') / count('SELECT count(*) FROM changes');
    expect(Math.abs(sourceChangesPerChange - stampsPerChange)).toBeLessThan(0.8);
  });

  it('shares property rows between builds', () => {
    const builds = count('SELECT count(*) FROM builds');
    const properties = count('SELECT count(*) FROM properties');
    // A 12-builder farm inflates it (1.38 here; 1.02 at 300k builds): each of its builders runs
    // hundreds of builds, and every build number used is a row of its own.
    expect(Math.abs(properties / builds - perBuild('properties'))).toBeLessThan(0.4);
    expect(count('SELECT count(*) FROM build_properties')).toBeGreaterThan(5 * properties);
    expect(count('SELECT max(n) FROM (SELECT count(*) AS n FROM build_properties GROUP BY property_id)')).toBeGreaterThan(100);
    expect(count('SELECT count(*) FROM build_properties bp LEFT JOIN properties p ON p.id = bp.property_id WHERE p.id IS NULL')).toBe(0);
  });

  it('scales the farm with the builds, keeping a floor for small snapshots', () => {
    expect(count('SELECT count(*) FROM builders')).toBe(12);
    expect(count('SELECT count(*) FROM slaves')).toBe(6);
    expect(count('SELECT count(*) FROM masters')).toBe(2);
  });

  it('has nightlies: builds on a sourcestamp without changes or revision', () => {
    expect(
      count(`SELECT count(*) FROM sourcestamps s WHERE s.revision IS NULL AND s.branch IS NOT NULL
             AND EXISTS (SELECT 1 FROM builds b WHERE b.source_id = s.id)
             AND NOT EXISTS (SELECT 1 FROM source_changes sc WHERE sc.source_id = s.id)`),
    ).toBeGreaterThan(0);
    expect(count('SELECT count(*) FROM sourcestamps WHERE branch IS NULL')).toBeGreaterThan(0);
  });

  it('has sendchange changes whose files are URLs', () => {
    expect(
      count(`SELECT count(*) FROM changes c JOIN file_changes fc ON fc.change_id = c.id JOIN files f ON f.id = fc.file_id
             WHERE c.who IN ('sendchange', 'sendchange-unittest') AND f.path LIKE 'http://%'`),
    ).toBeGreaterThan(0);
  });

  it('has running, lost, retry and zero-length builds and every result code, unknown ones too', () => {
    expect(count('SELECT count(*) FROM builds WHERE result IS NULL AND endtime IS NULL AND lost = 0')).toBeGreaterThan(0);
    expect(count('SELECT count(*) FROM builds WHERE lost = 1 AND result IS NULL')).toBeGreaterThan(0);
    expect(count('SELECT count(*) FROM builds WHERE starttime = endtime')).toBeGreaterThan(0);
    const results = db.prepare('SELECT DISTINCT result FROM builds WHERE result IS NOT NULL ORDER BY 1').pluck().all();
    expect(results).toEqual(expect.arrayContaining([0, 1, 2, 3, 4, 5, 6, 7, 8]));
    // A running build's last step has started and not finished.
    expect(
      count(`SELECT count(*) FROM steps s JOIN builds b ON b.id = s.build_id
             WHERE b.result IS NULL AND b.lost = 0 AND s.endtime IS NULL AND s.status IS NULL AND s.starttime IS NOT NULL`),
    ).toBeGreaterThan(0);
  });

  it('has long multi-line commit messages with HTML and quotes, and non-ASCII text as statusdb stored it', () => {
    expect(
      count(`SELECT count(*) FROM changes WHERE length(comments) > 300 AND comments LIKE '%' || char(10) || '%'
             AND comments LIKE '%<b>%' AND comments LIKE '%"%'`),
    ).toBeGreaterThan(0);
    const authors = db.prepare('SELECT DISTINCT who FROM changes').pluck().all() as string[];
    // UTF-8 read as latin1: copra's repair gives back the name.
    expect(authors.some((who) => repairMojibake(who) !== who && /[^\x00-\x7f]/.test(repairMojibake(who)))).toBe(true);
    expect(count("SELECT count(*) FROM files WHERE path LIKE '%\\346\\227\\245%'")).toBeGreaterThan(0);
  });

  it('uses branch names as builder categories, and sets `platform` on most builds', () => {
    const categories = db.prepare('SELECT DISTINCT category FROM builders').pluck().all() as string[];
    expect(categories.every((category) => (BRANCHES as readonly string[]).includes(category))).toBe(true);
    expect(count("SELECT count(*) FROM builders WHERE instr(name, ' ' || category || ' ') = 0")).toBe(0);
    const withPlatform = count(
      "SELECT count(DISTINCT bp.build_id) FROM build_properties bp JOIN properties p ON p.id = bp.property_id WHERE p.name = 'platform'",
    );
    expect(withPlatform / BUILDS).toBeGreaterThan(0.7);
    expect(withPlatform).toBeLessThan(BUILDS);
  });

  it('stores datetimes as statusdb text and step descriptions as JSON lists', () => {
    const datetime = '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]';
    expect(count(`SELECT count(*) FROM builds WHERE starttime NOT GLOB '${datetime}'`)).toBe(0);
    const descriptions = db.prepare('SELECT description FROM steps LIMIT 50').pluck().all() as string[];
    for (const description of descriptions) expect(Array.isArray(JSON.parse(description))).toBe(true);
  });
});

describe('a 2,000-build buildbot snapshot', () => {
  let db: Database.Database;
  const count = (sql: string) => db.prepare(sql).pluck().get() as number;

  beforeAll(() => {
    db = new Database(generate('buildbot', 'kinds'), { readonly: true });
  });
  afterAll(() => db.close());

  it('is buildbot 3.7 (alembic 059) with tags, and every build reachable from a buildset', () => {
    expect(db.prepare('SELECT version_num FROM alembic_version').pluck().all()).toEqual(['059']);
    const centralTags = "SELECT count(*) FROM builders_tags bt JOIN tags t ON t.id = bt.tagid WHERE t.name = 'mozilla-central'";
    expect(count(centralTags)).toBeGreaterThan(0);
    expect(
      count(`SELECT count(*) FROM builds b JOIN buildrequests br ON br.id = b.buildrequestid
             JOIN buildset_sourcestamps bss ON bss.buildsetid = br.buildsetid JOIN sourcestamps s ON s.id = bss.sourcestampid`),
    ).toBe(BUILDS);
    expect(count('SELECT count(*) FROM builds WHERE complete_at IS NULL AND results IS NULL')).toBeGreaterThan(0);
    expect(count("SELECT count(*) FROM build_properties WHERE json_valid(value) = 0")).toBe(0);
  });

  it('has logs of every type: stdio with o/e/h stream letters, text and HTML, in raw and zlib chunks', () => {
    const types = db.prepare('SELECT DISTINCT type FROM logs ORDER BY 1').pluck().all();
    expect(types).toEqual(['h', 's', 't']);
    const codes = db.prepare('SELECT DISTINCT compressed FROM logchunks ORDER BY 1').pluck().all();
    expect(codes).toEqual([0, 1]);
    const chunks = db
      .prepare(
        `SELECT c.content, c.compressed, c.first_line, c.last_line FROM logchunks c JOIN logs l ON l.id = c.logid
         WHERE l.type = 's' LIMIT 200`,
      )
      .all() as { content: Buffer; compressed: number; first_line: number; last_line: number }[];
    const letters = new Set<string>();
    for (const chunk of chunks) {
      const text = (chunk.compressed === 1 ? inflateSync(chunk.content) : chunk.content).toString('utf8');
      const lines = text.split('\n');
      expect(lines.length).toBe(chunk.last_line - chunk.first_line + 1);
      lines.forEach((line) => letters.add(line[0] ?? ''));
    }
    expect([...letters].sort()).toEqual(['e', 'h', 'o']);
    // Logs are modest: tens of lines, on some steps only.
    expect(count('SELECT avg(num_lines) FROM logs')).toBeLessThan(100);
    expect(count("SELECT count(*) FROM logs WHERE type = 's'")).toBeLessThan(count('SELECT count(*) FROM steps') / 2);
  });
});
