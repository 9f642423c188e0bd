import { type TimeView, timeView } from '../model/time.ts';
import type { BuildSummary } from '../model/types.ts';
import type { RecordReader } from '../record/reader.ts';
import { type PageUrl, branchSegment, fixedPaged } from '../urls.ts';
import { type BuildChip, buildChip } from './buildChips.ts';
import { type PageKind, cutByWeight, idSpan, summaryPageKind } from './kind.ts';
import { type FixedPageIds, type FixedPager, changedIdPages, fixedPageIds, fixedPager, fixedPaging } from './paging.ts';
import { revisionUrl } from './revisionPage.ts';
import { type Link, Linker, type PageBase, type Site, pageBase } from './site.ts';
import { sourceUrl } from './sourcePage.ts';

/** The console's branches. */
export function consolesUrl(): PageUrl {
  return 'console/';
}

/** A branch's console: its sourcestamps × builders, pages numbered from the oldest. */
export function consoleUrl(branch: string | null, page = 1, pageCount = 1): PageUrl {
  return fixedPaged(`console/${branchSegment(branch)}/`, page, pageCount);
}

export const STAMPS_PER_CONSOLE_PAGE = 50;
/** Builds read for one sourcestamp: nightlies share a stamp in buildbot 3.x, and a row stays bounded. */
export const BUILDS_PER_CONSOLE_ROW = 200;

/** A builder's column, under its tag (category). */
export interface ConsoleColumn {
  builder: Link;
  tag: string | null;
}

export interface ConsoleRow {
  /** The sourcestamp's id. */
  id: number;
  /** The revision's page, or the stamp's where it has none. */
  stamp: Link;
  revision: string | null;
  authors: string;
  /** The first line of the first change's comment. */
  summary: string;
  when: TimeView;
  /** One cell per column: that builder's builds of this stamp, by start. */
  cells: BuildChip[][];
  /** Builds beyond the row's bound, on the stamp's page. */
  more: { count: number; href: string } | null;
}

export interface ConsolePage extends PageBase {
  branch: string;
  /** Columns grouped under their tag, in order: `span` columns each. */
  tags: { tag: string | null; span: number }[];
  columns: ConsoleColumn[];
  rows: ConsoleRow[];
  tagWord: string;
  pager: FixedPager;
}

/** Some console pages of one branch. */
export interface ConsolePart {
  branch: string | null;
  pageCount: number;
  pages: FixedPageIds[];
}

const branchName = (branch: string | null) => branch ?? 'no branch';

/**
 * The static form of buildbot's console and TBPL's push view: per branch, its sourcestamps newest
 * first (pages numbered from the oldest, like the listings) × the builders that built them,
 * grouped by tag, each cell the result letters of that builder's builds of the stamp.
 */
export const consoleKind: PageKind<ConsolePart> = {
  name: 'console',
  body: 'console',
  folder: 'console',
  plan: ({ record, options }) =>
    record.branches().flatMap((branch) => {
      const ids = record.sourcestampIds({ kind: 'branch', branch });
      return consoleParts(branch, ids, fixedPageIds(ids, STAMPS_PER_CONSOLE_PAGE), options.buildsPerWindow);
    }),
  changed: ({ record, options }, before) => {
    const changedStamps = new Set(record.changedSourcestamps());
    const branchesBefore = new Set(before.record.branches());
    const parts: ConsolePart[] = [];
    for (const branch of record.branches()) {
      const ids = record.sourcestampIds({ kind: 'branch', branch });
      const idsBefore = branchesBefore.has(branch) ? before.record.sourcestampIds({ kind: 'branch', branch }) : null;
      const pages = changedIdPages(idsBefore, ids, STAMPS_PER_CONSOLE_PAGE, changedStamps);
      if (pages === null) return null;
      parts.push(...consoleParts(branch, ids, fixedPageIds(ids, STAMPS_PER_CONSOLE_PAGE, pages), options.buildsPerWindow));
    }
    return parts;
  },
  pageCount: (part) => part.pages.length,
  weight: (part) => part.pages.reduce((sum, page) => sum + Math.max(1, page.ids.length), 0),
  describe: (part) => `console of ${branchName(part.branch)} pages ${idSpan(part.pages.map((page) => page.number))}`,
  pages: ({ record, site }, part) => consolePages(record, site, part),
};

/** `console/`: the branches, each linked to its console. Every update renders it again. */
export const consolesKind = summaryPageKind('consoles', { folder: 'console', section: { text: 'Console', url: consolesUrl() } }, 'console branches', ({ record, site }) => {
  const link = new Linker(consolesUrl(), site);
  return {
    ...pageBase(link, site, 'Console'),
    branches: record.branches().map((branch) => ({ href: link.to(consoleUrl(branch)), text: branchName(branch), unnamed: branch === null })),
  };
});

function consoleParts(branch: string | null, ids: readonly number[], pages: FixedPageIds[], budget: number): ConsolePart[] {
  const pageCount = fixedPaging.count(ids.length, STAMPS_PER_CONSOLE_PAGE);
  return Array.from(cutByWeight(pages, (page) => Math.max(1, page.ids.length), budget), (run) => ({ branch, pageCount, pages: run }));
}

function consolePages(record: RecordReader, site: Site, part: ConsolePart): ConsolePage[] {
  const ids = part.pages.flatMap((page) => page.ids);
  const stamps = new Map(record.sourcestamps(ids).map((stamp) => [stamp.id, stamp]));
  const changes = record.changesOfSourcestamps(ids);
  const builds = record.buildsOfSourcestamps(ids, BUILDS_PER_CONSOLE_ROW);
  return part.pages.map(({ number, ids: pageIds }) => {
    const link = new Linker(consoleUrl(part.branch, number, part.pageCount), site);
    const pageBuilds = pageIds.flatMap((id) => builds.get(id)?.builds ?? []);
    const columns = consoleColumns(pageBuilds, site, link);
    const title = `Console of ${branchName(part.branch)}`;
    return {
      ...pageBase(link, site, number === part.pageCount ? title : `${title}, page ${number}`, { above: [{ href: link.to(consolesUrl()), text: 'Console' }] }),
      branch: branchName(part.branch),
      tags: columns.reduce<{ tag: string | null; span: number }[]>((groups, column) => {
        const last = groups.at(-1);
        if (last && last.tag === column.tag) last.span++;
        else groups.push({ tag: column.tag, span: 1 });
        return groups;
      }, []),
      columns,
      rows: [...pageIds].reverse().map((id): ConsoleRow => {
        const stamp = stamps.get(id);
        const stampChanges = changes.get(id) ?? [];
        const stampBuilds = builds.get(id) ?? { total: 0, builds: [] };
        const hidden = stampBuilds.total - stampBuilds.builds.length;
        const byBuilder = new Map<number, BuildSummary[]>();
        for (const build of stampBuilds.builds) byBuilder.set(build.builderId, [...(byBuilder.get(build.builderId) ?? []), build]);
        return {
          id,
          stamp: stamp?.revision ? { href: link.to(revisionUrl(stamp.revision)), text: stamp.revision.slice(0, 12) } : { href: link.to(sourceUrl(id)), text: `#${id}` },
          revision: stamp?.revision ?? null,
          authors: [...new Set(stampChanges.map((change) => change.author ?? 'unknown author'))].join(', '),
          summary: stampChanges[0]?.comments.split('\n', 1)[0]?.slice(0, 200) ?? '',
          when: timeView(stampChanges[0]?.when ?? null),
          cells: columns.map((column) => (byBuilder.get(column.id) ?? []).map((build) => buildChip(build, link))),
          more: hidden > 0 ? { count: hidden, href: link.to(sourceUrl(id)) } : null,
        };
      }),
      tagWord: site.tagWord,
      pager: fixedPager(number, part.pageCount, (page) => link.to(consoleUrl(part.branch, page, part.pageCount))),
    };
  });
}

/** The builders of these builds as columns, grouped by their first tag (untagged last), by name. */
function consoleColumns(builds: readonly BuildSummary[], site: Site, link: Linker): (ConsoleColumn & { id: number })[] {
  const ids = [...new Set(builds.map((build) => build.builderId))];
  const tagOf = (id: number) => site.builders.get(id)?.tags[0] ?? null;
  return ids
    .map((id) => ({ id, builder: link.builder(id), tag: tagOf(id) }))
    .sort((a, b) => (a.tag === b.tag ? 0 : a.tag === null ? 1 : b.tag === null ? -1 : a.tag.localeCompare(b.tag)) || a.builder.text.localeCompare(b.builder.text) || a.id - b.id);
}
