import { RESULT_CODES, type ResultView, codeResult } from '../model/results.ts';
import { type TimeView, timeView } from '../model/time.ts';
import type { BuildStatus, BuildSummary } from '../model/types.ts';
import type { RecordReader } from '../record/reader.ts';
import { type PageUrl } from '../urls.ts';
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
  /** The most recently started build that has a result, and when it started; null when none has. */
  last: { build: BuildChip; start: TimeView } | null;
  /** When its last finished build failed: the first build after its last success, failing since then. */
  failingSince: { build: BuildChip; start: TimeView } | null;
  /** The builder's most recently started builds, newest first. */
  recent: BuildChip[];
  builds: number;
  /** Successes among the builds with a result, as "87 %"; null when no build has a result. */
  successRate: string | null;
  finished: number;
}

export interface BoardGroup {
  /** The tag (category); null for builders without one. */
  tag: Link | null;
  rows: BoardRow[];
}

export interface BoardPage extends PageBase {
  tagWord: string;
  groups: BoardGroup[];
  recentCount: number;
  /** The result letters the strips use, for the legend. */
  legend: ResultView[];
}

/** The builder board: every builder's last result, however long ago. Every update changes it. */
export const boardKind = summaryPageKind('builders', { folder: 'builders', section: { text: 'Builders', url: boardUrl() } }, 'builder board', ({ record, site }) => boardPage(record, site));

const FAILED_RESULTS = new Set([1, 2, 4]);

const sinceView = (build: BuildSummary, link: Linker) => ({ build: buildChip(build, link, false), start: timeView(build.startedAt) });

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
      last: last && { build: buildChip(last, link, false), start: timeView(last.startedAt, 'not started') },
      failingSince: last && FAILED_RESULTS.has(last.result!) ? sinceView(failingSince(record, { id: last.id, builderid: id, number: last.number, started_at: last.startedAt }), link) : null,
      recent: (status?.recent ?? []).map((build) => buildChip(build, link, false)),
      builds: status?.builds ?? 0,
      successRate: status ? successRate(status) : null,
      finished: status?.finished ?? 0,
    };
  };
  const byName = (a: number, b: number) => link.builder(a).text.localeCompare(link.builder(b).text) || a - b;
  const tags = new Map<string | null, number[]>();
  for (const builder of site.builders.values()) {
    for (const tag of builder.tags.length > 0 ? builder.tags : [null]) tags.set(tag, [...(tags.get(tag) ?? []), builder.id]);
  }
  const groups = [...tags]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
    .map(([tag, ids]) => ({ tag: tag === null ? null : link.tag(tag), rows: ids.sort(byName).map(row) }));
  return {
    ...pageBase(link, site, 'Builders', { feeds: [failuresFeed(link)] }),
    tagWord: site.tagWord,
    groups,
    recentCount: RECENT_RESULTS,
    legend: RESULT_CODES.map(codeResult),
  };
}
