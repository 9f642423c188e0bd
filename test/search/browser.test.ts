import Database from 'better-sqlite3';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILDBOT_FIXTURE, fixtureArchive, querySnapshot } from '../helpers/archive.ts';
import { SUB_PATH, launchChromium, serveUnder } from '../helpers/browser.ts';

describe('searching the archive in a browser', () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let base: string;
  let db: Database.Database;

  beforeAll(async () => {
    ({ server, base } = await serveUnder(await fixtureArchive('buildbot')));
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

  /** Every result of the search on screen: "more" pressed until it hides; the status's total, and each result's link and date. */
  async function allResults(): Promise<{ total: number; results: { href: string; date: string }[] }> {
    const more = page.locator('#search-more');
    while (await more.isVisible()) {
      const shown = await page.locator('#search-results > li').count();
      await more.click();
      await expect.poll(() => page.locator('#search-results > li').count()).toBeGreaterThan(shown);
    }
    const status = (await page.locator('#search-status').textContent()) ?? '';
    const results = await page.locator('#search-results > li').evaluateAll((items) =>
      items.map((item) => ({ href: item.querySelector('a')!.getAttribute('href')!, date: item.querySelector('.date')?.textContent ?? '' })),
    );
    return { total: Number(/^([\d,]+) results?\.$/.exec(status)?.[1]?.replace(/,/g, '')), results };
  }
  const changePath = (id: number) => `${SUB_PATH}change/${id}/index.html`;

  it("finds an author's changes, dated, newest first, every one of them reachable", async () => {
    const author = db
      .prepare("SELECT author FROM changes WHERE author LIKE '%<%' GROUP BY author HAVING count(*) > 30 ORDER BY count(*) DESC, author LIMIT 1")
      .pluck()
      .get() as string;
    const theirs = db.prepare('SELECT changeid FROM changes WHERE author = ?').pluck().all(author) as number[];
    await searchFor(author.split('<')[0]!.trim(), 'changes');
    const { total, results } = await allResults();
    // More than one screenful, all reachable: the list holds one item per result and nothing else.
    expect(total).toBeGreaterThan(30);
    expect(results).toHaveLength(total);
    const paths = results.map((result) => new URL(result.href).pathname);
    expect(new Set(paths).size).toBe(total);
    for (const id of theirs) expect(paths).toContain(changePath(id));
    const dates = results.map((result) => result.date);
    expect(dates.every((date) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/.test(date)), dates.join('\n')).toBe(true);
    expect(dates).toEqual([...dates].sort().reverse());
  });

  it('finds the changes of a file named in Japanese by its name as people read it', async () => {
    // git quotes the file name's bytes (`\346\227\245…`); the change pages show it decoded.
    const ids = db.prepare("SELECT DISTINCT changeid FROM change_files WHERE filename LIKE '%\\346\\227\\245\\346\\234\\254\\350\\252\\236%'").pluck().all() as number[];
    expect(ids.length).toBeGreaterThan(0);
    await searchFor('日本語', 'changes');
    const { total, results } = await allResults();
    expect(results).toHaveLength(total);
    const paths = results.map((result) => new URL(result.href).pathname);
    for (const id of ids) expect(paths).toContain(changePath(id));
  });

  it("downloads Pagefind's runtime once, whichever parts of the search it reads", async () => {
    const runtime: string[] = [];
    const watch = (request: { url: () => string }) => {
      if (/\/(pagefind\.js|pagefind-worker\.js|wasm\.[^/]*\.pagefind)$/.test(request.url())) runtime.push(request.url());
    };
    page.on('request', watch);
    try {
      await page.goto(`${base}search/index.html?q=${encodeURIComponent('nsGlobalWindow')}&scope=all`);
      await page.waitForSelector('#search-results li', { timeout: 20_000 });
      await page.check('input[name=scope][value=changes]');
      await page.check('input[name=scope][value=failures]');
      await expect.poll(() => page.locator('#search-status').textContent()).toMatch(/results?\.$/);
    } finally {
      page.off('request', watch);
    }
    expect(runtime.map((url) => url.split('/').at(-1)).sort()).toEqual(['pagefind-worker.js', 'pagefind.js', 'wasm.en.pagefind']);
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
