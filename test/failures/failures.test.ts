/**
 * Failures across the whole archive, against the test's own SQL and decoding of each fixture's
 * logs: every failed build links each of its signatures, each signature's pages list exactly the
 * builds that hit it, first and last seen, what a build's page says of each failure as of that
 * build, every failed build's regression range, and the builders failing now.
 */
import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import type { HTMLElement } from 'node-html-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { type LogChunk, logLines } from '../../src/snapshot/logchunks.ts';
import { errorLines, normalizeLine } from '../../templates/assets/signature.js';
import { FIXTURES, fixtureArchive, querySnapshot, readPage, text } from '../helpers/archive.ts';

/** A failed build, as the test reads it from the snapshot. */
interface Build {
  id: number;
  builder: number;
  number: number;
  result: number | null;
  /** Comparable start: unix seconds (buildbot) or `YYYY-MM-DD HH:MM:SS` (statusdb). */
  start: number | string | null;
}

/** A signature's address, as the issue defines it: a short hash of where it comes from and its text. */
const keyOf = (source: 'log' | 'step', text: string) => createHash('sha256').update(`${source}\0${text}`).digest('hex').slice(0, 16);

/** The schema's names for what the tests ask, so one query reads both fixtures. */
const columns = (statusdb: boolean) =>
  statusdb
    ? { builder: 'builder_id', number: 'buildnumber', result: 'result', start: 'starttime', stepResult: 'status', stepBuild: 'build_id' }
    : { builder: 'builderid', number: 'number', result: 'results', start: 'started_at', stepResult: 'results', stepBuild: 'buildid' };

/** The signatures of each build's failed steps: error lines of its stdio and text logs, else the step's own name and text. */
function expectedSignatures(db: Database.Database, statusdb: boolean): Map<number, Map<string, string>> {
  const steps = db
    .prepare(
      statusdb
        ? `SELECT id, build_id AS build, name, description AS text FROM steps WHERE status IN (1, 2, 4) ORDER BY id`
        : `SELECT id, buildid AS build, name, state_string AS text FROM steps WHERE results IN (1, 2, 4) ORDER BY id`,
    )
    .all() as { id: number; build: number; name: string; text: string }[];
  const logs = statusdb ? null : db.prepare("SELECT id, type FROM logs WHERE stepid = ? AND type IN ('s', 't') ORDER BY id");
  const chunks = statusdb ? null : db.prepare('SELECT first_line, last_line, content, compressed FROM logchunks WHERE logid = ? ORDER BY first_line');
  const byBuild = new Map<number, Map<string, string>>();
  for (const step of steps) {
    const found = new Map<string, string>();
    for (const log of (logs?.all(step.id) ?? []) as { id: number; type: string }[]) {
      const printed: { number: number; text: string }[] = [];
      for (const line of logLines(chunks!.iterate(log.id) as Iterable<LogChunk>)) {
        if ('missing' in line) continue;
        if (log.type !== 's') printed.push(line);
        else if (line.text[0] !== 'h') printed.push({ number: line.number, text: line.text.slice(1) });
      }
      for (const line of errorLines(printed)) {
        const signature = normalizeLine(line.text);
        found.set(keyOf('log', signature), signature);
      }
    }
    if (found.size === 0) {
      const words = statusdb ? (JSON.parse(step.text) as string[]).join(' ') : step.text;
      const signature = normalizeLine(`${step.name}: ${words}`);
      found.set(keyOf('step', signature), signature);
    }
    const own = byBuild.get(step.build) ?? byBuild.set(step.build, new Map()).get(step.build)!;
    for (const [key, signature] of found) own.set(key, signature);
  }
  return byBuild;
}

/** The id in a link such as `../build/12/index.html`. */
const linkedId = (href: string | undefined, kind: string) => Number(new RegExp(`${kind}/(\\d+)/`).exec(href ?? '')?.[1]);
const linkedKey = (href: string | undefined) => /failure\/([0-9a-f]+)\//.exec(href ?? '')?.[1];

/** A time as pages show it. */
const shown = (start: number | string | null) =>
  start === null ? '' : typeof start === 'string' ? `${start} UTC` : `${new Date(start * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

describe.each(FIXTURES)('failures across the $name fixture archive', ({ file, archive }) => {
  const statusdb = file.includes('statusdb');
  const c = columns(statusdb);
  let out = '';
  let db: Database.Database;
  let signatures: Map<number, Map<string, string>>;
  let builds: Map<number, Build>;
  /** For each signature, the builds that hit it, by start (ties by id). */
  let hits: Map<string, Build[]>;
  const page = (url: string) => readPage(out, url);

  beforeAll(async () => {
    out = await fixtureArchive(archive);
    db = querySnapshot(file);
    signatures = expectedSignatures(db, statusdb);
    builds = new Map(
      (db.prepare(`SELECT id, ${c.builder} AS builder, ${c.number} AS number, ${c.result} AS result, ${c.start} AS start FROM builds`).all() as Build[]).map((build) => [
        build.id,
        build,
      ]),
    );
    const byStart = (a: Build, b: Build) => (a.start! < b.start! ? -1 : a.start! > b.start! ? 1 : a.id - b.id);
    hits = new Map();
    for (const [build, keys] of signatures) for (const key of keys.keys()) (hits.get(key) ?? hits.set(key, []).get(key)!).push(builds.get(build)!);
    for (const list of hits.values()) list.sort(byStart);
    return () => db.close();
  });

  it('finds failures in both kinds of sources: error lines of logs (buildbot) and failed steps (statusdb)', () => {
    expect(hits.size).toBeGreaterThan(5);
    expect(statusdb || [...hits.keys()].some((key) => signatures.get(hits.get(key)![0]!.id)!.get(key)!.startsWith('TEST-UNEXPECTED-FAIL'))).toBe(true);
  });

  it('links, on every failed build, each of its signatures, with what the archive knew of it as of that build', () => {
    const failed = [...builds.values()].filter((build) => build.result !== null && [1, 2, 4].includes(build.result));
    expect(failed.length).toBeGreaterThan(100);
    for (const build of failed) {
      const section = page(`build/${build.id}/`).querySelector('section#failures');
      const lines = section?.querySelectorAll('li.failure-line') ?? [];
      const linked = lines.map((line) => linkedKey(line.querySelector('p.facts a')?.getAttribute('href')));
      expect(new Set(linked), `build ${build.id}`).toEqual(new Set(signatures.get(build.id)?.keys() ?? []));
      expect(linked.length, `build ${build.id}: one line per signature`).toBe(new Set(linked).size);
      for (const line of lines) {
        const key = linkedKey(line.querySelector('p.facts a')?.getAttribute('href'))!;
        const all = hits.get(key)!;
        const earlier = all.slice(0, all.findIndex((hit) => hit.id === build.id));
        const facts = text(line.querySelector('p.facts'));
        if (earlier.length === 0) expect(facts, `build ${build.id}`).toContain('new: first seen here');
        else {
          const builders = new Set(earlier.map((hit) => hit.builder)).size;
          expect(facts, `build ${build.id}`).toContain(
            `seen in ${earlier.length} earlier build${earlier.length === 1 ? '' : 's'} on ${builders} builder${builders === 1 ? '' : 's'} since ${shown(earlier[0]!.start)}`,
          );
        }
      }
    }
  });

  it("lists on each signature's pages exactly the builds that hit it, and when it was first and last seen", () => {
    for (const [key, list] of hits) {
      const linked: number[] = [];
      let url: string | null = `failure/${key}/`;
      const newest = page(url);
      while (url) {
        const current: HTMLElement = url === `failure/${key}/` ? newest : page(url);
        linked.push(...current.querySelectorAll('table.builds tbody td:first-child a').map((link) => linkedId(link.getAttribute('href'), 'build')));
        const older = current.querySelector('nav.pager a[rel=next]')?.getAttribute('href');
        url = older ? new URL(older, `http://archive/${url}`).pathname.slice(1).replace(/index\.html$/, '') : null;
      }
      expect(linked.sort((a, b) => a - b), key).toEqual(list.map((build) => build.id).sort((a, b) => a - b));
      const facts = newest.querySelectorAll('section.failure-facts dl.facts dd');
      expect(linkedId(facts[0]?.querySelector('a')?.getAttribute('href'), 'build'), `${key}: first seen`).toBe(list[0]!.id);
      expect(linkedId(facts[1]?.querySelector('a')?.getAttribute('href'), 'build'), `${key}: last seen`).toBe(list.at(-1)!.id);
      // A signature's pages link no build that did not hit it.
      const builds = new Set(list.map((build) => build.id));
      const stray = newest.querySelectorAll('main a').map((link) => linkedId(link.getAttribute('href'), 'build')).filter((id) => !Number.isNaN(id) && !builds.has(id));
      expect(stray, key).toEqual([]);
    }
    // failures/ lists every signature once.
    const listed = page('failures/').querySelectorAll('table.failures tbody a').map((link) => linkedKey(link.getAttribute('href')));
    expect(new Set(listed)).toEqual(new Set(hits.keys()));
    expect(listed.length).toBe(hits.size);
  });

  it("gives every failed build its regression range: the last good build, failing since, and the changes in between", () => {
    const order = db.prepare(`SELECT id FROM builds WHERE ${c.builder} = ? ORDER BY ${c.number}, id`).pluck();
    const changesOf = db.prepare(
      statusdb
        ? `SELECT DISTINCT c.id, c."when" AS "when" FROM source_changes sc JOIN changes c ON c.id = sc.change_id JOIN builds b ON b.source_id = sc.source_id WHERE b.id = ?`
        : `SELECT DISTINCT c.changeid AS id, c.when_timestamp AS "when" FROM builds b JOIN buildrequests br ON br.id = b.buildrequestid
           JOIN buildset_sourcestamps bss ON bss.buildsetid = br.buildsetid JOIN changes c ON c.sourcestampid = bss.sourcestampid WHERE b.id = ?`,
    );
    const orders = new Map<number, number[]>();
    let checked = 0;
    for (const build of builds.values()) {
      if (build.result === null || ![1, 2, 4].includes(build.result)) continue;
      const ids = orders.get(build.builder) ?? orders.set(build.builder, order.all(build.builder) as number[]).get(build.builder)!;
      const position = ids.indexOf(build.id);
      const goodAt = ids.slice(0, position).findLastIndex((id) => builds.get(id)!.result === 0);
      const section = page(`build/${build.id}/`).querySelector('section#regression')!;
      const said = text(section);
      const range = goodAt === -1 ? [build.id] : ids.slice(goodAt + 1, position + 1);
      if (goodAt === -1) expect(said, `build ${build.id}`).toContain('No earlier build of this builder succeeded');
      else {
        expect(said, `build ${build.id}`).toContain(`Last good: #${builds.get(ids[goodAt]!)!.number}.`);
        const since = builds.get(ids[goodAt + 1]!)!;
        expect(said, `build ${build.id}`).toContain(since.id === build.id ? 'Failing since this build.' : `Failing since #${since.number}, ${shown(since.start)}.`);
      }
      const changes = new Map(range.flatMap((id) => changesOf.all(id) as { id: number; when: number | string }[]).map((change) => [change.id, change]));
      const expected = [...changes.values()].sort((a, b) => (a.when < b.when ? 1 : a.when > b.when ? -1 : b.id - a.id)).map((change) => change.id);
      const listed = section.querySelectorAll('ul.blamelist li').map((item) => linkedId(item.querySelector('a')?.getAttribute('href'), 'change'));
      expect(listed, `build ${build.id}`).toEqual(expected.slice(0, 50));
      if (expected.length > 50) expect(said).toContain(`and ${expected.length - 50} more`);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('says first on the home page which builders fail now, the worst first, since when', () => {
    const last = db.prepare(`SELECT id FROM builds WHERE ${c.builder} = ? AND ${c.result} IS NOT NULL ORDER BY ${c.start} DESC, id DESC LIMIT 1`).pluck();
    const order = db.prepare(`SELECT id FROM builds WHERE ${c.builder} = ? ORDER BY ${c.number}, id`).pluck();
    const severity: Record<number, number> = { 2: 0, 4: 1, 1: 2 };
    const failing = (db.prepare('SELECT id FROM builders ORDER BY id').pluck().all() as number[])
      .map((builder) => ({ builder, build: builds.get(last.get(builder) as number) }))
      .filter((entry): entry is { builder: number; build: Build } => entry.build !== undefined && entry.build.result! in severity)
      .map((entry) => {
        const ids = order.all(entry.builder) as number[];
        const goodAt = ids.slice(0, ids.indexOf(entry.build.id)).findLastIndex((id) => builds.get(id)!.result === 0);
        return { ...entry, since: builds.get(ids[goodAt + 1]!)! };
      })
      .sort((a, b) => severity[a.build.result!]! - severity[b.build.result!]! || (a.since.start! < b.since.start! ? -1 : a.since.start! > b.since.start! ? 1 : a.builder - b.builder));
    const home = page('');
    const first = home.querySelector('main')!.querySelectorAll('section, h2')[0];
    expect(first?.getAttribute('id')).toBe('failing-now');
    const rows = home.querySelectorAll('section#failing-now tbody tr');
    expect(rows.map((row) => linkedId(row.querySelector('td.name a')?.getAttribute('href'), 'builder'))).toEqual(failing.map((entry) => entry.builder));
    expect(rows.map((row) => linkedId(row.querySelectorAll('td')[2]?.querySelector('a')?.getAttribute('href'), 'build'))).toEqual(failing.map((entry) => entry.since.id));
  });
});
