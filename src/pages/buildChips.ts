import { type ResultView, buildResult } from '../model/results.ts';
import type { BuildSummary, Sourcestamp } from '../model/types.ts';
import type { RecordReader } from '../record/reader.ts';
import { buildUrl } from './buildPage.ts';
import { platformOf } from './platform.ts';
import { revisionUrl } from './revisionPage.ts';
import type { Link, Linker, Site } from './site.ts';
import { sourceUrl } from './sourcePage.ts';

/** A build as listings show it: a link coloured by result, with the result in words too. */
export interface BuildChip {
  href: string;
  text: string;
  result: ResultView;
}

export interface PlatformGroup {
  platform: string;
  builds: BuildChip[];
}

/** With `named` false, the chip says only the build's number: for rows that name the builder. */
export function buildChip(build: BuildSummary, link: Linker, named = true): BuildChip {
  return {
    href: link.to(buildUrl(build.id)),
    text: named ? `${link.builder(build.builderId).text} #${build.number}` : `#${build.number}`,
    result: buildResult(build),
  };
}

/** Reads the platform property of every listed build in one query. */
export function platformsOf(record: RecordReader, builds: Iterable<BuildSummary>): Map<number, string> {
  return record.platformProperties([...builds].map((build) => build.id));
}

/** Builds grouped by platform (groups by name, builds in the order given: by start). */
export function groupByPlatform(
  builds: BuildSummary[],
  platforms: Map<number, string>,
  site: Site,
  link: Linker,
): PlatformGroup[] {
  const groups = new Map<string, BuildChip[]>();
  for (const build of builds) {
    const platform = platformOf(build.builderId, platforms.get(build.id), site);
    const chips = groups.get(platform) ?? [];
    chips.push(buildChip(build, link));
    groups.set(platform, chips);
  }
  return [...groups]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([platform, chips]) => ({ platform, builds: chips }));
}

/** Builds shown for one sourcestamp where many are listed; the rest are on the stamp's own page. */
export const BUILDS_PER_STAMP_ROW = 40;

/** A sourcestamp with the first of its builds, by platform, where many stamps are listed. */
export interface StampBuildsView {
  stamp: Link;
  branch: string | null;
  revision: string | null;
  /** The revision's page; null without a revision. */
  revisionHref: string | null;
  platforms: PlatformGroup[];
  /** Builds beyond the row's bound, on the stamp's page. */
  more: { count: number; href: string } | null;
}

/**
 * Reads the first builds of these sourcestamps (of `builderIds` only, for a tag's listing) in two
 * queries, and returns how a page shows one stamp: the reads are per part, the views per page.
 */
export function readStampBuilds(
  record: RecordReader,
  ids: readonly number[],
  builderIds?: readonly number[],
): (id: number, stamp: Sourcestamp | undefined, site: Site, link: Linker) => StampBuildsView {
  const builds = record.buildsOfSourcestamps(ids, BUILDS_PER_STAMP_ROW, builderIds);
  const platforms = platformsOf(record, [...builds.values()].flatMap((entry) => entry.builds));
  return (id, stamp, site, link) => {
    const stampBuilds = builds.get(id) ?? { total: 0, builds: [] };
    const hidden = stampBuilds.total - stampBuilds.builds.length;
    return {
      stamp: { href: link.to(sourceUrl(id)), text: `#${id}` },
      branch: stamp?.branch ?? null,
      revision: stamp?.revision ?? null,
      revisionHref: stamp?.revision ? link.to(revisionUrl(stamp.revision)) : null,
      platforms: groupByPlatform(stampBuilds.builds, platforms, site, link),
      more: hidden > 0 ? { count: hidden, href: link.to(sourceUrl(id)) } : null,
    };
  };
}
