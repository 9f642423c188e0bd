import { urls } from '../urls.ts';
import { Linker, type PageBase, type Site, pageBase } from './site.ts';

export interface SearchPage extends PageBase {
  /** False when the archive was built with --no-search. */
  available: boolean;
  tagWord: string;
  script: string;
}

export function searchPage(site: Site, available: boolean): SearchPage {
  const link = new Linker(urls.search(), site);
  return {
    ...pageBase(link, site, 'Search'),
    available,
    tagWord: site.tagWord,
    script: link.to(urls.asset('search.js')),
  };
}
