/**
 * Every page's address, and every link between pages. Pages live at `<dir>/index.html`; links are
 * relative and name `index.html` explicitly, so the archive works from any sub-path of any host
 * and straight from disk.
 */

/** A page's directory relative to the site root: '' for the home page, else ending in '/'. */
export type PageUrl = string;

const paged = (base: string, page: number): PageUrl => (page <= 1 ? base : `${base}${page}/`);
/**
 * Pages numbered from the oldest (see fixedPaging in pages/paging.ts): the newest page is the
 * list's own address, so new items change only the newest pages.
 */
const fixedPaged = (base: string, page: number, pageCount: number): PageUrl => (page >= pageCount ? base : `${base}page/${page}/`);

export type ListingKey =
  | { kind: 'all' }
  | { kind: 'nonempty' }
  | { kind: 'branch'; branch: string | null }
  | { kind: 'tag'; tag: string };

export const urls = {
  home: (): PageUrl => '',
  search: (): PageUrl => 'search/',
  build: (id: number): PageUrl => `build/${id}/`,
  /** A builder's builds, newest page by default. */
  builder: (id: number, page = 1, pageCount = 1): PageUrl => fixedPaged(`builder/${id}/`, page, pageCount),
  worker: (id: number, page = 1, pageCount = 1): PageUrl => fixedPaged(`worker/${id}/`, page, pageCount),
  master: (id: number, page = 1, pageCount = 1): PageUrl => fixedPaged(`master/${id}/`, page, pageCount),
  source: (id: number, page = 1): PageUrl => paged(`source/${id}/`, page),
  /** A listing's pages are numbered from the oldest stamp; the newest is the listing's own address. */
  listing: (key: ListingKey, page: number, pageCount: number): PageUrl => fixedPaged(listingBase(key), page, pageCount),
  log: (buildId: number, logId: number): PageUrl => `build/${buildId}/log/${logId}/`,
  /** A log's raw text, beside its page. */
  rawLog: (buildId: number, logId: number, slug: string): string => `build/${buildId}/log/${logId}/${pathSegment(slug)}.txt`,
  /** Static files: a path, not a page directory. */
  asset: (name: string): string => `assets/${name}`,
};

function listingBase(key: ListingKey): PageUrl {
  switch (key.kind) {
    case 'all':
      return 'sources/';
    case 'nonempty':
      return 'sources/nonempty/';
    case 'branch':
      // '~' only starts an escape in pathSegment, so this cannot collide with a branch name.
      return `sources/branch/${key.branch === null ? '~none' : pathSegment(key.branch)}/`;
    case 'tag':
      return `sources/tag/${pathSegment(key.tag)}/`;
  }
}

/**
 * A name as one path segment, injectively: letters, digits, '.', '-' and '_' stay; every other
 * byte of its UTF-8 becomes `~XX`. Names of only dots would be special directories, so they are
 * escaped too.
 */
export function pathSegment(name: string): string {
  const safe = [...Buffer.from(name, 'utf8')]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9._-]/.test(char) ? char : `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
  if (safe === '') return '~';
  return /^\.+$/.test(safe) ? safe.replaceAll('.', '~2E') : safe;
}

/**
 * Whether a directory of the archive is written as a whole — a log's page with its raw file, a
 * search index — so that an update replaces it whole and leaves none of the old version's files.
 */
export function replacedWhole(dir: string): boolean {
  return /^build\/[^/]+\/log\/[^/]+$/.test(dir) || /^pagefind\/[^/]+$/.test(dir);
}

/** The file Eleventy writes for a page. */
export function outputPath(url: PageUrl): string {
  return `${url}index.html`;
}

/** A link from the page at `from` to the page (or asset) at `to`. */
export function relativeHref(from: PageUrl, to: string): string {
  const depth = from === '' ? 0 : from.split('/').length - 1;
  const target = to === '' || to.endsWith('/') ? `${to}index.html` : to;
  return '../'.repeat(depth) + target;
}

/**
 * A URL from the snapshot as a link target, or null when it must be shown as text: only web
 * links become links, so a stored `javascript:` or `data:` URL never runs in the archive's origin.
 */
export function webHref(url: string | null): string | null {
  return url !== null && /^https?:\/\/[^\s]/i.test(url.trim()) ? url.trim() : null;
}
