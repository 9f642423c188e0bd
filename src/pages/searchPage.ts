import { assetUrl, type PageUrl } from '../urls.ts';
import type { PageKind } from './kind.ts';
import { Linker, type PageBase, type Site, pageBase } from './site.ts';

export function searchUrl(): PageUrl {
  return 'search/';
}

export interface SearchPage extends PageBase {
  /** False when the archive was built with --no-search. */
  available: boolean;
  tagWord: string;
  script: string;
  /** Whether the archive has test results, whose names are searchable. */
  tests: boolean;
}

/** The search page: only the archive's name and options change it, and those render everything. */
export const searchKind: PageKind<object> = {
  name: 'search',
  body: 'search',
  folder: 'search',
  section: { text: 'Search', url: searchUrl() },
  plan: () => [{}],
  changed: () => [],
  pageCount: () => 1,
  weight: () => 1,
  describe: () => 'search page',
  pages: ({ site, options }) => [searchPage(site, options.search)],
};

export function searchPage(site: Site, available: boolean): SearchPage {
  const link = new Linker(searchUrl(), site);
  return {
    ...pageBase(link, site, 'Search'),
    available,
    tagWord: site.tagWord,
    script: link.to(assetUrl('search.js')),
    tests: site.sections.has('tests'),
  };
}
