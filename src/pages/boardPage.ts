import { RESULT_CODES, type ResultView, codeResult } from '../model/results.ts';
import { type TimeView, timeView } from '../model/time.ts';
import type { BuildStatus, BuildSummary } from '../model/types.ts';
import { type RecordReader, propertyText } from '../record/reader.ts';
import { type PageUrl, assetUrl } from '../urls.ts';
import { type BuildChip, buildChip } from './buildChips.ts';
import { failingSince } from './buildFailures.ts';
import { summaryPageKind } from './kind.ts';
import { projectLink } from './projectPage.ts';
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
  /** "project", "platform", or empty for the builders of neither. */
  kind: string;
  /** The builders' project (linked to its page), or their platform (their tag that is one, else their newest build's `platform`), or "other". */
  name: Link;
  rows: BoardRow[];
}

export interface BoardPage extends PageBase {
  tagWord: string;
  /** What the groups are: the archive's projects, or its platforms. */
  groupedBy: 'project' | 'platform';
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

/** A builder's row of the board (and of a project's page), as seen from `link`'s page. */
export function boardRows(record: RecordReader, link: Linker, site: Site): (id: number) => BoardRow {
  const statuses = record.buildStatus('builder', RECENT_RESULTS);
  return (id) => {
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
}

/** Failing builders first, then by name. */
export const boardOrder = (a: BoardRow, b: BoardRow) => (a.failingSince ? 0 : 1) - (b.failingSince ? 0 : 1) || a.builder.text.localeCompare(b.builder.text);

/**
 * Each builder's group on the board: its project where the archive has projects, else its
 * platform; "other" for a builder without one. Groups in name order, "other" last.
 */
function boardGroups(record: RecordReader, site: Site, link: Linker): { kind: string; name: Link; ids: number[] }[] {
  const byProject = site.projects.size > 0;
  const platforms = byProject ? new Map<number, string>() : builderPlatforms(record, site);
  const groups = new Map<string, { kind: string; name: Link; ids: number[] }>();
  for (const [id, builder] of site.builders) {
    const project = byProject && builder.projectId !== null ? site.projects.get(builder.projectId) : undefined;
    const name: Link = project ? projectLink(project, link) : { href: null, text: platforms.get(id) ?? OTHER };
    const key = project ? `project ${project.id}` : name.text;
    const group = groups.get(key) ?? groups.set(key, { kind: project ? 'project' : byProject ? '' : 'platform', name, ids: [] }).get(key)!;
    group.ids.push(id);
  }
  const isOther = (group: { name: Link }) => group.name.href === null && group.name.text === OTHER;
  return [...groups.values()].sort((a, b) => Number(isOther(a)) - Number(isOther(b)) || a.name.text.localeCompare(b.name.text));
}

function boardPage(record: RecordReader, site: Site): BoardPage {
  const link = new Linker(boardUrl(), site);
  const row = boardRows(record, link, site);
  return {
    ...pageBase(link, site, 'Builders', { feeds: [failuresFeed(link)] }),
    tagWord: site.tagWord,
    groupedBy: site.projects.size > 0 ? 'project' : 'platform',
    groups: boardGroups(record, site, link).map(({ kind, name, ids }) => ({ kind, name, rows: ids.map(row).sort(boardOrder) })),
    tags: [...new Set([...site.builders.values()].flatMap((builder) => builder.tags))].sort(),
    script: link.to(assetUrl('board.js')),
    recentCount: RECENT_RESULTS,
    legend: RESULT_CODES.map(codeResult),
  };
}
