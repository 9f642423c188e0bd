import type { Builder, Master, SchemaKind, Worker } from '../model/types.ts';
import type { Snapshot } from '../snapshot/types.ts';
import { type ListingKey, type PageUrl, linkTarget, upToRoot, urls } from '../urls.ts';
import { Warnings } from './warnings.ts';

/**
 * What every page model needs to know about the snapshot as a whole: the small tables (builders,
 * workers, masters) by id, and the values that decide a build's platform. Built once per process.
 */
export interface Site {
  schema: SchemaKind;
  /** The snapshot's file name, as the archive is titled. */
  name: string;
  builders: Map<number, Builder>;
  workers: Map<number, Worker>;
  masters: Map<number, Master>;
  /** Every value the `platform` property takes: a builder tag among them names the platform. */
  platforms: Set<string>;
  /** What builder tags are called in this schema. */
  tagWord: 'tag' | 'category';
  /** What is wrong in the rows pages were built from (orphans, impossible times…). */
  warnings: Warnings;
  /** Where the archive is served (--base-url), ending in '/'; null when not known. */
  baseUrl: string | null;
}

export function loadSite(snapshot: Snapshot, name: string, baseUrl: string | null = null): Site {
  const byId = <T extends { id: number }>(rows: T[]) => new Map(rows.map((row) => [row.id, row]));
  return {
    schema: snapshot.schema.kind,
    name,
    builders: byId(snapshot.builders()),
    workers: byId(snapshot.workers()),
    masters: byId(snapshot.masters()),
    platforms: new Set(snapshot.platformValues()),
    tagWord: snapshot.schema.kind === 'statusdb' ? 'category' : 'tag',
    warnings: new Warnings(),
    baseUrl,
  };
}

/**
 * Whether two sites show their builders, workers, masters and platforms the same way: every row of
 * `before` unchanged in `after` (rows may be added), the same platform values, the same title.
 * Otherwise almost every page names something that changed.
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
    JSON.stringify([...before.platforms]) === JSON.stringify([...after.platforms])
  );
}

export interface Link {
  /** Null for a row the snapshot does not have: shown, never linked. */
  href: string | null;
  text: string;
}

/** Links as seen from one page: every href a page model hands its template comes from here. */
export class Linker {
  /** Computed once: a page makes hundreds of links. */
  private readonly up: string;

  constructor(
    readonly from: PageUrl,
    private readonly site: Site,
  ) {
    this.up = upToRoot(from);
  }

  to(url: string): string {
    return this.up + linkTarget(url);
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
    return this.entity('builder', id, this.site.builders.get(id)?.name, urls.builder(id));
  }

  worker(id: number | null): Link | null {
    return id === null ? null : this.entity('worker', id, this.site.workers.get(id)?.name, urls.worker(id));
  }

  master(id: number | null): Link | null {
    return id === null ? null : this.entity('master', id, this.site.masters.get(id)?.name, urls.master(id));
  }

  private entity(kind: string, id: number, name: string | undefined, url: string): Link {
    if (name !== undefined) return { href: this.to(url), text: name };
    this.site.warnings.add('orphan', `${kind} ${id} is referenced but not in the snapshot; shown unlinked`);
    return { href: null, text: `${kind} ${id} (missing)` };
  }

  tag(tag: string): Link {
    return { href: this.to(urls.listing({ kind: 'tag', tag }, 1, 1)), text: tag };
  }

  listing(key: ListingKey): string {
    return this.to(urls.listing(key, 1, 1));
  }

  /** One of the archive's sections, as a link. */
  section(name: SectionName): Link & { href: string } {
    return { text: SECTIONS[name].text, href: this.to(SECTIONS[name].url) };
  }

  /** The header every page shares. */
  nav(): Nav {
    return {
      home: this.to(urls.home()),
      sections: SECTION_NAMES.map((name) => ({ ...this.section(name), current: this.from.startsWith(SECTIONS[name].url) })),
      search: this.to(urls.search()),
      stylesheet: this.to(urls.asset('copra.css')),
    };
  }
}

/** The archive's sections, in the header's order. */
const SECTIONS = {
  builders: { text: 'Builders', url: urls.builders() },
  sources: { text: 'Sourcestamps', url: urls.listing({ kind: 'all' }, 1, 1) },
  console: { text: 'Console', url: urls.consoles() },
  changes: { text: 'Changes', url: urls.changes() },
  workers: { text: 'Workers', url: urls.workers() },
  search: { text: 'Search', url: urls.search() },
} as const;
type SectionName = keyof typeof SECTIONS;
const SECTION_NAMES = Object.keys(SECTIONS) as SectionName[];

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
}

/** Where a page sits: the pages between home and it (none for a section's own page), and its feeds. */
export interface PagePlace {
  above?: Link[];
  feeds?: PageBase['feeds'];
}

export function pageBase(link: Linker, site: Site, title: string, { above = [], feeds = [] }: PagePlace = {}): PageBase {
  const breadcrumbs = link.from === urls.home() ? [] : [{ href: link.to(urls.home()), text: site.name }, ...above];
  return { url: link.from, title, nav: link.nav(), siteName: site.name, undecodable: false, feeds, breadcrumbs, canonical: link.absolute(link.from) };
}

/** The feed of failed builds, as pages that summarise the archive offer it. */
export const failuresFeed = (link: Linker) => ({ href: link.to(urls.failuresFeed()), title: 'Failed builds' });
