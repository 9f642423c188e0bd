import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, STATUSDB_FIXTURE, archiveFiles, buildInto, fixtureArchive, querySnapshot, readPage, text } from '../helpers/archive.ts';

/** The result words of domain.md §1, by code. */
const RESULT_WORDS: Record<number, string> = {
  0: 'success',
  1: 'warnings',
  2: 'failure',
  3: 'skipped',
  4: 'exception',
  5: 'retry',
  6: 'cancelled',
};

interface BuildRow {
  id: number;
  number: number;
  builder: string;
  result: number | null;
}
interface StepRow {
  buildid: number;
  number: number;
  name: string;
  result: number | null;
}
interface PropertyRow {
  buildid: number;
  name: string;
  value: string;
}

/** The same facts read with the test's own SQL, schema by schema: not through copra's adapters. */
function expectedRows(db: Database.Database, statusdb: boolean) {
  const builds = db
    .prepare(
      statusdb
        ? 'SELECT b.id, b.buildnumber AS number, bl.name AS builder, b.result FROM builds b JOIN builders bl ON bl.id = b.builder_id ORDER BY b.id'
        : 'SELECT b.id, b.number, bl.name AS builder, b.results AS result FROM builds b JOIN builders bl ON bl.id = b.builderid ORDER BY b.id',
    )
    .all() as BuildRow[];
  const steps = db
    .prepare(
      statusdb
        ? 'SELECT build_id AS buildid, "order" AS number, name, status AS result FROM steps ORDER BY build_id, "order", id'
        : 'SELECT buildid, number, name, results AS result FROM steps ORDER BY buildid, number',
    )
    .all() as StepRow[];
  const properties = db
    .prepare(
      statusdb
        ? 'SELECT bp.build_id AS buildid, p.name, p.value FROM build_properties bp JOIN properties p ON p.id = bp.property_id'
        : 'SELECT buildid, name, value FROM build_properties',
    )
    .all() as PropertyRow[];
  const stamps = db.prepare('SELECT id FROM sourcestamps ORDER BY id').pluck().all() as number[];
  const buildsPerStamp = new Map(
    (
      db
        .prepare(
          statusdb
            ? 'SELECT source_id AS stamp, count(*) AS n FROM builds GROUP BY source_id'
            : `SELECT bss.sourcestampid AS stamp, count(*) AS n FROM builds b
               JOIN buildrequests br ON br.id = b.buildrequestid
               JOIN buildset_sourcestamps bss ON bss.buildsetid = br.buildsetid GROUP BY bss.sourcestampid`,
        )
        .all() as { stamp: number; n: number }[]
    ).map((row) => [row.stamp, row.n]),
  );
  return { builds, steps, properties, stamps, buildsPerStamp };
}

function groupByBuild<T extends { buildid: number }>(rows: T[]): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const row of rows) groups.set(row.buildid, [...(groups.get(row.buildid) ?? []), row]);
  return groups;
}

/** How a property's JSON reads on the page: strings bare, structures indented. */
function shownValue(json: string): string {
  const value = JSON.parse(json) as unknown;
  return typeof value === 'string' ? value : typeof value === 'object' && value !== null ? JSON.stringify(value, null, 2) : String(value);
}

const fold = (value: string) => value.replace(/\s+/g, ' ').trim();

/** What a page links to: hrefs, a script's src, a form's action. */
const LINK = /<(?:a|link|script|form)\b[^>]*?\s(?:href|src|action)="([^"]*)"/g;

/** The ids of a page's elements, which `#` anchors name. */
const elementIds = (html: string) => new Set(Array.from(html.matchAll(/\sid="([^"]*)"/g), (match) => match[1]!));

describe.each(FIXTURES)('the archive of the $name fixture', ({ file, archive }) => {
  let out = '';
  beforeAll(async () => {
    out = await fixtureArchive(archive);
  });
  let expected: ReturnType<typeof expectedRows>;

  beforeAll(() => {
    const db = querySnapshot(file);
    expected = expectedRows(db, file.includes('statusdb'));
    db.close();
  });

  it('has a page for every build showing builder, number, result, each step with its result and each property', () => {
    const steps = groupByBuild(expected.steps);
    const properties = groupByBuild(expected.properties);
    expect(expected.builds.length).toBeGreaterThan(1000);
    for (const build of expected.builds) {
      const page = readPage(out, `build/${build.id}/`);
      const heading = text(page.querySelector('h1'));
      expect(heading).toContain(build.builder);
      expect(heading).toContain(`#${build.number}`);
      expect(text(page.querySelector('h1 .result'))).toBe(RESULT_WORDS[build.result!]);

      const stepRows = page.querySelectorAll('table.steps tr.step');
      const buildSteps = steps.get(build.id) ?? [];
      expect(stepRows.map((row) => text(row.querySelector('td'))), `steps of build ${build.id}`).toEqual(
        buildSteps.map((step) => String(step.number)),
      );
      buildSteps.forEach((step, index) => {
        const cells = stepRows[index]!.querySelectorAll('td');
        expect(text(cells[1])).toContain(step.name);
        expect(text(cells[2])).toBe(RESULT_WORDS[step.result!]);
      });

      const shown = page
        .querySelectorAll('table.properties tbody tr')
        .map((row) => row.querySelectorAll('td').map((cell) => fold(cell.textContent)))
        .map(([name, value]) => `${name}=${value}`)
        .sort();
      const stored = (properties.get(build.id) ?? []).map((p) => `${p.name}=${fold(shownValue(p.value))}`).sort();
      expect(shown, `properties of build ${build.id}`).toEqual(stored);
    }
  });

  it("lists each builder's, worker's and master's builds newest first across its pages, numbered from the oldest", () => {
    const statusdb = file.includes('statusdb');
    const columns = statusdb
      ? { builder: 'builder_id', worker: 'slave_id', master: 'master_id' }
      : { builder: 'builderid', worker: 'workerid', master: 'masterid' };
    const tables = statusdb
      ? { builder: 'builders', worker: 'slaves', master: 'masters' }
      : { builder: 'builders', worker: 'workers', master: 'masters' };
    const db = querySnapshot(file);
    for (const kind of ['builder', 'worker', 'master'] as const) {
      const ids = db.prepare(`SELECT id FROM ${tables[kind]} ORDER BY id`).pluck().all() as number[];
      expect(ids.length, kind).toBeGreaterThan(0);
      for (const id of ids) {
        const stored = db
          .prepare(`SELECT id FROM builds WHERE ${columns[kind]} = ? ORDER BY id DESC`)
          .pluck()
          .all(id) as number[];
        // From the newest page (the entity's own address), older pages one by one.
        const shown: number[][] = [];
        let url: string | null = `${kind}/${id}/index.html`;
        while (url) {
          const page = readPage(out, url);
          const links = page.querySelectorAll('table.builds tbody tr td:first-child a');
          shown.push(links.map((link) => Number(/build\/(\d+)\//.exec(link.getAttribute('href')!)![1])));
          const older = page.querySelector('a[rel=next]')?.getAttribute('href');
          url = older ? normalize(join(dirname(url), older)) : null;
        }
        expect(shown.flat(), `${kind} ${id}`).toEqual(stored);
        // Numbered from the oldest: every page but the newest holds 100, the newest the rest.
        expect(shown.length, `${kind} ${id}`).toBe(Math.max(1, Math.floor(stored.length / 100)));
        expect(shown.slice(1).every((page) => page.length === 100), `${kind} ${id}`).toBe(true);
      }
    }
    db.close();
  });

  it('lists every sourcestamp exactly once, newest first, across the pages of the unfiltered listing', () => {
    const seen: number[] = [];
    let url: string | null = 'sources/index.html';
    while (url) {
      const page = readPage(out, url);
      seen.push(...page.querySelectorAll('td.source > a').map((a) => Number(text(a).replace('#', ''))));
      const older = page.querySelector('a[rel=next]')?.getAttribute('href');
      url = older ? normalize(join(dirname(url), older)) : null;
    }
    expect(seen).toEqual([...expected.stamps].sort((a, b) => b - a).filter((id) => seen.includes(id)));
    expect([...seen].sort((a, b) => a - b)).toEqual(expected.stamps);
  });

  it('bounds the builds of a listing row and links the rest to the sourcestamp page', () => {
    let checked = 0;
    for (const [stamp, total] of expected.buildsPerStamp) {
      const page = readPage(out, `source/${stamp}/`);
      expect(text(page.querySelector('dl.facts')), `stamp ${stamp}`).toContain(`Builds${total.toLocaleString('en-US')}`);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
    const rows = readPage(out, 'sources/').querySelectorAll('tr.stamp');
    for (const row of rows) {
      const stamp = Number(text(row.querySelector('td.source > a')).replace('#', ''));
      const total = expected.buildsPerStamp.get(stamp) ?? 0;
      const shown = row.querySelectorAll('a.build').length;
      const more = text(row.querySelector('a.more'));
      expect(shown + (more ? Number(more.replace(/\D/g, '')) : 0), `stamp ${stamp}`).toBe(total);
    }
  });

  it('shows every time in a <time> element whose datetime is the moment shown', () => {
    // Log pages show the log's own text, whatever times it holds.
    const pages = archiveFiles(out).filter((path) => path.endsWith('.html') && !path.includes('/log/'));
    const shownTime = /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/g;
    let times = 0;
    const wrong: string[] = [];
    for (const page of pages) {
      const html = readFileSync(join(out, page), 'utf8');
      const timeElement = /<time datetime="([^"]*)"(?: title="([^"]*)")?>([^<]*)<\/time>/g;
      for (const [element, datetime, title, text] of html.matchAll(timeElement)) {
        times++;
        // Shown as `2026-11-25 10:03:04 UTC`, for machines `2026-11-25T10:03:04Z`; a step's start
        // shows as its offset from the build's start (`+0:12`), the moment on hover.
        if (title !== undefined && !/^\+\d+:\d\d(:\d\d)?$/.test(text!)) wrong.push(`${page}: ${element}`);
        if ((title ?? text)!.replace(/^(\S+) (\S+) UTC$/, '$1T$2Z') !== datetime) wrong.push(`${page}: ${element}`);
      }
      const outside = html.replace(timeElement, '').match(shownTime) ?? [];
      wrong.push(...outside.map((time) => `${page}: ${time} outside a <time datetime>`));
    }
    expect(times).toBeGreaterThan(pages.length);
    expect(wrong).toEqual([]);
  });

  it('resolves every internal link and #anchor, and reaches every page from the home page', () => {
    const pages = new Set(archiveFiles(out).filter((path) => path.endsWith('.html')));
    const reached = new Set<string>(['index.html']);
    const queue = ['index.html'];
    const broken: string[] = [];
    // Anchors into other pages (a failure summary's lines), checked once the crawl is done:
    // page → anchor → a page that links to it.
    const anchorsInto = new Map<string, Map<string, string>>();
    while (queue.length > 0) {
      const from = queue.pop()!;
      // Attributes read straight from the markup: a DOM of 23,000 pages, most of them long logs,
      // would take minutes and tell nothing more about links.
      const html = readFileSync(join(out, from), 'utf8');
      const ids = elementIds(html);
      for (const [, link] of html.matchAll(LINK)) {
        if (/^[a-z]+:/i.test(link!)) continue;
        const [path, anchor] = link!.split('#') as [string, string?];
        if (path === '') {
          if (anchor && !ids.has(anchor)) broken.push(`${from} links to ${link}: no such id`);
          continue;
        }
        const target = normalize(join(dirname(from), path));
        if (!existsSync(join(out, target))) broken.push(`${from} links to ${link}: no such file`);
        else if (anchor) anchorsInto.set(target, (anchorsInto.get(target) ?? new Map()).set(anchor, from));
        if (pages.has(target) && !reached.has(target)) {
          reached.add(target);
          queue.push(target);
        }
      }
    }
    for (const [page, anchors] of anchorsInto) {
      const ids = elementIds(readFileSync(join(out, page), 'utf8'));
      for (const [anchor, from] of anchors) if (!ids.has(anchor)) broken.push(`${from} links to ${page}#${anchor}: no such id`);
    }
    expect(broken).toEqual([]);
    // 404.html is what hosts serve for an address no link leads to.
    expect([...pages].filter((page) => !reached.has(page))).toEqual(['404.html']);
  });
});

describe('building the same snapshot twice', () => {
  it('gives byte-identical archives, whatever the windows and the number of render processes', async () => {
    const hashes = (out: string) =>
      Object.fromEntries(
        archiveFiles(out).map((path) => [path, createHash('sha256').update(readFileSync(join(out, path))).digest('hex')]),
      );
    // The statusdb recording: the buildbot one would cost CI a minute more and test the same.
    const first = hashes(await fixtureArchive('statusdb'));
    const { out } = await buildInto(STATUSDB_FIXTURE, { jobs: 3, buildsPerWindow: 300 });
    expect(Object.keys(first).length).toBeGreaterThan(5000);
    expect(hashes(out)).toEqual(first);
  });
});
