/**
 * What a buildbot 4 master holds beside builds, checked on the archive of the buildbot 4.3
 * recording against the test's own SQL over the snapshot: projects, codebases and their commits,
 * test result sets on build pages, a page per test with its flip rate per builder, `tests/`, build
 * data, lock waits, a test found by its name in the browser's search; and, on a copy with what the
 * recording lacks, rebuilds, a paused worker, a log still being written and hostile strings.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { parse } from 'node-html-parser';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatDuration } from '../../src/model/time.ts';
import { groupBy } from '../../src/record/sql.ts';
import { buildIdAt, buildbotEarlyCut } from '../fixtures/history.ts';
import { BUILDBOT4_FIXTURE, buildInto, fixtureArchive, fixtureCopy, querySnapshot, readPage, scratchDir, text } from '../helpers/archive.ts';
import { browserPage, servedFixture } from '../helpers/browser.ts';

/** A test's address key, computed here as the README says: a hash of its name and code path. */
const keyOf = (name: string | null, codePath: string | null) => createHash('sha256').update(JSON.stringify([name, codePath])).digest('hex').slice(0, 16);

/** Text matched literally in a regular expression. */
const escaped = (words: string) => words.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The page a link leads to, as a path in the archive, from the page at `from`. */
const target = (from: string, href: string | undefined) => join(from, href ?? '').replace(/index\.html$/, '');

describe('the archive of the buildbot 4.3 recording', () => {
  let out = '';
  let db: Database.Database;
  beforeAll(async () => {
    out = await fixtureArchive('buildbot4');
    db = querySnapshot(BUILDBOT4_FIXTURE);
  }, 600_000);

  it('has a page per project: its description made inert, its codebases and its builders', () => {
    const projects = db.prepare('SELECT id, name, slug, description_html FROM projects ORDER BY id').all() as { id: number; name: string; slug: string; description_html: string | null }[];
    expect(projects.length).toBeGreaterThan(1);
    for (const project of projects) {
      const page = readPage(out, `project/${project.slug}/`);
      expect(text(page.querySelector('h1'))).toBe(`project ${project.name}`);
      if (project.description_html) expect(page.querySelector('div.description strong')).not.toBeNull();
      const builders = db.prepare('SELECT name FROM builders WHERE projectid = ? ORDER BY name').pluck().all(project.id);
      expect(page.querySelectorAll('table.board td.name > a').map((link) => text(link)).sort()).toEqual(builders);
      for (const codebase of db.prepare('SELECT name FROM codebases WHERE projectid = ?').pluck().all(project.id) as string[]) {
        expect(text(page.querySelector('main') ?? page)).toContain(codebase);
      }
    }
  });

  it('groups the builders board by project, each builder once, and names its project on its page', () => {
    const board = readPage(out, 'builders/');
    const groups = board.querySelectorAll('section.board-group').map((section) => ({
      name: text(section.querySelector('h2')),
      builders: section.querySelectorAll('td.name > a').map((link) => text(link)).sort(),
    }));
    const expected = db
      .prepare('SELECT p.name AS project, b.name FROM builders b JOIN projects p ON p.id = b.projectid ORDER BY p.name, b.name')
      .all() as { project: string; name: string }[];
    expect(groups.map((group) => group.name)).toEqual([...new Set(expected.map((row) => `project ${row.project}`))]);
    for (const group of groups) expect(group.builders).toEqual(expected.filter((row) => `project ${row.project}` === group.name).map((row) => row.name));
    for (const { id, project } of db.prepare('SELECT b.id, p.name AS project FROM builders b JOIN projects p ON p.id = b.projectid').all() as { id: number; project: string }[]) {
      const page = readPage(out, `builder/${id}/`);
      expect(page.querySelectorAll('main p a').some((link) => text(link) === project && link.getAttribute('href')?.includes('project/'))).toBe(true);
    }
  });

  it('names the codebase on change and sourcestamp pages, and links each commit’s parent and children', () => {
    for (const { changeid, codebase } of db.prepare("SELECT changeid, codebase FROM changes WHERE codebase <> ''").all() as { changeid: number; codebase: string }[]) {
      const facts = readPage(out, `change/${changeid}/`).querySelectorAll('dl.facts dt');
      expect(text(facts.find((dt) => text(dt) === 'Codebase')?.nextElementSibling)).toBe(codebase);
    }
    for (const { id, codebase } of db.prepare("SELECT id, codebase FROM sourcestamps WHERE codebase <> '' ORDER BY id").all() as { id: number; codebase: string }[]) {
      const facts = readPage(out, `source/${id}/`).querySelectorAll('dl.facts dt');
      expect(text(facts.find((dt) => text(dt) === 'Codebase')?.nextElementSibling)).toBe(codebase);
    }
    const commits = db
      .prepare(
        `SELECT c.revision, cb.name AS codebase, p.revision AS parent,
           (SELECT json_group_array(k.revision) FROM (SELECT revision FROM codebase_commits WHERE parent_commitid = c.id ORDER BY id) k) AS children
         FROM codebase_commits c JOIN codebases cb ON cb.id = c.codebaseid LEFT JOIN codebase_commits p ON p.id = c.parent_commitid`,
      )
      .all() as { revision: string; codebase: string; parent: string | null; children: string }[];
    expect(commits.length).toBeGreaterThan(100);
    for (const commit of commits) {
      const page = readPage(out, `revision/${commit.revision}/`);
      const facts = page.querySelector('dl.commit')!;
      const dd = (name: string) => facts.querySelectorAll('dt').find((dt) => text(dt) === name)?.nextElementSibling;
      expect(text(dd('Codebase'))).toBe(commit.codebase);
      expect(dd('Parent')?.querySelectorAll('a').map((link) => text(link))).toEqual(commit.parent ? [commit.parent] : []);
      expect(dd('Children')?.querySelectorAll('a').map((link) => text(link))).toEqual(JSON.parse(commit.children));
      for (const link of [...(dd('Parent')?.querySelectorAll('a') ?? []), ...(dd('Children')?.querySelectorAll('a') ?? [])]) {
        expect(readPage(out, target(`revision/${commit.revision}/`, link.getAttribute('href')))).toBeTruthy();
      }
    }
  });

  it('lists every test result set on its build page, its failed tests by name, each linked to its test', () => {
    const sets = db
      .prepare(
        `SELECT t.id, t.buildid, t.description, t.category, t.value_unit, s.number AS step FROM test_result_sets t JOIN steps s ON s.id = t.stepid
         ORDER BY t.buildid, s.number, t.id`,
      )
      .all() as { id: number; buildid: number; description: string | null; category: string; value_unit: string; step: number }[];
    const failed = db.prepare(
      `SELECT n.name, p.path FROM test_results r LEFT JOIN test_names n ON n.id = r.test_nameid LEFT JOIN test_code_paths p ON p.id = r.test_code_pathid
       WHERE r.test_result_setid = ? AND r.value = '0' ORDER BY r.id`,
    );
    const byBuild = groupBy(sets, (set) => set.buildid);
    expect(byBuild.size).toBeGreaterThan(1000);
    for (const [buildId, buildSets] of byBuild) {
      // Only the steps and what follows them up to the properties: 1,700 whole pages take long to parse.
      const html = readFileSync(join(out, `build/${buildId}/index.html`), 'utf8');
      const page = parse(html.slice(html.indexOf('<table class="steps">'), html.indexOf('<h2>Properties</h2>')));
      const shown = page.querySelectorAll('#tests section.test-set');
      expect(shown.map((section) => text(section.querySelector('h3')))).toEqual(
        buildSets.map((set) => expect.stringMatching(new RegExp(`^${escaped(set.description ?? set.category)} \\(step ${set.step} `))),
      );
      // Each step's row links its sets further down the page.
      const stepRows = page.querySelectorAll('table.steps tbody tr');
      for (const set of buildSets) {
        const row = stepRows.find((tr) => text(tr.querySelector('td')) === String(set.step));
        expect(row?.querySelectorAll('a.step-tests').map((link) => link.getAttribute('href'))).toContain(`#tests-${set.id}`);
        expect(page.querySelector(`section#tests-${set.id}`)).not.toBeNull();
      }
      for (const [index, set] of buildSets.entries()) {
        const failedTable = shown[index]!.querySelectorAll('table.test-results').find((table) => text(table.querySelector('caption')) === 'Failed tests');
        const expected = set.value_unit === 'boolean' ? (failed.all(set.id) as { name: string | null; path: string | null }[]) : [];
        const links = failedTable?.querySelectorAll('tbody tr td:first-child a') ?? [];
        expect(links.map((link) => text(link))).toEqual(expected.map((row) => row.name ?? row.path));
        expect(links.map((link) => link.getAttribute('href'))).toEqual(expected.map((row) => `../../test/${keyOf(row.name, row.path)}/index.html`));
      }
    }
  });

  it('lists every build data item with its size and source, its value a file of the archive', () => {
    const rows = db.prepare('SELECT buildid, name, value, length, source FROM build_data ORDER BY buildid, name').all() as {
      buildid: number;
      name: string;
      value: Buffer;
      length: number;
      source: string;
    }[];
    expect(rows.length).toBeGreaterThan(300);
    for (const row of rows) {
      const cells = readPage(out, `build/${row.buildid}/`)
        .querySelectorAll('table.build-data tbody tr')
        .find((tr) => text(tr.querySelector('td')) === row.name)!
        .querySelectorAll('td');
      expect(cells.slice(2).map((cell) => text(cell))).toEqual([`${row.length} bytes`, row.source]);
      expect(text(cells[1])).toBe(row.value.toString('utf8'));
      expect(readFileSync(join(out, `build/${row.buildid}/`, cells[0]!.querySelector('a')!.getAttribute('href')!)).equals(row.value)).toBe(true);
    }
  });

  it('says how long a build and its steps waited for locks', () => {
    for (const { id, locks_duration_s: seconds } of db.prepare('SELECT id, locks_duration_s FROM builds WHERE locks_duration_s > 0').all() as { id: number; locks_duration_s: number }[]) {
      const facts = readPage(out, `build/${id}/`).querySelectorAll('dl.facts dt');
      expect(text(facts.find((dt) => text(dt) === 'Waited for locks')?.nextElementSibling)).toBe(formatDuration(seconds));
    }
    const waits = db.prepare('SELECT buildid, number, locks_acquired_at - started_at AS wait FROM steps WHERE locks_acquired_at > started_at').all() as { buildid: number; number: number; wait: number }[];
    expect(waits.length).toBeGreaterThan(0);
    for (const { buildid, number, wait } of waits) {
      const row = readPage(out, `build/${buildid}/`).querySelectorAll('table.steps tbody tr').find((tr) => text(tr.querySelector('td')) === String(number))!;
      expect(text(row.querySelector('.locks'))).toBe(`(waited ${formatDuration(wait)} for locks)`);
    }
  });

  /** Each test's pass/fail runs per builder, oldest first: a build failed when any of its results for the test failed. */
  function runsByTest() {
    const rows = db
      .prepare(
        `SELECT n.name, p.path, b.builderid, b.id AS build, b.number, b.started_at, max(r.value = '0') AS failed
         FROM test_results r JOIN test_result_sets s ON s.id = r.test_result_setid AND s.value_unit = 'boolean' JOIN builds b ON b.id = s.buildid
         LEFT JOIN test_names n ON n.id = r.test_nameid LEFT JOIN test_code_paths p ON p.id = r.test_code_pathid
         GROUP BY n.name, p.path, b.id ORDER BY b.started_at, b.id`,
      )
      .all() as { name: string | null; path: string | null; builderid: number; build: number; number: number; started_at: number; failed: number }[];
    return groupBy(rows, (row) => keyOf(row.name, row.path));
  }

  /** Flips between consecutive runs ÷ (runs − 1) over the newest 50, as the pages round it. */
  function flipRate(failed: number[]): string | null {
    const recent = failed.slice(-50);
    if (recent.length < 2) return null;
    const flips = recent.slice(1).filter((value, index) => value !== recent[index]).length;
    return `${Math.round((100 * flips) / (recent.length - 1))} %`;
  }

  it('gives every test a page: exactly its results, its first and last failure, its flip rate per builder', () => {
    const tests = db
      .prepare(
        `SELECT n.name, p.path, count(*) AS results FROM test_results r LEFT JOIN test_names n ON n.id = r.test_nameid
         LEFT JOIN test_code_paths p ON p.id = r.test_code_pathid GROUP BY n.name, p.path`,
      )
      .all() as { name: string | null; path: string | null; results: number }[];
    const runs = runsByTest();
    const builderNames = new Map((db.prepare('SELECT id, name FROM builders').all() as { id: number; name: string }[]).map((row) => [row.id, row.name]));
    expect(tests.length).toBeGreaterThan(100);
    for (const test of tests) {
      const url = `test/${keyOf(test.name, test.path)}/`;
      const newest = readPage(out, url);
      expect(text(newest.querySelector('h1'))).toBe(`test ${test.name ?? test.path}`);
      // Every result once, walking from the newest page to the oldest.
      let rows = 0;
      for (let page = newest, at = url; ; ) {
        rows += page.querySelectorAll('table.builds tbody tr').length;
        const older = page.querySelector('nav.pager a[rel="next"]')?.getAttribute('href');
        if (!older) break;
        at = target(at, older);
        page = readPage(out, at);
      }
      expect(rows).toBe(test.results);

      const testRuns = runs.get(keyOf(test.name, test.path)) ?? [];
      const failures = testRuns.filter((run) => run.failed);
      const facts = newest.querySelectorAll('dl.facts dt');
      const fact = (name: string) => facts.find((dt) => text(dt) === name)?.nextElementSibling;
      const named = (run: (typeof testRuns)[number] | undefined) => (run ? `${builderNames.get(run.builderid)} #${run.number}` : undefined);
      if (testRuns.length === 0) {
        // Measurements or messages only: nothing passed or failed.
        expect(fact('Failed runs')).toBeUndefined();
        continue;
      }
      expect(text(fact('Failed runs'))).toBe(String(failures.length));
      expect(text(fact('First failure')?.querySelector('a')) || undefined).toBe(named(failures[0]));
      expect(text(fact('Last failure')?.querySelector('a')) || undefined).toBe(named(failures.at(-1)));
      const byBuilder = groupBy(testRuns, (run) => builderNames.get(run.builderid)!);
      const shown = newest.querySelectorAll('table.test-builders tbody tr').map((tr): [string, string] => [
        text(tr.querySelector('td.name > a')),
        text(tr.querySelector('td[data-label="Flip rate"]')),
      ]);
      expect(new Map(shown)).toEqual(new Map([...byBuilder].map(([builder, each]) => [builder, flipRate(each.map((run) => run.failed)) ?? '–'])));
    }
  });

  it('ranks tests/ most flaky first, then most recently failed, and names the flakiest on the home page', () => {
    const runs = runsByTest();
    const ranked = [...runs]
      .filter(([, each]) => each.some((run) => run.failed))
      .map(([key, each]) => {
        const rates = [...groupBy(each, (run) => run.builderid).values()]
          .map((builder) => builder.map((run) => run.failed).slice(-50))
          .filter((recent) => recent.length > 1)
          .map((recent) => recent.slice(1).filter((value, index) => value !== recent[index]).length / (recent.length - 1));
        return { key, flip: rates.length ? Math.max(...rates) : -1, last: Math.max(...each.filter((run) => run.failed).map((run) => run.started_at)) };
      });
    const listed: string[] = [];
    for (let page = readPage(out, 'tests/'), at = 'tests/'; ; ) {
      listed.push(...page.querySelectorAll('table.tests td.name > a').map((link) => /test\/(\w+)\//.exec(link.getAttribute('href')!)![1]!));
      const next = page.querySelector('nav.pager a[rel="next"]')?.getAttribute('href');
      if (!next) break;
      at = target(at, next);
      page = readPage(out, at);
    }
    expect(new Set(listed)).toEqual(new Set(ranked.map((test) => test.key)));
    const position = new Map(ranked.map((test) => [test.key, test]));
    for (let index = 1; index < listed.length; index++) {
      const [before, after] = [position.get(listed[index - 1]!)!, position.get(listed[index]!)!];
      expect(before.flip > after.flip || (before.flip === after.flip && before.last >= after.last)).toBe(true);
    }
    // The home page names the first five that flipped at all.
    const home = readPage(out, '').querySelectorAll('section.flaky-now ol li a').map((link) => /test\/(\w+)\//.exec(link.getAttribute('href')!)![1]);
    expect(home).toEqual(listed.filter((key) => position.get(key)!.flip > 0).slice(0, 5));
  });
});

/** What in a parsed page could run script: event handlers, `javascript:` links, script elements that are not copra's. */
function scriptSurface(page: ReturnType<typeof readPage>): string[] {
  return page.querySelectorAll('*').flatMap((element) => [
    ...Object.entries(element.attributes)
      .filter(([name, value]) => /^on/i.test(name) || (/^(href|src)$/i.test(name) && /^\s*javascript:/i.test(value)))
      .map(([name, value]) => `<${element.tagName} ${name}="${value}">`),
    ...(element.tagName === 'SCRIPT' && /alert/.test(element.textContent) ? [element.toString()] : []),
  ]);
}

/** Strings a snapshot may hold: markup, a script URL, template syntax, a path out of the archive. */
const HOSTILE = {
  test: '<img src=x onerror=alert(1)>{{ 7 * 7 }}',
  project: '<b onclick=alert(2)>gecko</b>',
  slug: '../../x',
  description: '<p>Gecko</p><script>alert(3)</script><a href="javascript:alert(4)" onclick="alert(5)">x</a><img src=x onerror=alert(6)>',
  data: '../../<i>sizes</i>',
};

describe('a buildbot 4 snapshot with a rebuild, a paused worker, a log still being written and hostile strings', () => {
  const dir = scratchDir('copra-bb4-');
  let out = '';
  let rebuilt: { original: number; rebuild: number };
  let running: { build: number; log: number; lines: number };
  let hostile: { build: number; data: number; large: { id: number; buildid: number; name: string } };
  beforeAll(async () => {
    // The recording's first builds are enough, and build in a fraction of the time.
    const whole = fixtureCopy(BUILDBOT4_FIXTURE, dir, 'whole.sqlite');
    const file = join(dir, 'snapshot.sqlite');
    buildbotEarlyCut(whole, file, buildIdAt(whole, 0.15));
    const db = new Database(file);
    // The newest build is rerun with buildbot's rebuild button: a buildset of its own names the
    // build it rebuilds, its builder's build before it.
    rebuilt = db
      .prepare('SELECT b.id AS rebuild, (SELECT max(o.id) FROM builds o WHERE o.builderid = b.builderid AND o.id < b.id) AS original FROM builds b ORDER BY b.id DESC LIMIT 1')
      .get() as typeof rebuilt;
    const request = db.prepare('SELECT buildrequestid FROM builds WHERE id = ?').pluck().get(rebuilt.rebuild) as number;
    db.exec(`
      CREATE TEMP TABLE rebuild AS SELECT * FROM buildsets WHERE id = (SELECT buildsetid FROM buildrequests WHERE id = ${request});
      UPDATE rebuild SET id = (SELECT max(id) + 1 FROM buildsets), rebuilt_buildid = ${rebuilt.original};
      INSERT INTO buildsets SELECT * FROM rebuild;
      INSERT INTO buildset_sourcestamps (buildsetid, sourcestampid)
        SELECT (SELECT id FROM rebuild), sourcestampid FROM buildset_sourcestamps WHERE buildsetid = (SELECT buildsetid FROM buildrequests WHERE id = ${request});
      UPDATE buildrequests SET buildsetid = (SELECT id FROM rebuild) WHERE id = ${request};`);
    db.prepare("UPDATE workers SET paused = 1, pause_reason = 'disk <full> & replaced' WHERE id = 1").run();
    // A live master's log: its chunks run past its line count while its step runs.
    const log = db
      .prepare(`SELECT l.id, s.buildid, l.num_lines FROM logs l JOIN steps s ON s.id = l.stepid WHERE l.type = 's' AND l.num_lines > 20 ORDER BY l.id DESC LIMIT 1`)
      .get() as { id: number; buildid: number; num_lines: number };
    db.prepare('UPDATE logs SET num_lines = num_lines - 10, complete = 0 WHERE id = ?').run(log.id);
    db.prepare("UPDATE steps SET complete_at = NULL, results = NULL, state_string = 'running' WHERE id = (SELECT stepid FROM logs WHERE id = ?)").run(log.id);
    db.prepare("UPDATE builds SET complete_at = NULL, results = NULL, state_string = 'building' WHERE id = ?").run(log.buildid);
    // Hostile strings where a test's name, a project and build data are shown and become paths.
    const failedTest = db
      .prepare("SELECT r.test_nameid AS name, s.buildid FROM test_results r JOIN test_result_sets s ON s.id = r.test_result_setid WHERE r.value = '0' AND s.value_unit = 'boolean' AND r.test_nameid IS NOT NULL LIMIT 1")
      .get() as { name: number; buildid: number };
    db.prepare('UPDATE test_names SET name = ? WHERE id = ?').run(HOSTILE.test, failedTest.name);
    db.prepare('UPDATE projects SET name = ?, slug = ?, description_html = ? WHERE id = 1').run(HOSTILE.project, HOSTILE.slug, HOSTILE.description);
    const data = db.prepare('SELECT id, buildid FROM build_data ORDER BY id LIMIT 1').get() as { id: number; buildid: number };
    db.prepare('UPDATE build_data SET name = ? WHERE id = ?').run(HOSTILE.data, data.id);
    // A value over 1 MB: the page says its size, the archive keeps no file of it.
    const large = db.prepare('SELECT id, buildid, name FROM build_data ORDER BY id DESC LIMIT 1').get() as { id: number; buildid: number; name: string };
    db.prepare('UPDATE build_data SET value = zeroblob(1048577), length = 1048577 WHERE id = ?').run(large.id);
    hostile = { build: failedTest.buildid, data: data.buildid, large };
    db.close();
    running = { build: log.buildid, log: log.id, lines: log.num_lines };
    ({ out } = await buildInto(file, { search: false }));
  }, 600_000);

  it('links a rebuild and the build it rebuilt', () => {
    const fact = (id: number, name: string) =>
      readPage(out, `build/${id}/`)
        .querySelectorAll('dl.facts dt')
        .find((dt) => text(dt) === name)
        ?.nextElementSibling?.querySelector('a')
        ?.getAttribute('href');
    expect(fact(rebuilt.rebuild, 'Rebuild of')).toBe(`../../build/${rebuilt.original}/index.html`);
    expect(fact(rebuilt.original, 'Rebuilt as')).toBe(`../../build/${rebuilt.rebuild}/index.html`);
  });

  it('says why a worker is paused, as text', () => {
    expect(text(readPage(out, 'worker/1/').querySelector('p.paused'))).toBe('Paused when the latest snapshot was taken: disk <full> & replaced');
  });

  it('shows every line of a log still being written, and says so rather than calling it broken', () => {
    const page = readPage(out, `build/${running.build}/log/${running.log}/`);
    expect(page.querySelectorAll('pre.log > span')).toHaveLength(running.lines);
    expect(text(page.querySelector('p.running-note'))).toContain('still running');
    expect(page.querySelector('.bad-data')).toBeNull();
  });

  it('shows every hostile string as typed, runs none of it, and writes no file outside the archive', () => {
    const build = readPage(out, `build/${hostile.build}/`);
    const failed = build.querySelectorAll('#tests table.test-results tbody td:first-child a').find((link) => text(link) === HOSTILE.test);
    expect(failed).toBeDefined();
    const testPage = readPage(out, target(`build/${hostile.build}/`, failed!.getAttribute('href')));
    expect(text(testPage.querySelector('h1'))).toBe(`test ${HOSTILE.test}`);
    const board = readPage(out, 'builders/');
    const projectLink = board.querySelectorAll('section.board-group h2 a').find((link) => text(link) === HOSTILE.project)!;
    const project = readPage(out, target('builders/', projectLink.getAttribute('href')));
    expect(text(project.querySelector('h1'))).toBe(`project ${HOSTILE.project}`);
    expect(text(project.querySelector('div.description'))).toContain('Gecko');
    const dataLink = readPage(out, `build/${hostile.data}/`).querySelectorAll('table.build-data td a').find((link) => text(link) === HOSTILE.data)!;
    const dataFile = join(out, `build/${hostile.data}/`, dataLink.getAttribute('href')!);
    expect(dataFile.startsWith(join(out, `build/${hostile.data}/data/`))).toBe(true);
    expect(readFileSync(dataFile).length).toBeGreaterThan(0);
    for (const page of [build, testPage, board, project, readPage(out, 'tests/'), readPage(out, `build/${hostile.data}/`)]) expect(scriptSurface(page)).toEqual([]);
  });

  it('says the size of build data over 1 MB, and keeps no file of it', () => {
    const { buildid, name } = hostile.large;
    const row = readPage(out, `build/${buildid}/`).querySelectorAll('table.build-data tbody tr').find((tr) => text(tr.querySelector('td')) === name)!;
    expect(row.querySelectorAll('td').map((cell) => text(cell))).toEqual([name, 'not kept: larger than 1 MB', '1.0 MB', expect.any(String)]);
    expect(row.querySelector('a')).toBeNull();
    expect(existsSync(join(out, `build/${buildid}/data`))).toBe(false);
  });
});

describe('searching the buildbot 4.3 archive in a browser', () => {
  const served = servedFixture('buildbot4');
  const browserTab = browserPage();

  it('finds a test by its pasted name, and clicks through to its page', async () => {
    const db = querySnapshot(BUILDBOT4_FIXTURE);
    const test = db
      .prepare("SELECT n.name, p.path FROM test_results r JOIN test_names n ON n.id = r.test_nameid LEFT JOIN test_code_paths p ON p.id = r.test_code_pathid WHERE r.value = '0' LIMIT 1")
      .get() as { name: string; path: string | null };
    db.close();
    const page = browserTab();
    await page.goto(`${served().base}search/index.html?q=${encodeURIComponent(test.name)}&scope=names`);
    await page.waitForSelector('#search-results li', { timeout: 20_000 });
    const first = page.locator('#search-results li a').first();
    expect(await first.textContent()).toBe(test.name);
    await first.click();
    await page.waitForURL((url) => url.pathname.endsWith(`/test/${keyOf(test.name, test.path)}/index.html`));
    expect(await page.locator('h1').textContent()).toBe(`test ${test.name}`);
  });
});

