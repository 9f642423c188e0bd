import { type ResultView, buildResult } from '../model/results.ts';
import type { BuildSummary } from '../model/types.ts';
import type { Snapshot } from '../snapshot/types.ts';
import { urls } from '../urls.ts';
import { platformOf } from './platform.ts';
import type { Linker, Site } from './site.ts';

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
    href: link.to(urls.build(build.id)),
    text: named ? `${link.builder(build.builderId).text} #${build.number}` : `#${build.number}`,
    result: buildResult(build),
  };
}

/** Reads the platform property of every listed build in one query. */
export function platformsOf(snapshot: Snapshot, builds: Iterable<BuildSummary>): Map<number, string> {
  return snapshot.platformProperties([...builds].map((build) => build.id));
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
