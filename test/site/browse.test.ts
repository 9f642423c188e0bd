/**
 * The ways people browse CI history, checked against the test's own SQL over each fixture: the
 * builder board, the workers page, changes, revisions, feeds and badges.
 */
import type Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { groupBy } from '../../src/record/sql.ts';
import { serveDirectory } from '../../src/serve.ts';
import { pathSegment } from '../../src/urls.ts';
import { FIXTURES, fixtureArchive, querySnapshot, readPage, text } from '../helpers/archive.ts';
import { browserPage } from '../helpers/browser.ts';

const RESULT_WORDS: Record<number, string> = { 0: 'success', 1: 'warnings', 2: 'failure', 3: 'skipped', 4: 'exception', 5: 'retry', 6: 'cancelled' };

/** The schema's names for what the tests ask, so one query reads both fixtures. */
function columns(statusdb: boolean) {
  return statusdb
    ? { builds: 'builds', builder: 'builder_id', worker: 'slave_id', result: 'result', start: 'starttime', number: 'buildnumber', workers: 'slaves' }
    : { builds: 'builds', builder: 'builderid', worker: 'workerid', result: 'results', start: 'started_at', number: 'number', workers: 'workers' };
}

/** SQL naming, per schema, the sourcestamps of a change (`?`) and the builds of a sourcestamp (`?`). */
function stampSql(statusdb: boolean) {
  return statusdb
    ? {
        stampsOfChange: 'SELECT source_id FROM source_changes WHERE change_id = ? ORDER BY source_id',
        buildsOfStamp: 'SELECT id FROM builds WHERE source_id = ?',
        changes: 'SELECT id, revision FROM changes ORDER BY id',
        stampRevisions: 'SELECT id, revision FROM sourcestamps ORDER BY id',
      }
    : {
        stampsOfChange: 'SELECT sourcestampid FROM changes WHERE changeid = ? ORDER BY sourcestampid',
        buildsOfStamp: `SELECT b.id FROM builds b JOIN buildrequests br ON br.id = b.buildrequestid
                        JOIN buildset_sourcestamps bss ON bss.buildsetid = br.buildsetid WHERE bss.sourcestampid = ?`,
        changes: 'SELECT changeid AS id, revision FROM changes ORDER BY changeid',
        stampRevisions: 'SELECT id, revision FROM sourcestamps ORDER BY id',
      };
}

/** The builds each sourcestamp section of a change or revision page links, by stamp id. */
function stampSections(page: ReturnType<typeof readPage>) {
  return new Map(
    page.querySelectorAll('section.stamp-builds').map((section) => [
      linkedId(section.querySelector('h3 a')?.getAttribute('href'), 'source'),
      {
        builds: section.querySelectorAll('a.build').map((link) => linkedId(link.getAttribute('href'), 'build')),
        more: Number(/and ([\d,]+) more/.exec(text(section.querySelector('a.more')))?.[1]?.replace(/,/g, '') ?? 0),
      },
    ]),
  );
}

/** The id in a link such as `../builder/12/index.html`. */
const linkedId = (href: string | undefined, kind: string) => Number(new RegExp(`${kind}/(\\d+)/`).exec(href ?? '')?.[1]);

describe.each(FIXTURES)('browsing the $name fixture archive', ({ file, archive }) => {
  let out = '';
  beforeAll(async () => {
    out = await fixtureArchive(archive);
  });
  const statusdb = file.includes('statusdb');
  const c = columns(statusdb);
  let db: Database.Database;

  beforeAll(() => {
    db = querySnapshot(file);
    return () => db.close();
  });

  /** SQL naming, per schema, a builder's tags (`?`), the platforms its builds name (`?`), and every platform any build names. */
  const platformSql = statusdb
    ? {
        tags: 'SELECT category FROM builders WHERE id = ? AND category IS NOT NULL',
        ofBuilds: `SELECT DISTINCT p.value ->> '$' FROM builds b JOIN build_properties bp ON bp.build_id = b.id
                   JOIN properties p ON p.id = bp.property_id AND p.name = 'platform' WHERE b.builder_id = ?`,
        all: "SELECT DISTINCT value ->> '$' FROM properties WHERE name = 'platform'",
      }
    : {
        tags: 'SELECT t.name FROM builders_tags bt JOIN tags t ON t.id = bt.tagid WHERE bt.builderid = ? ORDER BY t.name',
        ofBuilds: `SELECT DISTINCT bp.value ->> '$' FROM builds b JOIN build_properties bp ON bp.buildid = b.id AND bp.name = 'platform' WHERE b.builderid = ?`,
        all: "SELECT DISTINCT value ->> '$' FROM build_properties WHERE name = 'platform'",
      };

  it("shows every builder on the board once, under its platform, failing first, with its tags, its last finished build's result, its recent builds oldest left and its build count", () => {
    const builders = db.prepare('SELECT id FROM builders ORDER BY id').pluck().all() as number[];
    const lastFinished = db.prepare(
      `SELECT id, ${c.result} AS result FROM ${c.builds} WHERE ${c.builder} = ? AND ${c.result} IS NOT NULL ORDER BY ${c.start} DESC, id DESC LIMIT 1`,
    );
    const recent = db.prepare(`SELECT id FROM ${c.builds} WHERE ${c.builder} = ? ORDER BY ${c.start} DESC, id DESC LIMIT 20`).pluck();
    const counts = db.prepare(
      `SELECT count(*) AS builds, count(${c.result}) AS finished, count(*) FILTER (WHERE ${c.result} = 0) AS successes FROM ${c.builds} WHERE ${c.builder} = ?`,
    );
    const tagsOf = db.prepare(platformSql.tags).pluck();
    const platformsOfBuilds = db.prepare(platformSql.ofBuilds).pluck();
    const platforms = new Set(db.prepare(platformSql.all).pluck().all() as string[]);

    const groups = readPage(out, 'builders/').querySelectorAll('section.board-group');
    const shown = new Map<number, { group: string; row: ReturnType<typeof readPage> }[]>();
    for (const section of groups) {
      const group = text(section.querySelector('h2')).replace(/^platform /, '');
      const rows = section.querySelectorAll('table.board tbody tr');
      // Failing builders first: no row without "failing since" above one with it.
      const failing = rows.map((row) => text(row.querySelector('td[data-label="Failing since"]')) !== '');
      expect(failing, `order of the ${group} group`).toEqual([...failing].sort((a, b) => Number(b) - Number(a)));
      for (const row of rows) {
        const id = linkedId(row.querySelector('td.name > a')?.getAttribute('href'), 'builder');
        shown.set(id, [...(shown.get(id) ?? []), { group, row }]);
      }
    }
    expect([...shown.keys()].sort((a, b) => a - b)).toEqual(builders);
    for (const id of builders) {
      expect(shown.get(id), `rows of builder ${id}`).toHaveLength(1);
      const { group, row } = shown.get(id)![0]!;
      const tags = tagsOf.all(id) as string[];
      expect(row.querySelectorAll('td.name .tags a').map(text).sort(), `tags of builder ${id}`).toEqual([...tags].sort());
      const platformTag = tags.find((tag) => platforms.has(tag));
      const ofBuilds = platformsOfBuilds.all(id) as string[];
      if (platformTag) expect(group, `group of builder ${id}`).toBe(platformTag);
      else if (ofBuilds.length > 0) expect(ofBuilds, `group of builder ${id}`).toContain(group);
      else expect(group, `group of builder ${id}`).toBe('other');

      const last = lastFinished.get(id) as { id: number; result: number } | undefined;
      const lastLink = row.querySelector('td.last a');
      if (last) {
        expect(text(lastLink)).toBe(RESULT_WORDS[last.result]);
        expect(linkedId(lastLink?.getAttribute('href'), 'build')).toBe(last.id);
      } else expect(lastLink).toBeNull();
      const strip = row.querySelectorAll('.strip a').map((link) => linkedId(link.getAttribute('href'), 'build'));
      expect(strip, `recent builds of builder ${id}`).toEqual((recent.all(id) as number[]).reverse());
      const count = counts.get(id) as { builds: number; finished: number; successes: number };
      const cells = row.querySelectorAll('td.number');
      expect(text(cells[1]).replace(/,/g, '')).toBe(String(count.builds));
      expect(text(cells[0])).toBe(count.finished ? `${Math.floor((100 * count.successes) / count.finished)} %` : '–');
    }
  });

  it('lists every worker with its build count, its most recently started build and its recent builds oldest left', () => {
    const workers = db.prepare(`SELECT id FROM ${c.workers} ORDER BY id`).pluck().all() as number[];
    const newest = db.prepare(`SELECT id FROM ${c.builds} WHERE ${c.worker} = ? ORDER BY ${c.start} DESC, id DESC LIMIT 1`).pluck();
    const recent = db.prepare(`SELECT id FROM ${c.builds} WHERE ${c.worker} = ? ORDER BY ${c.start} DESC, id DESC LIMIT 20`).pluck();
    const count = db.prepare(`SELECT count(*) FROM ${c.builds} WHERE ${c.worker} = ?`).pluck();
    const rows = readPage(out, 'workers/').querySelectorAll('table.board tbody tr');
    expect(rows.map((row) => linkedId(row.querySelector('td.name a')?.getAttribute('href'), 'worker')).sort((a, b) => a - b)).toEqual(workers);
    for (const row of rows) {
      const id = linkedId(row.querySelector('td.name a')?.getAttribute('href'), 'worker');
      const newestId = newest.get(id) as number | undefined;
      expect(linkedId(row.querySelector('td[data-label="Last build"] a')?.getAttribute('href'), 'build') || undefined).toBe(newestId);
      expect(text(row.querySelector('td[data-label="Builds"]')).replace(/,/g, '')).toBe(String(count.get(id)));
      const strip = row.querySelectorAll('.strip a').map((link) => linkedId(link.getAttribute('href'), 'build'));
      expect(strip, `recent builds of worker ${id}`).toEqual((recent.all(id) as number[]).reverse());
    }
  });

  // statusdb's steps publish no URLs and its builds no trigger: the buildbot fixture's trigger steps do.
  it.skipIf(statusdb)("leads a trigger step to the archive's builds of its build request, never to the master's page of one it holds", () => {
    const published = db
      .prepare(
        `SELECT s.buildid AS build, u.value ->> '$.name' AS name, u.value ->> '$.url' AS url FROM steps s, json_each(s.urls_json) u
         WHERE u.value ->> '$.url' LIKE '%#buildrequests/%' ORDER BY s.buildid`,
      )
      .all() as { build: number; name: string; url: string }[];
    const buildsOfRequest = db.prepare('SELECT id FROM builds WHERE buildrequestid = ? ORDER BY id').pluck();
    expect(published.length).toBeGreaterThan(100);
    let unarchived = 0;
    for (const [build, urls] of groupBy(published, (row) => row.build)) {
      const page = readPage(out, `build/${build}/`);
      expect(page.querySelectorAll('a[href*="buildrequests"]'), `build ${build}`).toHaveLength(0);
      const stepUrls = page.querySelectorAll('.step-url');
      for (const { name, url } of urls) {
        const ids = buildsOfRequest.all(Number(/(\d+)$/.exec(url)![1])) as number[];
        if (ids.length === 0) {
          unarchived++;
          expect(stepUrls.some((each) => text(each) === `${name} (${url}, not in the archive)`), `${url} on build ${build}`).toBe(true);
          continue;
        }
        const link = stepUrls.find((each) => each.tagName === 'A' && text(each) === name);
        expect(linkedId(link?.getAttribute('href'), 'build'), `${url} on build ${build}`).toBe(ids.at(-1));
      }
    }
    // The fixture holds requests that never ran a build: their addresses stay as text.
    expect(unarchived).toBeGreaterThan(0);
  });

  /** The term's value in a page's facts list. */
  const fact = (page: ReturnType<typeof readPage>, term: string) => page.querySelectorAll('dl.facts dt').find((dt) => text(dt) === term)?.nextElementSibling ?? null;

  it.skipIf(statusdb)('names triggering and triggered builds by builder and number', () => {
    const triggered = db
      .prepare(
        `SELECT b.id, p.id AS parent, pb.name AS parentBuilder, p.number AS parentNumber FROM builds b
         JOIN buildrequests br ON br.id = b.buildrequestid JOIN buildsets bs ON bs.id = br.buildsetid
         JOIN builds p ON p.id = bs.parent_buildid JOIN builders pb ON pb.id = p.builderid ORDER BY b.id LIMIT 50`,
      )
      .all() as { id: number; parent: number; parentBuilder: string; parentNumber: number }[];
    expect(triggered.length).toBeGreaterThan(0);
    for (const { id, parent, parentBuilder, parentNumber } of triggered) {
      const link = fact(readPage(out, `build/${id}/`), 'Triggered by')?.querySelector('a');
      expect(text(link), `parent of build ${id}`).toBe(`${parentBuilder} #${parentNumber}`);
      expect(linkedId(link?.getAttribute('href'), 'build')).toBe(parent);
      const children = fact(readPage(out, `build/${parent}/`), 'Triggered')?.querySelectorAll('a') ?? [];
      expect(children.map((child) => linkedId(child.getAttribute('href'), 'build')), `children of build ${parent}`).toContain(id);
    }
  });

  it('links the builds of a build request run more than once (retries) to each other, both ways', () => {
    // statusdb: a build's request is the first it names in build_requests, as copra reads it.
    const requests = statusdb
      ? 'SELECT build_id AS id, min(request_id) AS request FROM build_requests GROUP BY build_id'
      : 'SELECT id, buildrequestid AS request FROM builds';
    const reruns = db.prepare(`SELECT json_group_array(id ORDER BY id) FROM (${requests}) GROUP BY request HAVING count(*) > 1`).pluck().all() as string[];
    expect(reruns.length).toBeGreaterThan(0);
    for (const ids of reruns.map((json) => JSON.parse(json) as number[])) {
      ids.forEach((id, index) => {
        const page = readPage(out, `build/${id}/`);
        const linked = (term: string) => linkedId(fact(page, term)?.querySelector('a')?.getAttribute('href'), 'build') || null;
        expect(linked('Rerun of'), `rerun of build ${id}`).toBe(ids[index - 1] ?? null);
        expect(linked('Rerun as'), `rerun as build ${id}`).toBe(ids[index + 1] ?? null);
      });
    }
  });

  /** Each stamp section shows the first builds of its stamp (up to 40) and counts the rest. */
  function expectStampBuilds(sections: ReturnType<typeof stampSections>, stampIds: number[], where: string) {
    const buildsOfStamp = db.prepare(stampSql(statusdb).buildsOfStamp).pluck();
    expect([...sections.keys()].sort((a, b) => a - b), `stamps on ${where}`).toEqual(stampIds);
    for (const id of stampIds) {
      const builds = buildsOfStamp.all(id) as number[];
      const shown = sections.get(id)!;
      expect(shown.builds.filter((build) => !builds.includes(build)), `builds of stamp ${id} on ${where}`).toEqual([]);
      expect(shown.builds.length + shown.more, `build count of stamp ${id} on ${where}`).toBe(builds.length);
      expect(shown.builds.length).toBe(Math.min(40, builds.length));
    }
  }

  it('gives every change a page with the builds of every sourcestamp holding it', () => {
    const sql = stampSql(statusdb);
    const changes = db.prepare(sql.changes).all() as { id: number; revision: string | null }[];
    const stampsOfChange = db.prepare(sql.stampsOfChange).pluck();
    expect(changes.length).toBeGreaterThan(100);
    for (const change of changes) {
      const page = readPage(out, `change/${change.id}/`);
      expect(text(page.querySelector('h1'))).toBe(`Change ${change.id}`);
      if (change.revision) expect(text(page.querySelector('dl.facts code.revision'))).toBe(change.revision);
      expectStampBuilds(stampSections(page), stampsOfChange.all(change.id) as number[], `change ${change.id}`);
    }
  });

  it('lists every change exactly once, newest first, across the pages of changes/', () => {
    const ids = (db.prepare(stampSql(statusdb).changes).all() as { id: number }[]).map((row) => row.id);
    const listed: number[] = [];
    let url: string | null = 'changes/';
    while (url) {
      const page = readPage(out, url);
      listed.push(...page.querySelectorAll('a.change-link').map((link) => linkedId(link.getAttribute('href'), 'change')));
      const older = page.querySelector('.pager a[rel="next"]')?.getAttribute('href');
      url = older ? join(url, older).replace(/index\.html$/, '') : null;
    }
    expect(listed).toEqual([...ids].reverse());
  });

  it('gives every revision of a change or sourcestamp a page with its changes and the builds of its sourcestamps', () => {
    const sql = stampSql(statusdb);
    const byRevision = (rows: { id: number; revision: string | null }[]) => {
      const map = new Map<string, number[]>();
      for (const row of rows) if (row.revision) map.set(row.revision, [...(map.get(row.revision) ?? []), row.id]);
      return map;
    };
    const changes = byRevision(db.prepare(sql.changes).all() as { id: number; revision: string | null }[]);
    const stamps = byRevision(db.prepare(sql.stampRevisions).all() as { id: number; revision: string | null }[]);
    const revisions = new Set([...changes.keys(), ...stamps.keys()]);
    expect(revisions.size).toBeGreaterThan(100);
    for (const revision of revisions) {
      const url = `revision/${pathSegment(revision)}/`;
      expect(existsSync(join(out, url, 'index.html')), url).toBe(true);
      const page = readPage(out, url);
      expect(text(page.querySelector('h1 code'))).toBe(revision);
      const shownChanges = page.querySelectorAll('a.change-link').map((link) => linkedId(link.getAttribute('href'), 'change'));
      expect(shownChanges, `changes of ${revision}`).toEqual(changes.get(revision) ?? []);
      expectStampBuilds(stampSections(page), stamps.get(revision) ?? [], url);
    }
  });

  it('shows file names that git quoted as octal bytes decoded', () => {
    const quoted = db
      .prepare(
        statusdb
          ? `SELECT fc.change_id AS id, f.path AS name FROM file_changes fc JOIN files f ON f.id = fc.file_id WHERE f.path GLOB '*\\[0-3][0-7][0-7]*'`
          : `SELECT changeid AS id, filename AS name FROM change_files WHERE filename GLOB '*\\[0-3][0-7][0-7]*'`,
      )
      .all() as { id: number; name: string }[];
    expect(quoted.length).toBeGreaterThan(0);
    for (const { id, name } of quoted) {
      const decoded = Buffer.from(name.replace(/\\([0-3][0-7]{2})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))), 'latin1').toString('utf8');
      const files = readPage(out, `change/${id}/`).querySelectorAll('ul.files code').map((code) => text(code));
      expect(files, `files of change ${id}`).toContain(decoded);
    }
  });

  describe('in a browser', () => {
    const browserTab = browserPage();

    /** An XML file as Chromium's strict XML parser reads it: null when it is not well-formed. */
    const parseXml = (path: string) =>
      browserTab().evaluate((xml) => {
        const doc = new DOMParser().parseFromString(xml, 'application/xml');
        if (doc.getElementsByTagName('parsererror').length > 0) return null;
        const atom = 'http://www.w3.org/2005/Atom';
        const child = (parent: Element, name: string) => [...parent.children].find((element) => element.localName === name && element.namespaceURI === atom);
        const links = (parent: Element) =>
          [...parent.children].filter((element) => element.localName === 'link').map((link) => ({ rel: link.getAttribute('rel'), href: link.getAttribute('href') }));
        const root = doc.documentElement;
        return {
          root: root.localName,
          namespace: root.namespaceURI,
          attributes: Object.fromEntries([...root.attributes].map((attribute) => [attribute.name, attribute.value])),
          title: doc.getElementsByTagName('title')[0]?.textContent ?? null,
          texts: [...doc.getElementsByTagName('text')].map((text) => text.textContent),
          feed: {
            id: child(root, 'id')?.textContent ?? null,
            title: child(root, 'title')?.textContent ?? null,
            updated: child(root, 'updated')?.textContent ?? null,
            author: child(root, 'author')?.textContent?.trim() ?? null,
            links: links(root),
          },
          entries: [...root.children]
            .filter((element) => element.localName === 'entry')
            .map((entry) => ({
              id: child(entry, 'id')?.textContent ?? null,
              title: child(entry, 'title')?.textContent ?? null,
              updated: child(entry, 'updated')?.textContent ?? null,
              links: links(entry),
            })),
        };
      }, readFileSync(join(out, path), 'utf8'));

    it('answers an unknown address with its 404 page, whose links and style work at any depth', async () => {
      const server = await serveDirectory(out, 0);
      try {
        const root = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
        for (const missing of ['no-such-page', 'build/999999999/', 'build/999999999/log/1/', 'no-such-folder/deeper/still/']) {
          const response = await fetch(root + missing);
          expect(response.status, missing).toBe(404);
          expect(await response.text()).toContain('Not in this archive');
          const page = browserTab();
          await page.goto(root + missing);
          // Under a folder the archive lacks, the page finds the archive's root (and its stylesheet) by asking the server.
          await expect.poll(() => page.evaluate(() => getComputedStyle(document.querySelector('header.site')!).display), { message: missing }).toBe('flex');
          const builders = await page.getByRole('link', { name: 'builders', exact: true }).evaluate((link) => (link as HTMLAnchorElement).href);
          expect(builders, missing).toBe(`${root}builders/index.html`);
          expect((await fetch(builders)).status).toBe(200);
        }
      } finally {
        server.close();
      }
    });

    it("gives every builder a badge that parses and carries its last finished build's result", async () => {
      const builders = db.prepare('SELECT id FROM builders ORDER BY id').pluck().all() as number[];
      const last = db.prepare(`SELECT ${c.result} FROM ${c.builds} WHERE ${c.builder} = ? AND ${c.result} IS NOT NULL ORDER BY ${c.start} DESC, id DESC LIMIT 1`).pluck();
      for (const id of builders) {
        const svg = await parseXml(`builder/${id}/badge.svg`);
        const word = RESULT_WORDS[last.get(id) as number] ?? 'no result';
        expect(svg, `badge of builder ${id}`).toMatchObject({ root: 'svg', attributes: { height: '20', role: 'img', 'aria-label': `build: ${word}` }, title: `build: ${word}` });
        expect(svg!.texts.at(-1)).toBe(word);
      }
    });

    const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
    /** The Atom rules copra keeps (RFC 4287), and the builds the feed's entries link, in order. */
    async function feedBuilds(path: string): Promise<number[]> {
      const feed = await parseXml(path);
      expect(feed, path).not.toBeNull();
      expect(feed!.root).toBe('feed');
      expect(feed!.namespace).toBe('http://www.w3.org/2005/Atom');
      const { id, title, updated, author, links } = feed!.feed;
      expect(id).toMatch(/^tag:[a-z0-9.-]+,\d{4}-\d{2}-\d{2}:/);
      expect(title).toBeTruthy();
      expect(updated).toMatch(RFC3339);
      expect(author).toBeTruthy();
      expect(links.find((link) => link.rel === 'self')?.href).toBe(path.split('/').at(-1));
      const alternate = links.find((link) => link.rel === 'alternate')?.href;
      expect(existsSync(join(out, dirname(path), alternate!)), `${path} alternate`).toBe(true);
      for (const entry of feed!.entries) {
        expect(entry.id).toMatch(/^tag:/);
        expect(entry.title).toBeTruthy();
        expect(entry.updated).toMatch(RFC3339);
        expect(entry.updated! <= updated!).toBe(true);
      }
      expect(new Set(feed!.entries.map((entry) => entry.id)).size).toBe(feed!.entries.length);
      if (feed!.entries.length > 0) expect(feed!.entries.some((entry) => entry.updated === updated)).toBe(true);
      return feed!.entries.map((entry) => {
        const href = entry.links.find((link) => link.rel === 'alternate')!.href!;
        expect(existsSync(join(out, dirname(path), href)), href).toBe(true);
        return linkedId(href, 'build');
      });
    }

    it("gives every builder an Atom feed of its newest 50 builds, linked from the builder's page", async () => {
      const builders = db.prepare('SELECT id FROM builders ORDER BY id').pluck().all() as number[];
      const newest = db.prepare(`SELECT id FROM ${c.builds} WHERE ${c.builder} = ? ORDER BY ${c.start} DESC, id DESC LIMIT 50`).pluck();
      for (const id of builders) {
        expect(await feedBuilds(`builder/${id}/feed.xml`), `feed of builder ${id}`).toEqual(newest.all(id));
        const alternate = readPage(out, `builder/${id}/`).querySelector('link[rel="alternate"][type="application/atom+xml"]');
        expect(alternate?.getAttribute('href')).toBe('../../builder/' + id + '/feed.xml');
      }
    });

    it('has an Atom feed of the newest 50 failed builds, linked from the home page and the builder board', async () => {
      const failed = db.prepare(`SELECT id FROM ${c.builds} WHERE ${c.result} IN (2, 4) ORDER BY ${c.start} DESC, id DESC LIMIT 50`).pluck().all();
      expect(failed.length).toBeGreaterThan(0);
      expect(await feedBuilds('failures.xml')).toEqual(failed);
      expect(readPage(out, '').querySelector('link[rel="alternate"]')?.getAttribute('href')).toBe('failures.xml');
      expect(readPage(out, 'builders/').querySelector('link[rel="alternate"]')?.getAttribute('href')).toBe('../failures.xml');
    });
  });

  it("draws on a builder's newest page the median and 90th percentile duration of its builds per period over its whole history, each linked to its build", () => {
    const builder = db.prepare(`SELECT ${c.builder} FROM ${c.builds} GROUP BY ${c.builder} ORDER BY count(*) DESC, ${c.builder} LIMIT 1`).pluck().get() as number;
    const [start, end] = statusdb ? ["unixepoch(starttime)", "unixepoch(endtime)"] : ['started_at', 'complete_at'];
    const timed = db
      .prepare(`SELECT id, ${start} AS start, ${end} - ${start} AS seconds FROM builds WHERE ${c.builder} = ? AND ${start} IS NOT NULL AND ${end} >= ${start} ORDER BY ${start}, id`)
      .all(builder) as { id: number; start: number; seconds: number }[];
    const span = timed.at(-1)!.start - timed[0]!.start;
    const period = span < 2 * 86_400 ? 3_600 : span < 120 * 86_400 ? 86_400 : 7 * 86_400;
    const first = Math.floor(timed[0]!.start / period) * period;
    const expected = [...groupBy(timed, (build) => Math.floor((build.start - first) / period)).values()].flatMap((builds) => {
      const sorted = [...builds].sort((a, b) => a.seconds - b.seconds || a.id - b.id);
      const at = (share: number) => sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!.id;
      return [at(0.5), at(0.9)];
    });

    const chart = readPage(out, `builder/${builder}/`).querySelector('section.trends figure.trend');
    expect(text(chart?.querySelector('figcaption'))).toBe('Build duration');
    const marks = chart!.querySelectorAll('svg a');
    expect(marks.map((mark) => linkedId(mark.getAttribute('href'), 'build'))).toEqual(expected);
    // Each mark says what it is in words: a tooltip and what a screen reader reads.
    for (const mark of marks) expect(text(mark.querySelector('title'))).toMatch(/^(median|90th percentile) of \d+ builds? in the (hour|day|week) of .+: .+ \(#\d+\)$/);
  });

  it("says each builder's success rate on its newest page", () => {
    const builders = db.prepare('SELECT id FROM builders ORDER BY id').pluck().all() as number[];
    const counts = db.prepare(`SELECT count(${c.result}) AS finished, count(*) FILTER (WHERE ${c.result} = 0) AS successes FROM ${c.builds} WHERE ${c.builder} = ?`);
    for (const id of builders) {
      const { finished, successes } = counts.get(id) as { finished: number; successes: number };
      const shown = readPage(out, `builder/${id}/`).querySelector('.success-rate');
      expect(shown ? text(shown) : null, `builder ${id}`).toBe(finished ? `${Math.floor((100 * successes) / finished)} %` : null);
    }
  });

  it("shows on each failed build's page the builder's builds around it", () => {
    const FAILED = [1, 2, 4];
    const builds = db
      .prepare(`SELECT id, ${c.builder} AS builder, ${c.result} AS result FROM ${c.builds} ORDER BY ${c.builder}, ${c.number}, id`)
      .all() as { id: number; builder: number; result: number | null }[];
    const byBuilder = new Map<number, typeof builds>();
    for (const build of builds) byBuilder.set(build.builder, [...(byBuilder.get(build.builder) ?? []), build]);
    const strip = (element: ReturnType<typeof readPage> | null | undefined) =>
      (element?.querySelectorAll('a.build') ?? []).map((link) => linkedId(link.getAttribute('href'), 'build'));
    let checked = 0;
    for (const list of byBuilder.values()) {
      list.forEach((build, position) => {
        const failed = FAILED.includes(build.result ?? -1);
        // Builds that did not fail have no such section: every 10th of them is read to check.
        if (!failed && build.id % 10 !== 0) return;
        const section = readPage(out, `build/${build.id}/`).querySelector('section#failures');
        if (!failed) return expect(section, `build ${build.id}`).toBeNull();
        checked++;
        const [before, after] = section!.querySelectorAll('p.around .strip');
        expect(strip(before), `builds before ${build.id}`).toEqual(list.slice(Math.max(0, position - 10), position).map((other) => other.id));
        expect(strip(after), `builds after ${build.id}`).toEqual(list.slice(position + 1, position + 11).map((other) => other.id));
      });
    }
    expect(checked).toBeGreaterThan(50);
  });

  it("shows every sourcestamp of each branch once on the branch's console, each build in its builder's column", () => {
    const sql = stampSql(statusdb);
    const branches = db.prepare('SELECT DISTINCT branch FROM sourcestamps').pluck().all() as (string | null)[];
    const stampsOf = db.prepare('SELECT id FROM sourcestamps WHERE branch IS ? ORDER BY id DESC').pluck();
    const buildsOfStamp = db.prepare(sql.buildsOfStamp).pluck();
    const builderOf = new Map((db.prepare(`SELECT id, ${c.builder} AS builder FROM ${c.builds}`).all() as { id: number; builder: number }[]).map((row) => [row.id, row.builder]));
    const consoles = readPage(out, 'console/').querySelectorAll('table.consoles tbody tr');
    expect(consoles).toHaveLength(branches.length);
    // The index shows each branch's newest sourcestamp and its builds: is it green now?
    for (const row of consoles) {
      const branchUrl = /console\/([^/]+)\/index\.html$/.exec(row.querySelector('td.name a')!.getAttribute('href')!)?.[1];
      const branch = branches.find((each) => (each === null ? '~none' : pathSegment(each)) === branchUrl);
      expect(branch, branchUrl).not.toBeUndefined();
      const newestStamp = stampsOf.get(branch!) as number;
      const shownBuilds = row.querySelectorAll('.strip a').map((link) => linkedId(link.getAttribute('href'), 'build'));
      expect(shownBuilds.sort((a, b) => a - b), `builds of the newest stamp of ${branchUrl}`).toEqual((buildsOfStamp.all(newestStamp) as number[]).sort((a, b) => a - b));
    }
    for (const branch of branches) {
      let url: string | null = `console/${branch === null ? '~none' : pathSegment(branch)}/`;
      const rows: number[] = [];
      while (url) {
        const page = readPage(out, url);
        const columns = page.querySelectorAll('th.builder a').map((link) => linkedId(link.getAttribute('href'), 'builder'));
        for (const row of page.querySelectorAll('tbody tr[data-stamp]')) {
          const stamp = Number(row.getAttribute('data-stamp'));
          rows.push(stamp);
          const cells = row.querySelectorAll('td.cell');
          expect(cells).toHaveLength(columns.length);
          const shown = cells.flatMap((cell, column) =>
            cell.querySelectorAll('a.build').map((link) => {
              const build = linkedId(link.getAttribute('href'), 'build');
              expect(builderOf.get(build), `column of build ${build}`).toBe(columns[column]);
              return build;
            }),
          );
          expect(shown.sort((a, b) => a - b), `builds of stamp ${stamp}`).toEqual((buildsOfStamp.all(stamp) as number[]).sort((a, b) => a - b));
        }
        const older = page.querySelector('.pager a[rel="next"]')?.getAttribute('href');
        url = older ? join(url, older).replace(/index\.html$/, '') : null;
      }
      expect(rows, `console of ${branch}`).toEqual(stampsOf.all(branch));
    }
  });
});
