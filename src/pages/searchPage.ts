import { urls } from '../urls.ts';
import type { PageKind } from './kind.ts';
import { Linker, type PageBase, type Site, pageBase } from './site.ts';

export interface SearchPage extends PageBase {
  /** False when the archive was built with --no-search. */
  available: boolean;
  tagWord: string;
  script: string;
}

/** The search page: only the archive's name and options change it, and those render everything. */
export const searchKind: PageKind<object> = {
  name: 'search',
  template: 'search',
  plan: () => [{}],
  changed: () => [],
  pageCount: () => 1,
  weight: () => 1,
  describe: () => 'search page',
  pages: ({ site, options }) => [searchPage(site, options.search)],
};

export function searchPage(site: Site, available: boolean): SearchPage {
  const link = new Linker(urls.search(), site);
  return {
    ...pageBase(link, site, 'Search'),
    available,
    tagWord: site.tagWord,
    script: link.to(urls.asset('search.js')),
  };
}
