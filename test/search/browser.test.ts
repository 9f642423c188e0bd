import Database from 'better-sqlite3';
import { createReadStream } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileFor } from '../../src/serve.ts';
import { BUILDBOT_FIXTURE, fixtureArchive, querySnapshot } from '../helpers/archive.ts';
import { launchChromium } from '../helpers/browser.ts';

const SUB_PATH = '/some/sub/path/';

/** The archive under a sub-path of a static host, as a visitor would meet it. */
function serveUnder(directory: string): Promise<Server> {
  const server = createServer((request, response) => {
    const url = request.url ?? '/';
    const file = url.startsWith(SUB_PATH) ? fileFor(directory, `/${url.slice(SUB_PATH.length)}`) : null;
    if (!file) return void response.writeHead(404).end();
    const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm' };
    response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('searching the archive in a browser', () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let base: string;
  let db: Database.Database;

  beforeAll(async () => {
    server = await serveUnder(await fixtureArchive('buildbot'));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no server address');
    base = `http://127.0.0.1:${address.port}${SUB_PATH}`;
    browser = await launchChromium();
    page = await browser.newPage();
    db = querySnapshot(BUILDBOT_FIXTURE);
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
    db?.close();
  });

  /** Waits until the browser shows the archive page at `path` (below the sub-path). */
  const landedOn = (path: string) => page.waitForURL((url) => url.pathname === `${SUB_PATH}${path}index.html`);

  async function searchFor(query: string, scope: 'names' | 'changes') {
    await page.goto(`${base}search/index.html`);
    await page.check(`input[name=scope][value=${scope}]`);
    await page.fill('#search-query', query);
    await page.click('.search-form button[type=submit]');
    await page.waitForSelector('#search-results li', { timeout: 20_000 });
  }

  it('finds a builder by name and clicks through to its page', async () => {
    const builder = db.prepare("SELECT id, name FROM builders WHERE name LIKE '%mochitests-2/5%' ORDER BY id LIMIT 1").get() as { id: number; name: string };
    await searchFor(builder.name, 'names');
    const link = page.locator('#search-results a', { hasText: builder.name }).first();
    await link.click();
    await landedOn(`builder/${builder.id}/`);
    expect(await page.locator('h1').textContent()).toContain(builder.name);
  });

  it('finds a change by a revision prefix and an author by name', async () => {
    const change = db.prepare("SELECT changeid, revision, author FROM changes WHERE author LIKE '%<%' AND length(revision) = 40 ORDER BY changeid DESC LIMIT 1").get() as {
      changeid: number;
      revision: string;
      author: string;
    };
    await searchFor(change.revision.slice(0, 10), 'changes');
    await page.locator('#search-results a').first().click();
    await landedOn(`change/${change.changeid}/`);
    expect(await page.locator('code.revision', { hasText: change.revision }).count()).toBeGreaterThan(0);

    const authorName = change.author.split('<')[0]!.trim();
    await searchFor(authorName, 'changes');
    const titles = await page.locator('#search-results a').allTextContents();
    expect(titles.some((title) => title.includes(authorName))).toBe(true);
  });

  it("finds builders and changes together from the header's box, names first", async () => {
    const builder = db.prepare("SELECT name FROM builders WHERE name LIKE '%mochitests-2/5%' ORDER BY id LIMIT 1").pluck().get() as string;
    const change = db.prepare("SELECT changeid, revision, author FROM changes WHERE length(revision) = 40 ORDER BY changeid LIMIT 1").get() as {
      changeid: number;
      revision: string;
      author: string;
    };
    const fromHeader = async (query: string) => {
      await page.goto(`${base}builders/index.html`);
      await page.fill('header.site input[name=q]', query);
      await page.press('header.site input[name=q]', 'Enter');
      await page.waitForSelector('#search-results li', { timeout: 20_000 });
      return page.locator('#search-results li');
    };
    const byName = await fromHeader(builder);
    expect(await byName.first().locator('.kind').textContent()).toBe('builder');
    await (await fromHeader(change.revision.slice(0, 8))).locator('a').first().click();
    await landedOn(`change/${change.changeid}/`);
    const authorName = change.author.split('<')[0]!.trim();
    const titles = await (await fromHeader(authorName)).locator('a').allTextContents();
    expect(titles.some((title) => title.includes(authorName))).toBe(true);
  });

  it('finds a build by builder name and number', async () => {
    const build = db.prepare('SELECT b.id, b.number, bl.name FROM builds b JOIN builders bl ON bl.id = b.builderid WHERE b.number > 3 ORDER BY b.id LIMIT 1').get() as { id: number; number: number; name: string };
    await searchFor(`${build.name} ${build.number}`, 'names');
    await page.locator('#search-results a', { hasText: `#${build.number}` }).first().click();
    await landedOn(`build/${build.id}/`);
  });

  it("finds a failure from a raw error line pasted into the header's box, with its own time, process id and address", async () => {
    // No log holds this line: its prefix, PID and address are this test's own.
    const line = '23:59:58     INFO - PID 4242 | TEST-UNEXPECTED-FAIL | dom/base/nsGlobalWindow.cpp | assertion count 1 is more than expected 0 at 0x7f3a2b1c9d00';
    await page.goto(`${base}builders/index.html`);
    await page.fill('header.site input[name=q]', line);
    await page.press('header.site input[name=q]', 'Enter');
    await page.waitForSelector('#search-results li', { timeout: 20_000 });
    const titles = await page.locator('#search-results li a').allTextContents();
    const at = titles.findIndex((title) => title.includes('TEST-UNEXPECTED-FAIL | dom/base/nsGlobalWindow.cpp'));
    expect(at, titles.join('\n')).toBeGreaterThanOrEqual(0);
    expect(at).toBeLessThan(3);
    await page.locator('#search-results li a').nth(at).click();
    await page.waitForURL(/\/failure\/[0-9a-f]+\/index\.html$/);
    expect(await page.locator('p.signature code').textContent()).toBe('TEST-UNEXPECTED-FAIL | dom/base/nsGlobalWindow.cpp | assertion count 1 is more than expected 0');
  });

  it('keeps HTML in commit messages inert in result excerpts', async () => {
    await searchFor('Longer description quotes', 'changes');
    expect(await page.locator('#search-results .excerpt').count()).toBeGreaterThan(0);
    expect(await page.locator('#search-results .excerpt *:not(mark)').count()).toBe(0);
  });

  it('says search needs HTTP when the page is opened from disk', async () => {
    await page.goto(`file://${await fixtureArchive('buildbot')}/search/index.html`);
    await expect.poll(() => page.locator('#search-status').textContent()).toContain('needs the archive served over HTTP');
  });
});
