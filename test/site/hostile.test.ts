/**
 * The archives of hostile snapshots (test/fixtures/hostile.ts), whose every string is markup, a
 * script URL or template syntax and whose every name that becomes a path is a separator, a dot, a
 * NUL byte, 300 bytes or a case twin. In a browser, served over HTTP, nothing from the snapshot
 * runs and every string shows as typed; on disk, every name has a file of its own, inside the
 * archive, on any file system. Expectations are read from the hostile snapshot with SQL.
 */
import type Database from 'better-sqlite3';
import { readFileSync, readdirSync, type Dirent } from 'node:fs';
import type { Server } from 'node:http';
import { basename, dirname, join, normalize, relative } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildArchive } from '../../src/build.ts';
import { buildUrl } from '../../src/pages/buildPage.ts';
import { builderUrl, masterUrl, workerUrl } from '../../src/pages/entityPage.ts';
import { homeUrl } from '../../src/pages/homePage.ts';
import { listingUrl } from '../../src/pages/listing.ts';
import { logUrl } from '../../src/pages/logPage.ts';
import { searchUrl } from '../../src/pages/searchPage.ts';
import { sourceUrl } from '../../src/pages/sourcePage.ts';
import { RECORD_DIR } from '../../src/record/record.ts';
import { TEMPLATES_DIR } from '../../src/render/nunjucks.ts';
import { serveDirectory } from '../../src/serve.ts';
import { outputPath, assetUrl } from '../../src/urls.ts';
import { HOSTILE_URLS, TEMPLATE_SYNTAX, hostile, writeHostileBuildbot, writeHostileStatusdb } from '../fixtures/hostile.ts';
import { archiveFiles, archiveHashes, differences, querySnapshot, readPage, scratchDir, text } from '../helpers/archive.ts';
import { launchChromium } from '../helpers/browser.ts';

/** The archive's title: on every page. */
const TITLE = hostile('title');
const quiet = { write: () => {} };

type Db = Database.Database;

/** How the browser shows a stored string: HTML parsers drop NUL characters from text. */
const shown = (value: string) => value.replaceAll('\0', '').replace(/\s+/g, ' ').trim();

/** A property's stored JSON as its page shows it: strings bare, structures indented. */
function readable(json: string): string {
  const value = JSON.parse(json) as unknown;
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

/** Log lines as stored in the hostile snapshot: one raw chunk a log. */
function storedLines(db: Db, logId: number): string[] {
  const chunk = db.prepare('SELECT content FROM logchunks WHERE logid = ?').pluck().get(logId) as Buffer | undefined;
  return chunk ? chunk.toString('utf8').split('\n') : [];
}

/** A log line's text without its stdio stream letter and ANSI colour codes. */
const lineText = (type: string, line: string) => (type === 's' ? line.slice(1) : line).replace(/\x1b\[[0-9;]*m/g, '');

/** A page to open, and the stored strings it must show. */
interface Visit {
  kind: string;
  url: string;
  shows: string[];
}

/** The non-NULL strings a query finds. */
const strings = (db: Db, sql: string, ...params: unknown[]) => (db.prepare(sql).pluck().all(...params) as (string | null)[]).filter((value) => value !== null);
const id = (db: Db, sql: string, ...params: unknown[]) => db.prepare(sql).pluck().get(...params) as number;

/** What each schema stores where, as SQL over the snapshot. */
interface SchemaQueries {
  /** Sourcestamp ids listed under each branch. */
  branches(db: Db): Map<string | null, number[]>;
  /** Sourcestamp ids of the builds of each builder tag. */
  tags(db: Db): Map<string, number[]>;
  visits(db: Db): Visit[];
}

const buildbot: SchemaQueries = {
  branches: (db) => groupIds(db, 'SELECT branch AS key, id FROM sourcestamps'),
  tags: (db) =>
    groupIds(
      db,
      `SELECT DISTINCT t.name AS key, bss.sourcestampid AS id FROM tags t
       JOIN builders_tags bt ON bt.tagid = t.id JOIN builds b ON b.builderid = bt.builderid
       JOIN buildrequests br ON br.id = b.buildrequestid JOIN buildset_sourcestamps bss ON bss.buildsetid = br.buildsetid`,
    ),
  visits(db) {
    const logOfType = (type: string) =>
      db.prepare('SELECT l.id, l.name, s.buildid, s.name AS step FROM logs l JOIN steps s ON s.id = l.stepid WHERE l.type = ? ORDER BY l.id LIMIT 1').get(type) as {
        id: number;
        name: string;
        buildid: number;
        step: string;
      };
    const logs = ['s', 't', 'h', 'd'].map((type) => {
      const log = logOfType(type);
      const lines = type === 'h' ? [TEMPLATE_SYNTAX.join(' ')] : storedLines(db, log.id).map((line) => lineText(type, line));
      return { kind: `log of type ${type}`, url: logUrl(log.buildid, log.id), shows: [log.name, log.step, ...lines] };
    });
    const stampsOf = 'SELECT bss.sourcestampid FROM builds b JOIN buildrequests br ON br.id = b.buildrequestid JOIN buildset_sourcestamps bss ON bss.buildsetid = br.buildsetid WHERE b.id = ?';
    const changesOf = (stamps: string) => strings(db, `SELECT author || char(10) || comments || char(10) || revision FROM changes WHERE sourcestampid IN (${stamps})`).flatMap((row) => row.split('\n'));
    const filesOf = (stamps: string) => strings(db, `SELECT filename FROM change_files WHERE changeid IN (SELECT changeid FROM changes WHERE sourcestampid IN (${stamps}))`);
    const buildPage = (build: number): Visit => ({
      kind: 'build',
      url: buildUrl(build),
      shows: [
        ...strings(db, 'SELECT bl.name FROM builds b JOIN builders bl ON bl.id = b.builderid WHERE b.id = ?', build),
        ...strings(db, 'SELECT state_string FROM builds WHERE id = ?', build),
        ...strings(db, 'SELECT bs.reason FROM builds b JOIN buildrequests br ON br.id = b.buildrequestid JOIN buildsets bs ON bs.id = br.buildsetid WHERE b.id = ?', build),
        ...strings(db, 'SELECT name FROM steps WHERE buildid = ?', build),
        ...strings(db, 'SELECT state_string FROM steps WHERE buildid = ?', build),
        ...strings(db, 'SELECT urls_json FROM steps WHERE buildid = ?', build).flatMap((json) => (JSON.parse(json) as { name: string }[]).map((url) => url.name)),
        ...strings(db, 'SELECT l.name FROM logs l JOIN steps s ON s.id = l.stepid WHERE s.buildid = ?', build),
        ...strings(db, 'SELECT name FROM build_properties WHERE buildid = ?', build),
        ...strings(db, 'SELECT value FROM build_properties WHERE buildid = ?', build).map(readable),
        ...strings(db, 'SELECT source FROM build_properties WHERE buildid = ?', build),
        ...strings(db, `SELECT branch FROM sourcestamps WHERE id IN (${stampsOf})`, build),
        ...strings(db, `SELECT repository FROM sourcestamps WHERE id IN (${stampsOf})`, build),
        ...changesOf(stampsOf.replace('?', String(build))),
        ...filesOf(stampsOf.replace('?', String(build))),
      ],
    });
    // The newest stamp carries the hostile branch that is not a path name.
    const stamp = id(db, 'SELECT max(id) FROM sourcestamps');
    const branch = strings(db, 'SELECT branch FROM sourcestamps WHERE id = ?', stamp)[0]!;
    const tag = strings(db, "SELECT name FROM tags WHERE name LIKE 'tag %'")[0]!;
    const builder = id(db, 'SELECT min(builderid) FROM builders_tags');
    const worker = id(db, 'SELECT min(workerid) FROM builds');
    const master = id(db, 'SELECT min(masterid) FROM builds');
    return [
      { kind: 'home', url: homeUrl(), shows: [...strings(db, 'SELECT name FROM builders'), ...strings(db, 'SELECT name FROM workers'), ...strings(db, 'SELECT name FROM masters')] },
      ...[...new Set(logs.map((log) => Number(/^build\/(\d+)\//.exec(log.url)![1])))].map(buildPage),
      ...logs,
      {
        kind: 'sourcestamp',
        url: sourceUrl(stamp),
        shows: [
          ...strings(db, 'SELECT branch || char(10) || revision || char(10) || repository || char(10) || project FROM sourcestamps WHERE id = ?', stamp).flatMap((row) => row.split('\n')),
          ...changesOf(String(stamp)),
          ...filesOf(String(stamp)),
        ],
      },
      ...listingVisits(branch, tag, changesOf(String(stamp))),
      {
        kind: 'builder',
        url: builderUrl(builder),
        shows: [...strings(db, 'SELECT name || char(10) || description FROM builders WHERE id = ?', builder).flatMap((row) => row.split('\n')), ...strings(db, 'SELECT t.name FROM tags t JOIN builders_tags bt ON bt.tagid = t.id WHERE bt.builderid = ?', builder)],
      },
      { kind: 'worker', url: workerUrl(worker), shows: strings(db, 'SELECT name FROM workers WHERE id = ?', worker) },
      { kind: 'master', url: masterUrl(master), shows: strings(db, 'SELECT name FROM masters WHERE id = ?', master) },
    ];
  },
};

const statusdb: SchemaQueries = {
  branches: (db) => groupIds(db, 'SELECT branch AS key, id FROM sourcestamps'),
  tags: (db) => groupIds(db, "SELECT DISTINCT bl.category AS key, b.source_id AS id FROM builders bl JOIN builds b ON b.builder_id = bl.id WHERE bl.category <> ''"),
  visits(db) {
    const changesOf = (stamp: number) =>
      strings(db, 'SELECT who || char(10) || comments || char(10) || revision FROM changes WHERE id IN (SELECT change_id FROM source_changes WHERE source_id = ?)', stamp).flatMap((row) => row.split('\n'));
    const filesOf = (stamp: number) =>
      strings(db, 'SELECT f.path FROM files f JOIN file_changes fc ON fc.file_id = f.id JOIN source_changes sc ON sc.change_id = fc.change_id WHERE sc.source_id = ?', stamp);
    const stamp = id(db, 'SELECT max(id) FROM sourcestamps');
    const build = id(db, 'SELECT min(id) FROM builds WHERE source_id = ?', stamp);
    const branch = strings(db, 'SELECT branch FROM sourcestamps WHERE id = ?', stamp)[0]!;
    const tag = strings(db, "SELECT category FROM builders WHERE category LIKE 'tag %'")[0]!;
    const builder = id(db, 'SELECT builder_id FROM builds WHERE id = ?', build);
    const worker = id(db, 'SELECT slave_id FROM builds WHERE id = ?', build);
    const master = id(db, 'SELECT master_id FROM builds WHERE id = ?', build);
    const properties = db.prepare('SELECT p.name, p.value, p.source FROM properties p JOIN build_properties bp ON bp.property_id = p.id WHERE bp.build_id = ?').all(build) as {
      name: string;
      value: string;
      source: string;
    }[];
    return [
      { kind: 'home', url: homeUrl(), shows: [...strings(db, 'SELECT name FROM builders'), ...strings(db, 'SELECT name FROM slaves'), ...strings(db, 'SELECT name FROM masters')] },
      {
        kind: 'build',
        url: buildUrl(build),
        shows: [
          ...strings(db, 'SELECT bl.name FROM builds b JOIN builders bl ON bl.id = b.builder_id WHERE b.id = ?', build),
          ...strings(db, 'SELECT reason FROM builds WHERE id = ?', build),
          ...strings(db, 'SELECT name FROM steps WHERE build_id = ?', build),
          ...strings(db, 'SELECT description FROM steps WHERE build_id = ?', build).map((words) => (JSON.parse(words) as string[]).join(' ')),
          ...properties.flatMap((property) => [property.name, readable(property.value), property.source]),
          branch,
          ...changesOf(stamp),
          ...filesOf(stamp),
        ],
      },
      { kind: 'sourcestamp', url: sourceUrl(stamp), shows: [branch, ...strings(db, 'SELECT revision FROM sourcestamps WHERE id = ?', stamp), ...changesOf(stamp), ...filesOf(stamp)] },
      ...listingVisits(branch, tag, changesOf(stamp)),
      { kind: 'builder', url: builderUrl(builder), shows: strings(db, 'SELECT name || char(10) || category FROM builders WHERE id = ?', builder).flatMap((row) => row.split('\n')) },
      { kind: 'worker', url: workerUrl(worker), shows: strings(db, 'SELECT name FROM slaves WHERE id = ?', worker) },
      { kind: 'master', url: masterUrl(master), shows: strings(db, 'SELECT name FROM masters WHERE id = ?', master) },
    ];
  },
};

/** One page of each listing kind: they show the newest stamp's branch and changes (not their files). */
function listingVisits(branch: string, tag: string, changes: string[]): Visit[] {
  return [
    { kind: 'listing of all stamps', url: listingUrl({ kind: 'all' }, 1, 1), shows: [branch, ...changes] },
    { kind: 'listing of stamps with builds and changes', url: listingUrl({ kind: 'nonempty' }, 1, 1), shows: [branch, ...changes] },
    { kind: 'listing of a branch', url: listingUrl({ kind: 'branch', branch }, 1, 1), shows: [branch, ...changes] },
    { kind: 'listing of a tag', url: listingUrl({ kind: 'tag', tag }, 1, 1), shows: [tag] },
  ];
}

function groupIds<K>(db: Db, sql: string): Map<K, number[]> {
  const groups = new Map<K, number[]>();
  for (const { key, id } of db.prepare(sql).all() as { key: K; id: number }[]) groups.set(key, [...(groups.get(key) ?? []), id].sort((a, b) => a - b));
  return groups;
}

/**
 * Everything in the page's DOM that could run script, read in the browser: event-handler
 * attributes, `javascript:` URLs in any attribute that takes one, and every script element.
 */
const SCRIPT_SURFACE = `(() => {
  const handlers = [];
  const scriptUrls = [];
  const scripts = [];
  for (const element of document.querySelectorAll('*')) {
    for (const attribute of element.attributes) {
      const markup = '<' + element.localName + ' ' + attribute.name + '="' + attribute.value + '">';
      if (/^on/i.test(attribute.name)) handlers.push(markup);
      if (/^(href|src|action|formaction|data|poster|xlink:href)$/i.test(attribute.name)) {
        let protocol = '';
        try { protocol = new URL(attribute.value, document.baseURI).protocol; } catch {}
        if (protocol === 'javascript:') scriptUrls.push(markup);
      }
    }
    if (element.localName === 'script') scripts.push(element.hasAttribute('src') ? { src: element.src } : { text: element.textContent.trim() });
  }
  return { handlers, scriptUrls, scripts };
})()`;

interface ScriptSurface {
  handlers: string[];
  scriptUrls: string[];
  scripts: ({ src: string } | { text: string })[];
}

/** The inline scripts copra's templates hold: the only ones a page may carry. */
function ownInlineScripts(): Set<string> {
  const templates = (readdirSync(TEMPLATES_DIR, { recursive: true, withFileTypes: true }) as Dirent[]).filter((entry) => entry.name.endsWith('.njk'));
  return new Set(
    templates.flatMap((entry) => [...readFileSync(join(entry.parentPath, entry.name), 'utf8').matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1]!.trim())),
  );
}

/** Every file and directory under `root`, relative to it. */
function entries(root: string): string[] {
  return (readdirSync(root, { recursive: true, withFileTypes: true }) as Dirent[]).map((entry) => relative(root, join(entry.parentPath, entry.name))).sort();
}

/** Names no file may have on Windows: reserved characters, a trailing dot or space, device names. */
const WINDOWS_INVALID = /[<>:"\\|?*\x00-\x1f]|[. ]$|^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;

const SNAPSHOTS = [
  { name: 'buildbot', write: writeHostileBuildbot, schema: buildbot },
  { name: 'statusdb', write: writeHostileStatusdb, schema: statusdb },
];

let browser: Browser;
const ownScripts = ownInlineScripts();

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe.each(SNAPSHOTS)('the archive of a hostile $name snapshot', ({ name, write, schema }) => {
  /** The archive is built two directories below a scratch directory of its own: see PATH_NAMES. */
  let scratch: string;
  let out: string;
  let snapshot: string;
  let db: Db;
  let server: Server;
  let base: string;
  let page: Page;
  let incidents: string[];

  beforeAll(async () => {
    snapshot = join(scratchDir('copra-hostile-snapshot-'), 'hostile.sqlite');
    write(snapshot);
    scratch = scratchDir('copra-hostile-');
    out = join(scratch, 'archive', 'dist');
    await buildArchive(snapshot, { out, title: TITLE, output: quiet, jobs: 2 });
    db = querySnapshot(snapshot);
    server = await serveDirectory(out, 0);
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no server address');
    base = `http://127.0.0.1:${address.port}/`;
    page = await browser.newPage();
    page.on('dialog', (dialog) => {
      incidents.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => incidents.push(`script error: ${error.message}`));
    page.on('requestfailed', (request) => incidents.push(`request failed: ${request.url()}`));
    page.on('response', (response) => {
      if (response.status() !== 200) incidents.push(`${response.status()}: ${response.url()}`);
    });
  });

  afterAll(async () => {
    await page?.close();
    server?.closeAllConnections();
    server?.close();
    db?.close();
  });

  /**
   * Opens `path` of the archive (and, if given, does `act` there) and returns what the visitor
   * got: the page's text and HTML source, what could run in its DOM, and the dialogs, failed
   * requests and script errors it caused.
   */
  async function visit(path: string, act?: (page: Page) => Promise<void>) {
    incidents = [];
    const response = await page.goto(new URL(path, base).href, { waitUntil: 'load' });
    const source = (await response?.text()) ?? '';
    await act?.(page);
    const surface = (await page.evaluate(SCRIPT_SURFACE)) as ScriptSurface;
    // What a visitor reads with every collapsed part (a change's files) opened.
    await page.evaluate("document.querySelectorAll('details').forEach((details) => { details.open = true; })");
    const text = shown(await page.locator('body').innerText());
    return { source, text, surface, incidents };
  }

  /** copra's own script files: the search page's, the log viewer's, the board's filters… */
  const OWN_SCRIPTS = readdirSync(join(TEMPLATES_DIR, 'assets')).filter((name) => name.endsWith('.js'));
  /** What could run on a page beyond copra's own inline scripts, its script files and Pagefind's. */
  const dangers = ({ surface, incidents }: Awaited<ReturnType<typeof visit>>) => ({
    incidents,
    handlers: surface.handlers,
    scriptUrls: surface.scriptUrls,
    foreignScripts: surface.scripts.filter((script) =>
      'src' in script ? !(OWN_SCRIPTS.some((name) => script.src === new URL(assetUrl(name), base).href) || script.src.startsWith(new URL('pagefind/', base).href)) : !ownScripts.has(script.text),
    ),
  });
  const none = { incidents: [], handlers: [], scriptUrls: [], foreignScripts: [] };

  it('runs nothing from the snapshot, and shows every stored string as typed, on a page of any kind', async () => {
    for (const { kind, url, shows } of [...schema.visits(db), { kind: 'search', url: searchUrl(), shows: [] }]) {
      const visited = await visit(outputPath(url));
      expect({ kind, ...dangers(visited) }).toEqual({ kind, ...none });
      const missing = [TITLE, ...shows].map(shown).filter((value) => !visited.text.includes(value));
      expect(missing, `${kind} (${url}) does not show`).toEqual([]);
      // Template syntax as typed: its braces are in the page, not entities a later step could turn back.
      expect(visited.source, kind).toContain(TEMPLATE_SYNTAX[0]);
      expect(visited.source, kind).not.toMatch(/&#0*123;|&#x0*7b;|&lbrace;|&lcub;/i);
    }
  });

  it('runs nothing from the snapshot on the browse pages: board, workers, changes, a change, a revision, the console', async () => {
    const firstUnder = (dir: string) => `${dir}${readdirSync(join(out, dir)).filter((name) => name !== 'index.html').sort()[0]}/`;
    const pages = ['builders/', 'workers/', 'changes/', 'console/', firstUnder('console/'), firstUnder('change/'), firstUnder('revision/')];
    for (const url of pages) {
      const visited = await visit(outputPath(url));
      expect({ url, ...dangers(visited) }).toEqual({ url, ...none });
      expect(visited.text, url).toContain(shown(TITLE));
    }
  });

  it('runs nothing from the snapshot in search results', async () => {
    for (const scope of ['names', 'changes']) {
      const visited = await visit(outputPath(searchUrl()), async (page) => {
        await page.check(`input[name=scope][value=${scope}]`);
        await page.fill('#search-query', 'alert');
        await page.click('.search-form button[type=submit]');
        await page.waitForSelector('#search-results li', { timeout: 20_000 });
      });
      expect(visited.text, scope).toContain(TEMPLATE_SYNTAX.join(' '));
      expect({ scope, ...dangers(visited) }).toEqual({ scope, ...none });
    }
  });

  it('links only web addresses from the snapshot, escaped', () => {
    const webUrl = HOSTILE_URLS.find((url) => /^https?:/.test(url))!;
    const hrefs = archiveFiles(out)
      .filter((file) => file.endsWith('.html'))
      .flatMap((file) => readPage(out, file).querySelectorAll('a[href]').map((link) => link.getAttribute('href')!));
    // Written as a browser writes the address: its quote and angle brackets percent-encoded.
    expect(hrefs).toContain(new URL(webUrl).href);
    expect(new URL(webUrl).href).not.toMatch(/["<>]/);
    expect(hrefs.filter((href) => /^\s*(javascript|data|vbscript):/i.test(href))).toEqual([]);
  });

  it('is the same, byte for byte, when built again', async () => {
    const again = join(scratchDir('copra-hostile-again-'), 'dist');
    await buildArchive(snapshot, { out: again, title: TITLE, output: quiet, jobs: 1, buildsPerWindow: 7 });
    expect(differences(archiveHashes(again), archiveHashes(out))).toEqual([]);
  });

  it('gives every branch and every tag a listing page of its own, with its stamps', () => {
    const links = readPage(out, '').querySelectorAll('ul.listings a').map((link) => normalize(link.getAttribute('href')!));
    expect(new Set(links).size).toBe(links.length);
    const listed = links.map((file) => {
      const page = readPage(out, file);
      return {
        heading: text(page.querySelector('h1')),
        stamps: page
          .querySelectorAll('td.source > a')
          .map((link) => Number(text(link).replace('#', '')))
          .sort((a, b) => a - b),
      };
    });
    const branches = schema.branches(db);
    const tags = schema.tags(db);
    // All stamps, stamps with builds and changes, then one listing a branch and a tag.
    expect(listed.length).toBe(2 + branches.size + tags.size);
    const find = (name: string, stamps: number[]) => listed.filter((listing) => listing.heading.endsWith(` ${name}`) && JSON.stringify(listing.stamps) === JSON.stringify(stamps));
    for (const [branch, stamps] of branches) {
      expect(find(branch ?? 'no branch', stamps), `branch ${JSON.stringify(branch)}`).toHaveLength(1);
    }
    for (const [tag, stamps] of tags) expect(find(tag, stamps), `tag ${JSON.stringify(tag)}`).toHaveLength(1);
  });

  it('writes every file inside the archive, with paths that stay distinct, visible and valid on macOS and Windows', () => {
    expect(entries(scratch).filter((entry) => entry !== 'archive' && entry !== join('archive', 'dist') && !entry.startsWith(join('archive', 'dist') + '/'))).toEqual([]);
    const paths = entries(out);
    const folded = new Map<string, string[]>();
    for (const path of paths) folded.set(path.toLowerCase(), [...(folded.get(path.toLowerCase()) ?? []), path]);
    expect([...folded.values()].filter((group) => group.length > 1)).toEqual([]);
    const segments = [...new Set(paths.flatMap((path) => path.split('/')))];
    expect(segments.filter((segment) => Buffer.byteLength(segment) > 255)).toEqual([]);
    expect(segments.filter((segment) => WINDOWS_INVALID.test(segment))).toEqual([]);
    // Static hosts commonly refuse to serve hidden files; copra's record is never served anyway.
    expect(segments.filter((segment) => segment.startsWith('.') && segment !== RECORD_DIR)).toEqual([]);
  });

  it('resolves every internal link', () => {
    const files = new Set(archiveFiles(out).filter((file) => !file.startsWith('.copra/')));
    const broken = [...files]
      .filter((file) => file.endsWith('.html'))
      .flatMap((file) => {
        const page = readPage(out, file);
        const targets = [
          ...page.querySelectorAll('a[href], link[href]').map((element) => element.getAttribute('href')!),
          ...page.querySelectorAll('script[src]').map((element) => element.getAttribute('src')!),
        ];
        return targets
          .filter((href) => !/^[a-z][a-z0-9+.-]*:/i.test(href) && !href.startsWith('#'))
          .map((href) => normalize(join(dirname(file), href.split('#')[0]!)))
          .filter((target) => !files.has(target))
          .map((target) => `${file} → ${target}`);
      });
    expect(broken).toEqual([]);
  });

  it.runIf(name === 'buildbot')('writes each raw log beside its page, with its log\'s lines', () => {
    const logs = db.prepare("SELECT l.id, l.type, s.buildid FROM logs l JOIN steps s ON s.id = l.stepid WHERE l.type <> 'd'").all() as { id: number; type: string; buildid: number }[];
    expect(logs.length).toBeGreaterThan(0);
    for (const log of logs) {
      const page = outputPath(logUrl(log.buildid, log.id));
      const raw = readPage(out, page).querySelector('a.raw')!;
      const file = normalize(join(dirname(page), raw.getAttribute('href')!));
      expect(dirname(file), `log ${log.id}`).toBe(dirname(page));
      expect(raw.getAttribute('download'), `log ${log.id}`).toBe(basename(file));
      const lines = storedLines(db, log.id).map((line) => (log.type === 's' ? line.slice(1) : line));
      expect(readFileSync(join(out, file), 'utf8'), `log ${log.id}`).toBe(lines.map((line) => `${line}\n`).join(''));
    }
  });
});

