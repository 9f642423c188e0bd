/**
 * Every page's address, and every link between pages. Pages live at `<dir>/index.html`; links are
 * relative and name `index.html` explicitly, so the archive works from any sub-path of any host
 * and straight from disk.
 */
import { createHash } from 'node:crypto';

/** A page's directory relative to the site root: '' for the home page, else ending in '/'. */
export type PageUrl = string;

/** Page `page` of a list paged from the newest (page 1 at the list's own address). */
export const paged = (base: string, page: number): PageUrl => (page <= 1 ? base : `${base}${page}/`);

/**
 * Pages numbered from the oldest (see fixedPaging in pages/paging.ts): the newest page is the
 * list's own address, so new items change only the newest pages.
 */
export const fixedPaged = (base: string, page: number, pageCount: number): PageUrl => (page >= pageCount ? base : `${base}page/${page}/`);

/** Static files: a path, not a page directory. */
export function assetUrl(name: string): string {
  return `assets/${name}`;
}

/** The folders at the archive's root that hold no pages: its stylesheet and scripts, and the search indexes. */
export const FOLDERS_WITHOUT_PAGES = ['assets', 'pagefind'];

/** A branch as a path segment. '~' only starts an escape in pathSegment, so `~none` cannot collide with a branch's name. */
export const branchSegment = (branch: string | null) => (branch === null ? '~none' : pathSegment(branch));

/**
 * The longest segment pathSegment writes: with a raw log's `.txt` it stays under the 143 bytes
 * eCryptfs allows a file name (most file systems allow 255).
 */
const MAX_SEGMENT = 120;
/** Names Windows reserves for devices: no file or directory may have them, whatever its extension. */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;

/** A name that pathSegment keeps as it is: kept characters only, no dot first or last. */
const KEPT_AS_IS = /^[a-z0-9_-](?:[a-z0-9_.-]*[a-z0-9_-])?$/;

const escapeByte = (byte: number) => `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;

/**
 * A name as one path segment that any file system keeps apart from every other name's, and that
 * any static host serves. Lowercase letters, digits, '-', '_' and inner dots stay; every other
 * byte of the name's UTF-8 becomes `~XX` (uppercase hex): capitals too, so names that differ only
 * in case stay distinct on macOS and Windows, and a first or last dot, so no segment is `.`, `..`,
 * a hidden file, or a name Windows trims. The first letter of a Windows device name (`con`,
 * `nul.txt`) is escaped as well. Since `~` is always escaped and starts an escape of exactly two
 * hex digits, the encoding is injective, even with the case of every letter folded.
 *
 * A segment longer than MAX_SEGMENT is cut to the start of its encoding, `~~` (which no encoding
 * holds) and a hash of the whole name: distinct long names stay distinct but for a 64-bit hash
 * collision.
 */
export function pathSegment(name: string): string {
  // Most names (revisions, numbers, lowercase builder names) are their own segment: a page has dozens.
  if (name.length <= MAX_SEGMENT && KEPT_AS_IS.test(name) && !WINDOWS_DEVICE.test(name)) return name;
  const bytes = [...Buffer.from(name, 'utf8')];
  const device = WINDOWS_DEVICE.test(name);
  const segment = bytes
    .map((byte, index) => {
      const char = String.fromCharCode(byte);
      const kept = char === '.' ? index > 0 && index < bytes.length - 1 : /[a-z0-9_-]/.test(char) && !(device && index === 0);
      return kept ? char : escapeByte(byte);
    })
    .join('');
  if (segment === '') return '~';
  if (segment.length <= MAX_SEGMENT) return segment;
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 16);
  // The start of the encoding without a partial escape: a reader sees where the name began.
  const start = segment.slice(0, MAX_SEGMENT - hash.length - 2).replace(/~[0-9A-F]?$/, '');
  return `${start}~~${hash}`;
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

/** The way from the page at `from` up to the archive's root: `../` for each folder. */
export function upToRoot(from: PageUrl): string {
  const depth = from === '' ? 0 : from.split('/').length - 1;
  return '../'.repeat(depth);
}

/** What a link from the root names: a folder's page by its file, so archives open from disk too. */
export function linkTarget(to: string): string {
  return to === '' || to.endsWith('/') ? `${to}index.html` : to;
}

/**
 * A URL from the snapshot as a link target, or null when it must be shown as text: only web
 * links become links, so a stored `javascript:` or `data:` URL never runs in the archive's origin.
 */
export function webHref(url: string | null): string | null {
  const trimmed = url?.trim() ?? '';
  if (!/^https?:\/\/[^\s]/i.test(trimmed)) return null;
  // As a browser would write it: a space inside becomes %20, so the href is a valid URL.
  try {
    return new URL(trimmed).href;
  } catch {
    return null;
  }
}
