/**
 * `sitemap.xml` (sitemaps.org 0.9) for an archive with a --base-url: every page's absolute
 * address. Past 50,000 addresses — the protocol's limit for one file — sitemap.xml is an index of
 * `sitemaps/<n>.xml` files of 50,000 each.
 *
 * Written from the files, not the record: an update writes only what changed, so its sitemap is
 * the pages already in the archive, as its sitemap lists them, together with those the update adds.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, sep } from 'node:path';
import { notFoundUrl } from '../pages/notFoundPage.ts';
import { RECORD_DIR } from '../record/record.ts';


const SITEMAP_FILE = 'sitemap.xml';
const SITEMAPS_DIR = 'sitemaps';
const URLS_PER_SITEMAP = 50_000;

/** Folders of the archive that hold no pages. */
const NOT_PAGES = new Set([RECORD_DIR, 'assets', 'pagefind', SITEMAPS_DIR]);

/**
 * Writes the sitemap of the pages under `site` into it, and for an update those of the `archive`
 * it updates. Returns the number of addresses.
 */
export function writeSitemap(site: string, baseUrl: string, archive: string | null = null, perFile = URLS_PER_SITEMAP): number {
  const address = (page: string) => new URL(encodeURI(page.replace(/(^|\/)index\.html$/, '$1')), baseUrl).href;
  const listed = new Set(pagesUnder(site).map(address));
  if (archive) for (const archived of archivedAddresses(archive) ?? pagesUnder(archive).map(address)) listed.add(archived);
  const addresses = [...listed].sort();
  if (addresses.length <= perFile) {
    writeFileSync(join(site, SITEMAP_FILE), urlset(addresses));
    return addresses.length;
  }
  mkdirSync(join(site, SITEMAPS_DIR), { recursive: true });
  const parts: string[] = [];
  for (let start = 0; start < addresses.length; start += perFile) {
    const file = `${SITEMAPS_DIR}/${parts.length + 1}.xml`;
    writeFileSync(join(site, file), urlset(addresses.slice(start, start + perFile)));
    parts.push(new URL(file, baseUrl).href);
  }
  writeFileSync(join(site, SITEMAP_FILE), sitemapIndex(parts));
  return addresses.length;
}

/**
 * The addresses the sitemap of `archive` lists (its base URL is this build's: another one rebuilds
 * the archive), or null when it has none or lacks a file its index names. Reading it spares
 * walking the archive's files, which at a million builds are millions, mostly not in the page
 * cache hours after the last build.
 */
function archivedAddresses(archive: string): string[] | null {
  const sitemap = join(archive, SITEMAP_FILE);
  if (!existsSync(sitemap)) return null;
  const xml = readFileSync(sitemap, 'utf8');
  if (!xml.includes('<sitemapindex')) return locs(xml);
  const files = locs(xml).map((file) => join(archive, SITEMAPS_DIR, basename(new URL(file).pathname)));
  return files.every((file) => existsSync(file)) ? files.flatMap((file) => locs(readFileSync(file, 'utf8'))) : null;
}

const locs = (xml: string) => Array.from(xml.matchAll(/<loc>([^<]*)<\/loc>/g), ([, loc]) => xmlUnescaped(loc!));

/** Paths of the HTML pages under `dir`, relative to it, with '/' between folders. */
function pagesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((path) => path.split(sep).join('/'))
    .filter((path) => path.endsWith('.html') && path !== notFoundUrl() && !NOT_PAGES.has(path.split('/')[0]!));
}

const xmlEscaped = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const xmlUnescaped = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

const urlset = (addresses: readonly string[]) =>
  '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' +
  addresses.map((address) => `<url><loc>${xmlEscaped(address)}</loc></url>\n`).join('') +
  '</urlset>\n';

const sitemapIndex = (files: readonly string[]) =>
  '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' +
  files.map((file) => `<sitemap><loc>${xmlEscaped(file)}</loc></sitemap>\n`).join('') +
  '</sitemapindex>\n';
