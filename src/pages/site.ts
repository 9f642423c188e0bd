import type { Builder, Master, Project, SchemaKind, Worker } from '../model/types.ts';
import type { RecordReader } from '../record/reader.ts';
import { type PageUrl, assetUrl, linkTarget, upToRoot } from '../urls.ts';
import { builderUrl, masterUrl, workerUrl } from './entityPage.ts';
import { failuresFeedUrl } from './feeds.ts';
import { homeUrl } from './homePage.ts';
import { type ListingKey, listingUrl } from './listing.ts';
import { searchUrl } from './searchPage.ts';
import type { DataWarning, Problem } from './warnings.ts';

/** One of the archive's sections, as every page's header links it. */
export interface Section {
  text: string;
  url: PageUrl;
}

/**
 * What every page model needs to know about the archive as a whole: the small tables (builders,
 * workers, masters) by id, the values that decide a build's platform, and what the list of kinds
 * says of the archive's layout. Built once per process, by the planner.
 */
export interface Site {
  schema: SchemaKind;
  /** The archive's title (the first snapshot's file name, or --title), which every page names. */
  name: string;
  builders: Map<number, Builder>;
  workers: Map<number, Worker>;
  masters: Map<number, Master>;
  /** buildbot 3.9+ projects; empty where the snapshots had none. */
  projects: Map<number, Project>;
  /** Whether the CI's builds report test results or build data (buildbot 2.9+). */
  buildReports: boolean;
  /** Every value the `platform` property takes: a builder tag among them names the platform. */
  platforms: Set<string>;
  /** What builder tags are called in this schema. */
  tagWord: 'tag' | 'category';
  /** Where the archive is served (--base-url), ending in '/'; null when not known. */
  baseUrl: string | null;
  /** The sections of every page's header, in order, by the name of the kind whose page each is. */
  sections: Map<string, Section>;
  /** The folders at the archive's root: where a 404 page finds the root in an address. */
  topFolders: string[];
}

/** What the list of kinds says of the archive's layout, for loadSite. */
export interface Layout {
  sections: Map<string, Section>;
  topFolders: string[];
}

export function loadSite(record: RecordReader, name: string, baseUrl: string | null, layout: Layout): Site {
  const byId = <T extends { id: number }>(rows: T[]) => new Map(rows.map((row) => [row.id, row]));
  return {
    schema: record.schema.kind,
    name,
    builders: byId(record.builders()),
    workers: byId(record.workers()),
    masters: byId(record.masters()),
    projects: byId(record.projects()),
    buildReports: record.hasBuildReports(),
    platforms: new Set(record.platformValues()),
    tagWord: record.schema.kind === 'statusdb' ? 'category' : 'tag',
    baseUrl,
    ...layout,
  };
}

/**
 * Whether two sites show their builders, workers, masters, projects, platforms and sections the
 * same way: every row of `before` unchanged in `after` (rows may be added), the same platform
 * values, sections and title. Otherwise almost every page names something that changed.
 */
export function sameSite(before: Site, after: Site): boolean {
  const sameRows = <T>(rows: Map<number, T>, others: Map<number, T>) =>
    [...rows].every(([id, row]) => others.has(id) && JSON.stringify(others.get(id)) === JSON.stringify(row));
  return (
    before.name === after.name &&
    before.schema === after.schema &&
    sameRows(before.builders, after.builders) &&
    sameRows(before.workers, after.workers) &&
    sameRows(before.masters, after.masters) &&
    sameRows(before.projects, after.projects) &&
    before.buildReports === after.buildReports &&
    JSON.stringify([...before.sections.keys()]) === JSON.stringify([...after.sections.keys()]) &&
    JSON.stringify([...before.platforms]) === JSON.stringify([...after.platforms])
  );
}

export interface Link {
  /** Null for a row the snapshot does not have: shown, never linked. */
  href: string | null;
  text: string;
}

/**
 * Links as seen from one page: every href a page model hands its template comes from here. It
 * also keeps what the page met that is wrong in the snapshot's rows (an orphan it could not link,
 * a value it could not read): the page model carries them (`PageBase.warnings`), nothing else does.
 */
export class Linker {
  /** Computed once: a page makes hundreds of links. */
  private readonly up: string;
  /** What is wrong in the rows this page shows. */
  readonly warnings: DataWarning[] = [];

  constructor(
    readonly from: PageUrl,
    private readonly site: Site,
  ) {
    this.up = upToRoot(from);
  }

  to(url: string): string {
    return this.up + linkTarget(url);
  }

  /** Notes a problem of the snapshot's rows that this page shows (the page says it too). */
  warn(problem: Problem, detail: string): void {
    this.warnings.push({ problem, detail });
  }

  /** The absolute address of an archive path, when the archive knows where it is served. */
  absolute(url: string): string | null {
    return this.site.baseUrl === null ? null : new URL(url, this.site.baseUrl).href;
  }

  /** For what is read outside the archive too (feeds): absolute when it can be, else relative. */
  shareable(url: string): string {
    return this.absolute(url) ?? this.to(url);
  }

  builder(id: number): Link {
    return this.entity('builder', id, this.site.builders.get(id)?.name, builderUrl(id));
  }

  worker(id: number | null): Link | null {
    return id === null ? null : this.entity('worker', id, this.site.workers.get(id)?.name, workerUrl(id));
  }

  master(id: number | null): Link | null {
    return id === null ? null : this.entity('master', id, this.site.masters.get(id)?.name, masterUrl(id));
  }

  private entity(kind: string, id: number, name: string | undefined, url: string): Link {
    if (name !== undefined) return { href: this.to(url), text: name };
    this.warn('orphan', `${kind} ${id} is referenced but not in the snapshot; shown unlinked`);
    return { href: null, text: `${kind} ${id} (missing)` };
  }

  tag(tag: string): Link {
    return { href: this.to(listingUrl({ kind: 'tag', tag }, 1, 1)), text: tag };
  }

  listing(key: ListingKey): string {
    return this.to(listingUrl(key, 1, 1));
  }

  /** The section that the pages of the kind `kind` are, as a link. */
  section(kind: string): Link & { href: string } {
    const section = this.site.sections.get(kind);
    if (!section) throw new Error(`no section of the kind "${kind}"`);
    return { text: section.text, href: this.to(section.url) };
  }

  /** The header every page shares. */
  nav(): Nav {
    return {
      home: this.to(homeUrl()),
      sections: [...this.site.sections.values()].map((section) => ({
        text: section.text,
        href: this.to(section.url),
        current: this.from.startsWith(section.url),
      })),
      search: this.to(searchUrl()),
      stylesheet: this.to(assetUrl('copra.css')),
    };
  }
}

export interface Nav {
  home: string;
  /** The archive's sections; `current` marks the one the page is in. */
  sections: (Link & { href: string; current: boolean })[];
  search: string;
  stylesheet: string;
}

/** The fields every page model carries for the layout. */
export interface PageBase {
  /** Where the page is written (see urls.ts). */
  url: PageUrl;
  title: string;
  nav: Nav;
  siteName: string;
  /** Whether some of the page's text was not valid UTF-8 in the snapshot (see encoding.ts). */
  undecodable: boolean;
  /** Atom feeds of what the page shows, for `<link rel="alternate">`. */
  feeds: { href: string; title: string }[];
  /** The pages above this one, home first; empty on the home page. */
  breadcrumbs: Link[];
  /** The page's absolute address, for `<link rel="canonical">`, when the base URL is known. */
  canonical: string | null;
  /** What is wrong in the snapshot's rows this page shows: for the build's summary, not the template. */
  warnings: DataWarning[];
}

/** Where a page sits: the pages between home and it (none for a section's own page), and its feeds. */
export interface PagePlace {
  above?: Link[];
  feeds?: PageBase['feeds'];
}

export function pageBase(link: Linker, site: Site, title: string, { above = [], feeds = [] }: PagePlace = {}): PageBase {
  const breadcrumbs = link.from === homeUrl() ? [] : [{ href: link.to(homeUrl()), text: site.name }, ...above];
  return {
    url: link.from,
    title,
    nav: link.nav(),
    siteName: site.name,
    undecodable: false,
    feeds,
    breadcrumbs,
    canonical: link.absolute(link.from),
    warnings: link.warnings,
  };
}

/** The feed of failed builds, as pages that summarise the archive offer it. */
export const failuresFeed = (link: Linker) => ({ href: link.to(failuresFeedUrl()), title: 'Failed builds' });
