/**
 * `sitemap.xml` (sitemaps.org 0.9) for an archive with a --base-url: every page's absolute
 * address. Past 50,000 addresses — the protocol's limit for one file — sitemap.xml is an index of
 * `sitemaps/<n>.xml` files of 50,000 each.
 *
 * Written from the files, not the record: an update writes only what changed, so its sitemap is
 * the pages already in the archive together with those the update adds.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { RECORD_DIR } from '../record/record.ts';
import { urls } from '../urls.ts';

const SITEMAP_FILE = 'sitemap.xml';
const SITEMAPS_DIR = 'sitemaps';
const URLS_PER_SITEMAP = 50_000;

/** Folders of the archive that hold no pages. */
const NOT_PAGES = new Set([RECORD_DIR, 'assets', 'pagefind', SITEMAPS_DIR]);

/**
 * Writes the sitemap of the pages under `dirs` (the rendered site, and for an update the archive it
 * updates) into `site`. Returns the number of addresses.
 */
export function writeSitemap(site: string, dirs: readonly string[], baseUrl: string, perFile = URLS_PER_SITEMAP): number {
  const pages = new Set(dirs.flatMap(pagesUnder));
  const addresses = [...pages].map((page) => new URL(encodeURI(page.replace(/(^|\/)index\.html$/, '$1')), baseUrl).href).sort();
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

/** Paths of the HTML pages under `dir`, relative to it, with '/' between folders. */
function pagesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((path) => path.split(sep).join('/'))
    .filter((path) => path.endsWith('.html') && path !== urls.notFound() && !NOT_PAGES.has(path.split('/')[0]!));
}

const xmlEscaped = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const urlset = (addresses: readonly string[]) =>
  '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' +
  addresses.map((address) => `<url><loc>${xmlEscaped(address)}</loc></url>\n`).join('') +
  '</urlset>\n';

const sitemapIndex = (files: readonly string[]) =>
  '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' +
  files.map((file) => `<sitemap><loc>${xmlEscaped(file)}</loc></sitemap>\n`).join('') +
  '</sitemapindex>\n';
