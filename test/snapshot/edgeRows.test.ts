/**
 * Rows the recorded fixtures lack — running, lost and unfinished builds, NULL and unknown results,
 * zero-length builds, orphans, zero dates, hostile property values — added to copies of both
 * fixtures and rendered through a full archive build. Each expectation is derived from the values
 * inserted here, never copied from the fixture by hand.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { HTMLElement } from 'node-html-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkHtml } from '../../scripts/vnu.ts';
import {
  BUILDBOT_FIXTURE,
  STATUSDB_FIXTURE,
  buildInto,
  fixtureCopy,
  readPage,
  scratchDir,
  text,
} from '../helpers/archive.ts';

/**
 * A full archive build (log pages included) takes minutes on a loaded two-core machine: more than
 * the default hook timeout leaves when other test files build at the same time.
 */
const BUILD_TIMEOUT = 600_000;

// ---------------------------------------------------------------------------------------------
// Reading a build page

/** How a unix time is shown: UTC, with the zone. */
function utc(seconds: number): string {
  const iso = new Date(seconds * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** The `<dd>` of a build page's facts list whose `<dt>` reads `term`. */
function fact(page: HTMLElement, term: string): HTMLElement {
  const dt = page.querySelectorAll('dl.facts dt').find((element) => text(element) === term);
  const dd = dt?.nextElementSibling;
  if (!dd || dd.tagName !== 'DD') throw new Error(`the build page has no "${term}" fact`);
  return dd;
}

interface StepRowView {
  number: string;
  name: string;
  result: string;
  started: string;
  duration: string;
  barStyle: string;
}

function stepRows(page: HTMLElement): StepRowView[] {
  return page.querySelectorAll('table.steps tbody tr.step').map((row) => {
    const cells = row.querySelectorAll('td');
    const cell = (index: number) => text(cells[index]);
    return {
      number: cell(0),
      // The step's own name, before its log links and URLs.
      name: (cells[1]?.childNodes[0]?.text ?? '').trim(),
      result: cell(2),
      // Shown as the offset from the build's start (`+0:30`), the moment itself on hover.
      started: cells[4]?.querySelector('time')?.getAttribute('title') ?? cell(4),
      duration: cell(5),
      barStyle: cells[6]?.querySelector('.bar')?.getAttribute('style') ?? '',
    };
  });
}

function stepRow(page: HTMLElement, number: number): StepRowView {
  const row = stepRows(page).find((step) => step.number === String(number));
  if (!row) throw new Error(`the build page has no step ${number}`);
  return row;
}

/** The bar's offset and width, which must both be finite percentages. */
function barGeometry(style: string): { offset: number; width: number } {
  const match = /^margin-left: (\S+)%; width: (\S+)%$/.exec(style);
  if (!match) throw new Error(`unexpected step bar style: ${style}`);
  return { offset: Number(match[1]), width: Number(match[2]) };
}

/** The `<pre>` value of the property row named `name`, as the browser shows it (entities decoded). */
function propertyValue(page: HTMLElement, name: string): string {
  const row = page
    .querySelectorAll('table.properties tbody tr')
    .find((tr) => text(tr.querySelector('.property-name')) === name);
  const pre = row?.querySelector('pre.value');
  if (!pre) throw new Error(`the build page has no property ${name}`);
  return pre.textContent;
}

/** The markup of every link and every unlinked "missing" span whose text is exactly `label`. */
function elementsLabelled(page: HTMLElement, label: string): { links: string[]; missing: string[] } {
  const markup = (selector: string) =>
    page
      .querySelectorAll(selector)
      .filter((element) => text(element) === label)
      .map((element) => element.toString());
  return { links: markup('a'), missing: markup('span.missing') };
}

// ---------------------------------------------------------------------------------------------
// buildbot

type Db = Database.Database;

const nextId = (db: Db, table: string, column = 'id') =>
  db.prepare(`SELECT coalesce(max(${column}), 0) + 1 FROM ${table}`).pluck().get() as number;

interface BuildbotBuildSpec {
  label: string;
  builderId: number;
  number: number;
  workerId: number;
  masterId: number;
  stampId: number;
  startedAt: number;
  completeAt: number | null;
  results: number | null;
  stateString: string;
}

/** A build with the buildset, sourcestamp link and build request buildbot joins it through. */
function addBuildbotBuild(db: Db, spec: BuildbotBuildSpec): number {
  const finished = spec.completeAt === null ? 0 : 1;
  const buildsetId = nextId(db, 'buildsets');
  db.prepare(
    `INSERT INTO buildsets (id, reason, submitted_at, complete, complete_at, results)
     VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(buildsetId, `edge row: ${spec.label}`, spec.startedAt - 5, finished, spec.completeAt, spec.results);
  db.prepare('INSERT INTO buildset_sourcestamps (id, buildsetid, sourcestampid) VALUES (?, ?, ?)').run(
    nextId(db, 'buildset_sourcestamps'),
    buildsetId,
    spec.stampId,
  );
  const requestId = nextId(db, 'buildrequests');
  db.prepare(
    `INSERT INTO buildrequests (id, buildsetid, builderid, priority, complete, results, submitted_at, complete_at)
     VALUES (?, ?, ?, 0, ?, ?, ?, ?)`,
  ).run(requestId, buildsetId, spec.builderId, finished, spec.results, spec.startedAt - 5, spec.completeAt);
  const id = nextId(db, 'builds');
  db.prepare(
    `INSERT INTO builds (id, number, builderid, buildrequestid, workerid, masterid, started_at, complete_at, state_string, results)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    id,
    spec.number,
    spec.builderId,
    requestId,
    spec.workerId,
    spec.masterId,
    spec.startedAt,
    spec.completeAt,
    spec.stateString,
    spec.results,
  );
  return id;
}

function addBuildbotStep(
  db: Db,
  buildId: number,
  step: { number: number; name: string; startedAt: number | null; completeAt: number | null; results: number | null; urls?: unknown[] },
): void {
  db.prepare(
    `INSERT INTO steps (id, number, name, buildid, started_at, complete_at, state_string, results, urls_json, hidden)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
  ).run(nextId(db, 'steps'), step.number, step.name, buildId, step.startedAt, step.completeAt, step.name, step.results, JSON.stringify(step.urls ?? []));
}

const PROPERTY_OBJECT = { compiler: { name: 'gcc', version: [4, 5] }, debug: false, jobs: 8 };
const PROPERTY_ARRAY = ['linux64', { slice: 2, of: 5 }, null];
const PROPERTY_HTML = '<script>alert(1)</script>';
/** Step URLs as urls_json holds them: only the web link may become a link. */
const STEP_URLS = [
  { name: 'script', url: 'javascript:alert(3)' },
  { name: 'spaced script', url: ' JavaScript:alert(4)' },
  { name: 'data', url: 'data:text/html,<script>alert(5)</script>' },
  { name: 'upload', url: 'https://ci.example.org/upload/1' },
];

interface BuildbotEdges {
  out: string;
  warnings: string[];
  builder: { id: number; name: string };
  worker: { id: number; name: string };
  stamp: { id: number };
  running: { id: number; number: number; startedAt: number };
  noResult: { id: number; startedAt: number; completeAt: number };
  unknown: { id: number; number: number };
  zeroLength: { id: number; startedAt: number };
  orphan: { id: number; builderId: number; number: number };
}

describe('buildbot build pages for rows the recording lacks', () => {
  let edges: BuildbotEdges;

  const dir = scratchDir('copra-edge-buildbot-');

  beforeAll(async () => {
    const copy = fixtureCopy(BUILDBOT_FIXTURE, dir);
    const db = new Database(copy);
    // The orphan build points at a builder that does not exist: that is the point.
    db.pragma('foreign_keys = OFF');
    const builder = db
      .prepare('SELECT id, name FROM builders WHERE id IN (SELECT builderid FROM builds) ORDER BY id LIMIT 1')
      .get() as { id: number; name: string };
    const worker = db.prepare('SELECT id, name FROM workers ORDER BY id LIMIT 1').get() as { id: number; name: string };
    const masterId = db.prepare('SELECT min(id) FROM masters').pluck().get() as number;
    const stampId = db
      .prepare('SELECT min(id) FROM sourcestamps WHERE revision IS NOT NULL')
      .pluck()
      .get() as number;
    const lastNumber = db.prepare('SELECT max(number) FROM builds WHERE builderid = ?').pluck().get(builder.id) as number;
    const t0 = (db.prepare('SELECT max(coalesce(complete_at, started_at)) FROM builds').pluck().get() as number) + 3600;
    const orphanBuilderId = (db.prepare('SELECT max(id) FROM builders').pluck().get() as number) + 100;
    const common = { builderId: builder.id, workerId: worker.id, masterId, stampId };

    const running = { number: lastNumber + 1, startedAt: t0 };
    const runningId = addBuildbotBuild(db, {
      ...common,
      label: 'running',
      number: running.number,
      startedAt: t0,
      completeAt: null,
      results: null,
      stateString: 'building',
    });
    addBuildbotStep(db, runningId, { number: 0, name: 'checkout', startedAt: t0, completeAt: t0 + 30, results: 0 });
    addBuildbotStep(db, runningId, { number: 1, name: 'compile', startedAt: t0 + 30, completeAt: null, results: null });
    addBuildbotStep(db, runningId, { number: 2, name: 'test', startedAt: null, completeAt: null, results: null });
    const addProperty = db.prepare('INSERT INTO build_properties (buildid, name, value, source) VALUES (?, ?, ?, ?)');
    addProperty.run(runningId, 'edge_object', JSON.stringify(PROPERTY_OBJECT), 'edge test');
    addProperty.run(runningId, 'edge_array', JSON.stringify(PROPERTY_ARRAY), 'edge test');
    addProperty.run(runningId, 'edge_html', JSON.stringify(PROPERTY_HTML), 'edge test');

    const noResult = { startedAt: t0 + 100, completeAt: t0 + 160 };
    const noResultId = addBuildbotBuild(db, {
      ...common,
      label: 'finished without a result',
      number: lastNumber + 2,
      ...noResult,
      results: null,
      stateString: 'finished',
    });

    const unknownNumber = lastNumber + 3;
    const unknownId = addBuildbotBuild(db, {
      ...common,
      label: 'unknown result',
      number: unknownNumber,
      startedAt: t0 + 200,
      completeAt: t0 + 260,
      results: 9,
      stateString: 'finished',
    });
    addBuildbotStep(db, unknownId, { number: 0, name: 'checkout', startedAt: t0 + 200, completeAt: t0 + 230, results: 0 });
    addBuildbotStep(db, unknownId, {
      number: 1,
      name: 'upload',
      startedAt: t0 + 230,
      completeAt: t0 + 230,
      results: 3,
      urls: STEP_URLS,
    });

    const zeroStart = t0 + 300;
    const zeroId = addBuildbotBuild(db, {
      ...common,
      label: 'zero length',
      number: lastNumber + 4,
      startedAt: zeroStart,
      completeAt: zeroStart,
      results: 0,
      stateString: 'build successful',
    });
    addBuildbotStep(db, zeroId, { number: 0, name: 'noop', startedAt: zeroStart, completeAt: zeroStart, results: 0 });
    addBuildbotStep(db, zeroId, { number: 1, name: 'noop-again', startedAt: zeroStart, completeAt: zeroStart, results: 0 });

    const orphanId = addBuildbotBuild(db, {
      ...common,
      builderId: orphanBuilderId,
      label: 'orphan builder',
      number: 1,
      startedAt: t0 + 400,
      completeAt: t0 + 460,
      results: 0,
      stateString: 'build successful',
    });
    db.close();

    const { out, report } = await buildInto(copy, { logs: 'none' });
    edges = {
      out,
      warnings: report.warnings.map((warning) => `${warning.problem}: ${warning.detail}`),
      builder,
      worker,
      stamp: { id: stampId },
      running: { id: runningId, ...running },
      noResult: { id: noResultId, ...noResult },
      unknown: { id: unknownId, number: unknownNumber },
      zeroLength: { id: zeroId, startedAt: zeroStart },
      orphan: { id: orphanId, builderId: orphanBuilderId, number: 1 },
    };
  }, BUILD_TIMEOUT);

  const page = (id: number) => readPage(edges.out, `build/${id}/`);

  describe('a running build (no end, no result)', () => {
    it('is headed and described by its builder, linked, and its number', () => {
      const build = page(edges.running.id);
      expect(text(build.querySelector('h1'))).toBe(`${edges.builder.name} #${edges.running.number} running`);
      const builderLink = fact(build, 'Builder').querySelector('a');
      expect(text(builderLink)).toBe(edges.builder.name);
      expect(builderLink?.getAttribute('href')).toBe(`../../builder/${edges.builder.id}/index.html`);
      expect(text(fact(build, 'Number'))).toBe(String(edges.running.number));
      expect(text(fact(build, 'Worker'))).toBe(edges.worker.name);
    });

    it('says "running" for its result and its finish, and "did not finish" for its duration', () => {
      const build = page(edges.running.id);
      expect(text(fact(build, 'Result'))).toBe('running');
      expect(text(fact(build, 'Started'))).toBe(utc(edges.running.startedAt));
      expect(text(fact(build, 'Finished'))).toBe('running');
      expect(text(fact(build, 'Duration'))).toBe('did not finish');
    });

    it('shows its finished, unfinished and not-started steps each with its own result and duration', () => {
      const steps = stepRows(page(edges.running.id));
      expect(steps.map(({ name, result, started, duration }) => ({ name, result, started, duration }))).toEqual([
        { name: 'checkout', result: 'success', started: utc(edges.running.startedAt), duration: '30s' },
        { name: 'compile', result: 'running', started: utc(edges.running.startedAt + 30), duration: 'did not finish' },
        { name: 'test', result: 'not started', started: '', duration: 'not started' },
      ]);
    });

    it('draws step bars with finite geometry', () => {
      const build = page(edges.running.id);
      expect(build.toString()).not.toMatch(/NaN|Infinity/);
      const bars = stepRows(build).map((step) => barGeometry(step.barStyle));
      expect(bars).toHaveLength(3);
      for (const bar of bars) {
        expect(Number.isFinite(bar.offset) && Number.isFinite(bar.width)).toBe(true);
        expect(bar.offset + bar.width).toBeLessThanOrEqual(100);
      }
      // The finished step spans the whole time line known so far: the unfinished one has just begun.
      expect(bars[0]).toEqual({ offset: 0, width: 100 });
    });

    it('links the sourcestamp its buildset names', () => {
      const link = readPage(edges.out, `build/${edges.running.id}/`).querySelector('section.sourcestamp h3 a');
      expect(text(link)).toBe(`sourcestamp ${edges.stamp.id}`);
      expect(link?.getAttribute('href')).toBe(`../../source/${edges.stamp.id}/index.html`);
    });
  });

  describe('build properties', () => {
    it('shows an object value as indented JSON', () => {
      expect(propertyValue(page(edges.running.id), 'edge_object')).toBe(JSON.stringify(PROPERTY_OBJECT, null, 2));
    });

    it('shows an array value as indented JSON', () => {
      expect(propertyValue(page(edges.running.id), 'edge_array')).toBe(JSON.stringify(PROPERTY_ARRAY, null, 2));
    });

    it('shows a string holding HTML as text: escaped in the markup, never a script element', () => {
      const build = page(edges.running.id);
      expect(propertyValue(build, 'edge_html')).toBe(PROPERTY_HTML);
      // copra's own scripts only: as many as on the page of a build without that property.
      expect(build.querySelectorAll('script')).toHaveLength(page(edges.orphan.id).querySelectorAll('script').length);
      expect(build.toString()).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    });
  });

  it('labels a finished build with a NULL result "no result", with its end time and duration', () => {
    const build = page(edges.noResult.id);
    expect(text(fact(build, 'Result'))).toBe('no result');
    expect(text(fact(build, 'Finished'))).toBe(utc(edges.noResult.completeAt));
    expect(text(fact(build, 'Duration'))).toBe('1m 00s');
  });

  it('labels result code 9 "unknown (9)" in the heading and the facts', () => {
    const build = page(edges.unknown.id);
    expect(text(build.querySelector('h1'))).toBe(`${edges.builder.name} #${edges.unknown.number} unknown (9)`);
    expect(text(fact(build, 'Result'))).toBe('unknown (9)');
  });

  it('links only the http(s) URLs a step published, and shows the others as text', () => {
    const build = page(edges.unknown.id);
    const links = build.querySelectorAll('a.step-url').map((a) => ({ name: text(a), href: a.getAttribute('href') }));
    expect(links).toEqual([{ name: 'upload', href: 'https://ci.example.org/upload/1' }]);
    expect(build.querySelectorAll('span.step-url').map(text)).toEqual(['script', 'spaced script', 'data']);
    expect(build.querySelectorAll('a').some((a) => /^\s*(javascript|data):/i.test(a.getAttribute('href') ?? ''))).toBe(false);
  });

  it('labels a step with result 3 "skipped"', () => {
    expect(stepRow(page(edges.unknown.id), 1)).toMatchObject({ name: 'upload', result: 'skipped', duration: '0s' });
  });

  it('gives a zero-length build a duration of "0s" and step bars without NaN or Infinity', () => {
    const build = page(edges.zeroLength.id);
    expect(text(fact(build, 'Started'))).toBe(utc(edges.zeroLength.startedAt));
    expect(text(fact(build, 'Finished'))).toBe(utc(edges.zeroLength.startedAt));
    expect(text(fact(build, 'Duration'))).toBe('0s');
    expect(build.toString()).not.toMatch(/NaN|Infinity/);
    const bars = stepRows(build).map((step) => barGeometry(step.barStyle));
    expect(bars).toEqual([
      { offset: 0, width: 0 },
      { offset: 0, width: 0 },
    ]);
  });

  describe('a build whose builder row is missing (orphan)', () => {
    const missing = () => `builder ${edges.orphan.builderId} (missing)`;

    it('still gets its page, titled by the missing builder and its number', () => {
      const build = page(edges.orphan.id);
      expect(text(build.querySelector('title'))).toBe(`${missing()} #${edges.orphan.number} · ${text(build.querySelector('header a.home'))}`);
      expect(text(fact(build, 'Number'))).toBe(String(edges.orphan.number));
      expect(text(fact(build, 'Result'))).toBe('success');
    });

    it('shows the builder as unlinked "missing" text in the facts', () => {
      const builder = fact(page(edges.orphan.id), 'Builder');
      expect(text(builder)).toBe(missing());
      expect(builder.querySelector('span.missing')).not.toBeNull();
      expect(builder.querySelector('a')).toBeNull();
    });

    it('shows the builder as unlinked text in the heading too: no link anywhere on the page', () => {
      const build = page(edges.orphan.id);
      expect(text(build.querySelector('h1'))).toBe(`${missing()} #${edges.orphan.number} success`);
      expect(elementsLabelled(build, missing()).links).toEqual([]);
    });

    it('has no tags', () => {
      expect(text(fact(page(edges.orphan.id), 'Tags'))).toBe('none');
    });

    it('is named in the build report\'s warnings', () => {
      const pattern = new RegExp(`\\bbuilder ${edges.orphan.builderId}\\b`);
      expect(edges.warnings.filter((warning) => pattern.test(warning))).toHaveLength(1);
    });

    it('appears, unlinked by builder, among its sourcestamp\'s builds', () => {
      const source = readPage(edges.out, `source/${edges.stamp.id}/`);
      expect(text(source)).toContain(`${missing()} #${edges.orphan.number}`);
      expect(elementsLabelled(source, missing()).links).toEqual([]);
    });
  });

  it('reports no other orphan than the builder it was given', () => {
    expect(edges.warnings.filter((warning) => warning.startsWith('orphan:'))).toHaveLength(1);
  });

  it('gives each of these builds a valid HTML page', async () => {
    const ids = [edges.running, edges.noResult, edges.unknown, edges.zeroLength, edges.orphan].map((build) => build.id);
    expect(await checkHtml(ids.map((id) => join(edges.out, `build/${id}/index.html`)))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// statusdb

interface StatusdbBuildSpec {
  builderId: number;
  number: number;
  slaveId: number;
  masterId: number;
  sourceId: number;
  starttime: string | null;
  endtime: string | null;
  result: number | null;
  lost: 0 | 1;
  reason: string;
}

function addStatusdbBuild(db: Db, spec: StatusdbBuildSpec): number {
  const id = nextId(db, 'builds');
  db.prepare(
    `INSERT INTO builds (id, buildnumber, builder_id, slave_id, master_id, starttime, endtime, result, reason, source_id, lost)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    id,
    spec.number,
    spec.builderId,
    spec.slaveId,
    spec.masterId,
    spec.starttime,
    spec.endtime,
    spec.result,
    spec.reason,
    spec.sourceId,
    spec.lost,
  );
  return id;
}

function addStatusdbStep(
  db: Db,
  buildId: number,
  step: { order: number; name: string; starttime: string | null; endtime: string | null; status: number | null },
): void {
  db.prepare(
    `INSERT INTO steps (id, name, description, build_id, "order", starttime, endtime, status)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(nextId(db, 'steps'), step.name, JSON.stringify([step.name]), buildId, step.order, step.starttime, step.endtime, step.status);
}

/** statusdb text time → what the page shows. */
const shown = (datetime: string) => `${datetime} UTC`;

interface StatusdbEdges {
  out: string;
  warnings: string[];
  builder: { id: number; name: string; category: string };
  lost: { id: number; number: number; starttime: string };
  running: { id: number; number: number; starttime: string };
  orphanStamp: { id: number; sourceId: number };
  zeroDate: { id: number; endtime: string };
  firstRealStart: string;
}

describe('statusdb build pages for rows the recording lacks', () => {
  let edges: StatusdbEdges;

  const dir = scratchDir('copra-edge-statusdb-');

  beforeAll(async () => {
    const copy = fixtureCopy(STATUSDB_FIXTURE, dir);
    const db = new Database(copy);
    const builder = db
      .prepare(
        `SELECT id, name, category FROM builders
         WHERE category IS NOT NULL AND id IN (SELECT builder_id FROM builds) ORDER BY id LIMIT 1`,
      )
      .get() as { id: number; name: string; category: string };
    const slaveId = db.prepare('SELECT min(id) FROM slaves').pluck().get() as number;
    const masterId = db.prepare('SELECT min(id) FROM masters').pluck().get() as number;
    const stampId = db.prepare('SELECT min(id) FROM sourcestamps WHERE revision IS NOT NULL').pluck().get() as number;
    const lastNumber = db.prepare('SELECT max(buildnumber) FROM builds WHERE builder_id = ?').pluck().get(builder.id) as number;
    const firstRealStart = db.prepare('SELECT min(starttime) FROM builds').pluck().get() as string;
    const lastStart = db.prepare('SELECT max(starttime) FROM builds').pluck().get() as string;
    // Every inserted time is a day after the recording ends.
    const day = new Date(`${lastStart.replace(' ', 'T')}Z`).getTime() + 86_400_000;
    const at = (minutes: number) => new Date(day + minutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');
    const common = { builderId: builder.id, slaveId, masterId, sourceId: stampId, reason: 'edge row' };

    const lost = { number: lastNumber + 1, starttime: at(0) };
    const lostId = addStatusdbBuild(db, { ...common, ...lost, endtime: null, result: null, lost: 1 });
    addStatusdbStep(db, lostId, { order: 0, name: 'checkout', starttime: at(0), endtime: at(1), status: 0 });

    const running = { number: lastNumber + 2, starttime: at(10) };
    const runningId = addStatusdbBuild(db, { ...common, ...running, endtime: null, result: null, lost: 0 });
    addStatusdbStep(db, runningId, { order: 0, name: 'checkout', starttime: at(10), endtime: at(11), status: 0 });
    addStatusdbStep(db, runningId, { order: 1, name: 'compile', starttime: at(11), endtime: null, status: null });

    const orphanSourceId = (db.prepare('SELECT max(id) FROM sourcestamps').pluck().get() as number) + 100;
    const orphanId = addStatusdbBuild(db, {
      ...common,
      number: lastNumber + 3,
      sourceId: orphanSourceId,
      starttime: at(20),
      endtime: at(25),
      result: 0,
      lost: 0,
    });

    const zeroEnd = at(35);
    const zeroId = addStatusdbBuild(db, {
      ...common,
      number: lastNumber + 4,
      starttime: '0000-00-00 00:00:00',
      endtime: zeroEnd,
      result: 0,
      lost: 0,
    });
    db.close();

    const { out, report } = await buildInto(copy, { logs: 'none' });
    edges = {
      out,
      warnings: report.warnings.map((warning) => `${warning.problem}: ${warning.detail}`),
      builder,
      lost: { id: lostId, ...lost },
      running: { id: runningId, ...running },
      orphanStamp: { id: orphanId, sourceId: orphanSourceId },
      zeroDate: { id: zeroId, endtime: zeroEnd },
      firstRealStart,
    };
  }, BUILD_TIMEOUT);

  const page = (id: number) => readPage(edges.out, `build/${id}/`);

  describe('a lost build (lost = 1, no result, no end)', () => {
    it('is headed by its builder, linked, and its number', () => {
      const build = page(edges.lost.id);
      expect(text(build.querySelector('h1'))).toBe(`${edges.builder.name} #${edges.lost.number} lost`);
      expect(fact(build, 'Builder').querySelector('a')?.getAttribute('href')).toBe(
        `../../builder/${edges.builder.id}/index.html`,
      );
      expect(text(fact(build, 'Category'))).toBe(edges.builder.category);
    });

    it('says "lost" for its result, that it did not finish, and that the master restarted under it', () => {
      const build = page(edges.lost.id);
      expect(text(fact(build, 'Result'))).toBe('lost');
      expect(text(fact(build, 'Started'))).toBe(shown(edges.lost.starttime));
      expect(text(fact(build, 'Finished'))).toBe('did not finish (lost)');
      expect(text(fact(build, 'Duration'))).toBe('did not finish');
      expect(text(fact(build, 'Lost'))).toMatch(/^yes\b/);
    });
  });

  describe('a running build (no result, no end, not lost)', () => {
    it('says "running" for its result and its finish, and "did not finish" for its duration', () => {
      const build = page(edges.running.id);
      expect(text(build.querySelector('h1'))).toBe(`${edges.builder.name} #${edges.running.number} running`);
      expect(text(fact(build, 'Result'))).toBe('running');
      expect(text(fact(build, 'Started'))).toBe(shown(edges.running.starttime));
      expect(text(fact(build, 'Finished'))).toBe('running');
      expect(text(fact(build, 'Duration'))).toBe('did not finish');
      expect(text(fact(build, 'Lost'))).toBe('no');
    });

    it('shows its finished step and its unfinished one', () => {
      const steps = stepRows(page(edges.running.id));
      expect(steps.map(({ name, result, duration }) => ({ name, result, duration }))).toEqual([
        { name: 'checkout', result: 'success', duration: '1m 00s' },
        { name: 'compile', result: 'running', duration: 'did not finish' },
      ]);
      expect(page(edges.running.id).toString()).not.toMatch(/NaN|Infinity/);
    });
  });

  describe('a build whose sourcestamp row is missing (orphan)', () => {
    it('still gets its page', () => {
      const build = page(edges.orphanStamp.id);
      expect(text(fact(build, 'Result'))).toBe('success');
      expect(text(build.querySelector('h1'))).toContain(edges.builder.name);
    });

    it('shows the stamp as unlinked text', () => {
      const label = `sourcestamp ${edges.orphanStamp.sourceId}`;
      const labelled = elementsLabelled(page(edges.orphanStamp.id), label);
      expect(labelled.links).toEqual([]);
      expect(labelled.missing).toHaveLength(1);
    });

    it('is named in the build report\'s warnings, the only orphan there', () => {
      const orphans = edges.warnings.filter((warning) => warning.startsWith('orphan:'));
      expect(orphans).toHaveLength(1);
      expect(orphans[0]).toMatch(new RegExp(`\\bsourcestamp ${edges.orphanStamp.sourceId}\\b`));
    });
  });

  describe('a build started at MySQL\'s zero date', () => {
    it('renders with its end time, and shows no invented start date', () => {
      const build = page(edges.zeroDate.id);
      expect(text(fact(build, 'Result'))).toBe('success');
      expect(text(fact(build, 'Finished'))).toBe(shown(edges.zeroDate.endtime));
      expect(text(fact(build, 'Started'))).not.toMatch(/\d/);
      expect(text(fact(build, 'Duration'))).not.toMatch(/NaN|-/);
      expect(build.toString()).not.toMatch(/NaN|Infinity|0000-00-00|1970-01-01|-0001/);
    });

    it('does not hide the home page\'s first start date', () => {
      const schemaLine = text(readPage(edges.out, '').querySelector('p.schema'));
      expect(schemaLine).toContain(`builds started from ${shown(edges.firstRealStart)}`);
    });
  });

  it('gives each of these builds a valid HTML page', async () => {
    const ids = [edges.lost, edges.running, edges.orphanStamp, edges.zeroDate].map((build) => build.id);
    expect(await checkHtml(ids.map((id) => join(edges.out, `build/${id}/index.html`)))).toEqual([]);
  });
});
