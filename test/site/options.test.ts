import { parse } from 'node-html-parser';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { readConfig } from '../../src/config.ts';
import { TEMPLATES_DIR } from '../../src/render/nunjucks.ts';
import { writeSitemap } from '../../src/render/sitemap.ts';
import { STATUSDB_FIXTURE, archiveFiles, count, locs, quiet, readPage, scratchDir, sitemapAddresses, text } from '../helpers/archive.ts';

const BASE = 'https://ci.example.org/archive/';
const pageAddresses = (out: string) => sitemapAddresses(out, BASE);
/** The addresses the sitemap in `dir` lists, through its index of sitemaps if it is one. */
const listedIn = (dir: string) => {
  const xml = readFileSync(join(dir, 'sitemap.xml'), 'utf8');
  const listed = locs(xml);
  return xml.includes('<sitemapindex') ? listed.flatMap((part) => locs(readFileSync(join(dir, part.slice(BASE.length)), 'utf8'))) : listed;
};

/**
 * One build of the statusdb recording with every option a user sets: a config file gives the
 * output folder, the base URL and a templates overlay; the command line's --title wins over the
 * config's.
 */
describe('build options: config file, --title, --base-url, --templates', () => {
  const dir = scratchDir();
  const out = join(dir, 'public');
  const theme = join(dir, 'theme');
  let stdout = '';

  beforeAll(async () => {
    // The overlay: copra's layout with a logo line, and a home page body of the user's own.
    mkdirSync(join(theme, '_includes', 'layouts'), { recursive: true });
    mkdirSync(join(theme, '_includes', 'pages'), { recursive: true });
    mkdirSync(join(theme, 'assets'), { recursive: true });
    const layout = readFileSync(join(TEMPLATES_DIR, '_includes', 'layouts', 'base.njk'), 'utf8');
    writeFileSync(join(theme, '_includes', 'layouts', 'base.njk'), layout.replace('<header class="site">', '<header class="site"><img class="logo" src="{{ p.nav.home }}assets/logo.svg" alt="Example CI">'));
    writeFileSync(join(theme, '_includes', 'pages', 'home.njk'), '{% extends "layouts/base.njk" %}{% block content %}<h1 class="welcome">Our CI, {{ p.heading }}</h1>{% endblock %}');
    writeFileSync(join(theme, 'assets', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(
      join(dir, 'copra.config.json'),
      JSON.stringify({ out: 'public', title: 'From the config', 'base-url': BASE.slice(0, -1), templates: 'theme', 'no-search': true, jobs: 2 }),
    );
    const io = { stdout: { write: (s: string) => void (stdout += s) }, stderr: quiet };
    expect(await main(['build', STATUSDB_FIXTURE, '--config', join(dir, 'copra.config.json'), '--title', 'Example CI'], io)).toBe(0);
  }, 120_000);

  it('takes the config file’s options, and the command line’s over them', () => {
    expect(stdout).toContain(`to ${join(dir, 'public')}`);
    expect(stdout).toContain('no search');
    const home = readPage(out, '');
    expect(text(home.querySelector('header a.home'))).toBe('Example CI');
    // Every page's title ends with the archive's: the home page's is the archive's alone.
    expect(text(home.querySelector('title'))).toBe('Example CI');
    expect(text(readPage(out, 'builders/').querySelector('title'))).toBe('Builders · Example CI');
  });

  it('gives every page its canonical address under --base-url', () => {
    const pages = archiveFiles(out).filter((file) => file.endsWith('.html') && !file.startsWith('.copra/'));
    for (const page of pages) {
      const canonical = readPage(out, page).querySelector('link[rel="canonical"]')?.getAttribute('href');
      expect(canonical, page).toBe(page === '404.html' ? undefined : BASE + page.replace(/index\.html$/, ''));
    }
  });

  it('links feeds absolutely under --base-url', () => {
    const builders = count(STATUSDB_FIXTURE, 'SELECT count(*) FROM builders');
    expect(builders).toBeGreaterThan(0);
    const feed = parse(readFileSync(join(out, 'builder', '1', 'feed.xml'), 'utf8'));
    expect(feed.querySelector('link[rel="self"]')?.getAttribute('href')).toBe(`${BASE}builder/1/feed.xml`);
    expect(feed.querySelector('link[rel="alternate"]')?.getAttribute('href')).toBe(`${BASE}builder/1/`);
    const entries = feed.querySelectorAll('entry link').map((link) => link.getAttribute('href'));
    expect(entries.length).toBeGreaterThan(0);
    for (const href of entries) expect(href).toMatch(new RegExp(`^${BASE}build/\\d+/$`));
  });

  it('writes a sitemap of every page, and an index of sitemaps past the limit of one file', () => {
    const expected = pageAddresses(out);
    expect(locs(readFileSync(join(out, 'sitemap.xml'), 'utf8'))).toEqual(expected);

    const split = scratchDir();
    expect(writeSitemap(split, BASE, out, 1000)).toBe(expected.length);
    const parts = locs(readFileSync(join(split, 'sitemap.xml'), 'utf8'));
    expect(parts).toEqual(Array.from({ length: Math.ceil(expected.length / 1000) }, (_, i) => `${BASE}sitemaps/${i + 1}.xml`));
    expect(listedIn(split)).toEqual(expected);
  });

  it("lists an updated archive's pages as its sitemap does, one file or an index of them, and walks an archive without a whole one", () => {
    const withPages = (pages: string[]) => {
      const site = scratchDir();
      for (const page of pages) {
        mkdirSync(join(site, dirname(page)), { recursive: true });
        writeFileSync(join(site, page), '');
      }
      return site;
    };
    // What an update renders: pages new to the archive and pages it has.
    const rendered = ['build/999999/index.html', 'builder/1/index.html', 'change/7/a&b.html'];
    // Archives that hold a sitemap and no pages, one file and an index, and one with pages only.
    const oneFile = scratchDir();
    copyFileSync(join(out, 'sitemap.xml'), join(oneFile, 'sitemap.xml'));
    const indexed = scratchDir();
    writeSitemap(indexed, BASE, out, 1000);
    const unlisted = withPages(['build/1/index.html', 'workers/index.html']);
    // An index whose second sitemap is gone: its pages are walked.
    const damaged = withPages(['build/2/index.html']);
    writeSitemap(damaged, BASE, out, 1000);
    rmSync(join(damaged, 'sitemaps', '2.xml'));
    const cases: [string, string[]][] = [
      [oneFile, pageAddresses(out)],
      [indexed, pageAddresses(out)],
      [unlisted, pageAddresses(unlisted)],
      [damaged, pageAddresses(damaged)],
    ];
    for (const [archive, archived] of cases) {
      const site = withPages(rendered);
      const expected = [...new Set([...archived, ...pageAddresses(site)])].sort();
      expect(writeSitemap(site, BASE, archive, 1000)).toBe(expected.length);
      expect(listedIn(site), archive).toEqual(expected);
    }
  });

  it('lays the --templates folder over copra’s: its layout on every page, its home page, its assets', () => {
    const pages = archiveFiles(out).filter((file) => file.endsWith('.html') && !file.startsWith('.copra/'));
    for (const page of pages) expect(readPage(out, page).querySelector('header img.logo'), page).not.toBeNull();
    expect(text(readPage(out, '').querySelector('h1.welcome'))).toBe('Our CI, Example CI');
    expect(readPage(out, '').querySelector('.summary')).toBeNull();
    expect(readFileSync(join(out, 'assets', 'logo.svg'), 'utf8')).toContain('<svg');
    expect(readFileSync(join(out, 'assets', 'copra.css'), 'utf8')).toBe(readFileSync(join(TEMPLATES_DIR, 'assets', 'copra.css'), 'utf8'));
  });

  it('updates such an archive page by page, its sitemap still listing every page', async () => {
    let update = '';
    const io = { stdout: { write: (s: string) => void (update += s) }, stderr: quiet };
    const snapshot = join(dir, 'again.sqlite');
    copyFileSync(STATUSDB_FIXTURE, snapshot);
    expect(await main(['build', snapshot, '--config', join(dir, 'copra.config.json'), '--title', 'Example CI'], io)).toBe(0);
    expect(update).toMatch(/^Update: 0 new builds/m);
    expect(update).not.toMatch(/Wrote [1-9]\d{3,} pages/);
    expect(locs(readFileSync(join(out, 'sitemap.xml'), 'utf8'))).toEqual(pageAddresses(out));
    expect(text(readPage(out, '').querySelector('header a.home'))).toBe('Example CI');
  }, 120_000);
});

describe('config files and option values that cannot be used', () => {
  const dir = scratchDir();

  it('reads ./copra.config.json when no file is named, with paths relative to it', () => {
    expect(readConfig(undefined, dir)).toEqual({});
    writeFileSync(join(dir, 'copra.config.json'), '{"out": "site", "jobs": 3, "strict": true}');
    expect(readConfig(undefined, dir)).toEqual({ out: join(dir, 'site'), jobs: '3', strict: true });
  });

  it.each([
    ['not JSON', '{out: site}', /bad\.json is not valid JSON/],
    ['not an object', '["--out", "site"]', /should hold one JSON object/],
    ['an unknown option', '{"output": "site"}', /bad\.json: unknown option "output" \(known: out, title/],
    ['a value of the wrong type', '{"jobs": "many"}', /bad\.json: "jobs" takes a number, not "many"/],
  ])('refuses a config file that is %s, naming the file and the fix', async (_what, content, message) => {
    writeFileSync(join(dir, 'bad.json'), content);
    let stderr = '';
    const code = await main(['build', STATUSDB_FIXTURE, '--config', join(dir, 'bad.json'), '--out', join(dir, 'never')], {
      stdout: quiet,
      stderr: { write: (s: string) => void (stderr += s) },
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it.each([
    [['--base-url', 'ftp://ci.example.org/'], /--base-url takes the http or https address/],
    [['--base-url', 'javascript:alert(1)'], /--base-url takes the http or https address/],
    [['--templates', '/no/such/theme'], /--templates \/no\/such\/theme: no such folder/],
  ])('refuses %j with one line', async (args, message) => {
    let stderr = '';
    const code = await main(['build', STATUSDB_FIXTURE, '--out', join(dir, 'never'), ...args], { stdout: quiet, stderr: { write: (s: string) => void (stderr += s) } });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});
