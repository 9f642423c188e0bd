import { boardUrl } from './boardPage.ts';
import { homeUrl } from './homePage.ts';
import { summaryPageKind } from './kind.ts';
import { Linker, type PageBase, type Site, pageBase } from './site.ts';

/** What static hosts serve for an unknown path: at the root, so its links start there. */
export function notFoundUrl(): string {
  return '404.html';
}

export interface NotFoundPage extends PageBase {
  file: string;
  /**
   * A static host serves 404.html at whatever address was asked for, so the page's links, written
   * from the root, need a `<base>`: a script finds the root in the address as what precedes the
   * first of the archive's top directories.
   */
  rootPattern: string;
  /** Where the archive is served (--base-url), as a path; null when not known. */
  rootPath: string | null;
  builders: string;
}

/** `404.html` at the root, which static hosts serve for an unknown address. */
export const notFoundKind = summaryPageKind('notfound', { folder: null }, '404 page', ({ site }) => notFoundPage(site));

function notFoundPage(site: Site): NotFoundPage {
  const link = new Linker(homeUrl(), site);
  return {
    ...pageBase(link, site, 'Not in this archive'),
    // Served at every unknown address: it is no page's canonical form.
    canonical: null,
    file: notFoundUrl(),
    rootPattern: `/(${site.topFolders.join('|')})/.*$`,
    rootPath: site.baseUrl === null ? null : new URL(site.baseUrl).pathname,
    builders: link.to(boardUrl()),
  };
}
