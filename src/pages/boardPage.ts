import { RESULT_CODES, type ResultView, codeResult } from '../model/results.ts';
import { type TimeView, timeView } from '../model/time.ts';
import type { BuildStatus, BuildSummary } from '../model/types.ts';
import { type RecordReader, propertyText } from '../record/reader.ts';
import { type PageUrl, assetUrl } from '../urls.ts';
import { type BuildChip, buildChip } from './buildChips.ts';
import { failingSince } from './buildFailures.ts';
import { summaryPageKind } from './kind.ts';
import { type Link, Linker, type PageBase, type Site, failuresFeed, pageBase } from './site.ts';

/** The builder board. */
export function boardUrl(): PageUrl {
  return 'builders/';
}

/** Results in a builder's strip: buildbot's builders page shows about as many. */
export const RECENT_RESULTS = 20;

export interface BoardRow {
  builder: Link;
  /** Its tags (statusdb: category), each linked to its listing; the board's script filters rows by them. */
  tags: Link[];
  /** The most recently started build that has a result, and when it started; null when none has. */
  last: { build: BuildChip; start: TimeView } | null;
  /** When its last finished build failed: the first build after its last success, failing since then. */
  failingSince: { build: BuildChip; start: TimeView } | null;
  /** The builder's most recently started builds, oldest left. */
  recent: BuildChip[];
  builds: number;
  /** Successes among the builds with a result, as "87 %"; null when no build has a result. */
  successRate: string | null;
  finished: number;
}

export interface BoardGroup {
  /** The builders' platform (their tag that is one, else their newest build's `platform`), or "other". */
  name: string;
  rows: BoardRow[];
}

export interface BoardPage extends PageBase {
  tagWord: string;
  groups: BoardGroup[];
  /** Every tag of the board's builders, for its filters. */
  tags: string[];
  script: string;
  recentCount: number;
  /** The result letters the strips use, for the legend. */
  legend: ResultView[];
}

/** The builder board: every builder's last result, however long ago. Every update changes it. */
export const boardKind = summaryPageKind('builders', { folder: 'builders', section: { text: 'Builders', url: boardUrl() } }, 'builder board', ({ record, site }) => boardPage(record, site));

const FAILED_RESULTS = new Set([1, 2, 4]);

const sinceView = (build: BuildSummary, link: Linker) => ({ build: buildChip(build, link, false), start: timeView(build.startedAt) });

/** The group of builders without a platform. */
const OTHER = 'other';

/**
 * Each builder's platform, as the listings derive a build's: its tag that some build names as its
 * platform, else the `platform` property of its newest build that has one.
 */
export function builderPlatforms(record: RecordReader, site: Site, ids: Iterable<number> = site.builders.keys()): Map<number, string> {
  const newest = record.statement(
    `SELECT bp.value FROM builds b JOIN build_properties bp ON bp.buildid = b.id AND bp.name = 'platform'
     WHERE b.builderid = ? ORDER BY b.number DESC, b.id DESC LIMIT 1`,
  );
  const platforms = new Map<number, string>();
  for (const id of ids) {
    const builder = site.builders.get(id);
    if (!builder) continue;
    const tag = builder.tags.find((each) => site.platforms.has(each));
    const property = tag === undefined ? (newest.pluck().get(builder.id) as string | undefined) : undefined;
    const platform = tag ?? (property === undefined ? undefined : propertyText(property));
    if (platform) platforms.set(builder.id, platform);
  }
  return platforms;
}

/** "87 %", or null without a finished build. Rounded down, so only a perfect record says 100 %. */
export function successRate(status: Pick<BuildStatus, 'finished' | 'successes'>): string | null {
  return status.finished === 0 ? null : `${Math.floor((100 * status.successes) / status.finished)} %`;
}

function boardPage(record: RecordReader, site: Site): BoardPage {
  const link = new Linker(boardUrl(), site);
  const statuses = record.buildStatus('builder', RECENT_RESULTS);
  const row = (id: number): BoardRow => {
    const status = statuses.get(id);
    const last = status?.lastFinished ?? null;
    return {
      builder: link.builder(id),
      tags: (site.builders.get(id)?.tags ?? []).map((tag) => link.tag(tag)),
      last: last && { build: buildChip(last, link, false), start: timeView(last.startedAt, 'not started') },
      failingSince: last && FAILED_RESULTS.has(last.result!) ? sinceView(failingSince(record, { id: last.id, builderid: id, number: last.number, started_at: last.startedAt }), link) : null,
      recent: (status?.recent ?? []).map((build) => buildChip(build, link, false)).reverse(),
      builds: status?.builds ?? 0,
      successRate: status ? successRate(status) : null,
      finished: status?.finished ?? 0,
    };
  };
  const platforms = builderPlatforms(record, site);
  const groups = new Map<string, BoardRow[]>();
  for (const id of site.builders.keys()) {
    const platform = platforms.get(id) ?? OTHER;
    groups.set(platform, [...(groups.get(platform) ?? []), row(id)]);
  }
  // Failing builders first within a group, then by name.
  const failing = (entry: BoardRow) => (entry.failingSince ? 0 : 1);
  return {
    ...pageBase(link, site, 'Builders', { feeds: [failuresFeed(link)] }),
    tagWord: site.tagWord,
    groups: [...groups]
      .sort(([a], [b]) => (a === OTHER ? 1 : b === OTHER ? -1 : a.localeCompare(b)))
      .map(([name, rows]) => ({ name, rows: rows.sort((a, b) => failing(a) - failing(b) || a.builder.text.localeCompare(b.builder.text)) })),
    tags: [...new Set([...site.builders.values()].flatMap((builder) => builder.tags))].sort(),
    script: link.to(assetUrl('board.js')),
    recentCount: RECENT_RESULTS,
    legend: RESULT_CODES.map(codeResult),
  };
}
