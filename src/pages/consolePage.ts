import { BUILD_RESULTS, type ResultView } from '../model/results.ts';
import { type TimeView, timeView } from '../model/time.ts';
import type { BuildSummary } from '../model/types.ts';
import type { RecordReader } from '../record/reader.ts';
import { groupBy } from '../record/sql.ts';
import { type PageUrl, branchSegment, fixedPaged } from '../urls.ts';
import { type BuildChip, buildChip } from './buildChips.ts';
import { type PageKind, cutByWeight, idSpan, summaryPageKind } from './kind.ts';
import { type FixedPageIds, type FixedPager, changedIdPages, fixedPageIds, fixedPager, fixedPaging } from './paging.ts';
import { revisionUrl } from './revisionPage.ts';
import { type Link, Linker, type PageBase, type Site, pageBase } from './site.ts';
import { builderPlatforms } from './boardPage.ts';
import { branchName } from './values.ts';
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

/** A builder's column, under its platform: named by a short symbol, its full name on hover and in the legend. */
export interface ConsoleColumn {
  builder: Link;
  symbol: string;
  platform: string;
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
  /** Columns grouped under their platform, in order: `span` columns each. */
  platforms: { platform: string; span: number }[];
  columns: ConsoleColumn[];
  rows: ConsoleRow[];
  /** Every result letter a cell may hold, with its meaning. */
  legend: readonly ResultView[];
  pager: FixedPager;
}

/** Some console pages of one branch. */
export interface ConsolePart {
  branch: string | null;
  pageCount: number;
  pages: FixedPageIds[];
}

/**
 * The static form of buildbot's console and TBPL's push view: per branch, its sourcestamps newest
 * first (pages numbered from the oldest, like the listings) × the builders that built them,
 * grouped by platform, each cell the result letters of that builder's builds of the stamp.
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
  const branches = record.branches();
  const newest = branches.map((branch) => record.statement('SELECT max(id) FROM sourcestamps WHERE branch IS ?').pluck().get(branch) as number);
  const builds = record.buildsOfSourcestamps(newest, BUILDS_PER_CONSOLE_ROW);
  const stamps = new Map(record.sourcestamps(newest).map((stamp) => [stamp.id, stamp]));
  return {
    ...pageBase(link, site, 'Console'),
    branches: branches.map((branch, index) => {
      const stamp = stamps.get(newest[index]!)!;
      return {
        branch: { href: link.to(consoleUrl(branch)), text: branchName(branch) },
        unnamed: branch === null,
        // Its newest sourcestamp's builds: is this branch green now?
        newest: {
          stamp: stamp.revision ? { href: link.to(revisionUrl(stamp.revision)), text: stamp.revision.slice(0, 12) } : { href: link.to(sourceUrl(stamp.id)), text: `#${stamp.id}` },
          builds: (builds.get(stamp.id)?.builds ?? []).map((build) => buildChip(build, link)),
        },
      };
    }),
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
    const columns = consoleColumns(record, pageBuilds, site, link);
    const title = `Console of ${branchName(part.branch)}`;
    return {
      ...pageBase(link, site, number === part.pageCount ? title : `${title}, page ${number}`, { above: [{ href: link.to(consolesUrl()), text: 'Console' }] }),
      branch: branchName(part.branch),
      platforms: columns.reduce<{ platform: string; span: number }[]>((groups, column) => {
        const last = groups.at(-1);
        if (last && last.platform === column.platform) last.span++;
        else groups.push({ platform: column.platform, span: 1 });
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
      legend: [...BUILD_RESULTS],
      pager: fixedPager(number, part.pageCount, (page) => link.to(consoleUrl(part.branch, page, part.pageCount))),
    };
  });
}

/** The builders of these builds as columns, grouped by platform ("other" last), by name. */
function consoleColumns(record: RecordReader, builds: readonly BuildSummary[], site: Site, link: Linker): (ConsoleColumn & { id: number })[] {
  const ids = [...new Set(builds.map((build) => build.builderId))];
  const platforms = builderPlatforms(record, site, ids);
  const columns = ids
    .map((id) => ({ id, builder: link.builder(id), platform: platforms.get(id) ?? 'other' }))
    .sort((a, b) => (a.platform === b.platform ? 0 : a.platform === 'other' ? 1 : b.platform === 'other' ? -1 : a.platform.localeCompare(b.platform)) || a.builder.text.localeCompare(b.builder.text) || a.id - b.id);
  const symbols = new Map<number, string>();
  for (const group of groupBy(columns, (column) => column.platform).values()) {
    const names = shortNames(group.map((column) => column.builder.text));
    group.forEach((column, index) => symbols.set(column.id, names[index]!));
  }
  return columns.map((column) => ({ ...column, symbol: symbols.get(column.id)! }));
}

/**
 * Short names that tell builders of one platform apart, as TBPL's symbols did: their names without
 * the words most of them share (the platform, the branch, "opt test"), as long as the names left
 * differ and none is empty; else their full names.
 */
export function shortNames(names: readonly string[]): string[] {
  const words = names.map((name) => name.split(/\s+/).filter(Boolean));
  const shared = new Map<string, number>();
  for (const each of words) for (const word of new Set(each)) shared.set(word, (shared.get(word) ?? 0) + 1);
  for (const share of [0.5, 0.8, 1]) {
    const kept = words.map((each) => each.filter((word) => shared.get(word)! < Math.max(2, share * names.length) || names.length === 1).join(' '));
    if (kept.every((name) => name !== '') && new Set(kept).size === kept.length) return kept;
  }
  return [...names];
}
