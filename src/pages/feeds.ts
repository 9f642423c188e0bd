import { buildResult } from '../model/results.ts';
import { durationText } from '../model/time.ts';
import type { BuildSummary } from '../model/types.ts';
import { type RecordReader, SUMMARY_COLUMNS, type SummaryRow, buildSummary } from '../record/reader.ts';
import { IN_JSON, jsonIds } from '../record/sql.ts';
import { webHref } from '../urls.ts';
import { boardUrl } from './boardPage.ts';
import { blamedAuthors, failedSteps, firstFailures } from './buildFailures.ts';
import { buildUrl } from './buildPage.ts';
import { builderUrl } from './entityPage.ts';
import { homeUrl } from './homePage.ts';
import { type Archive, type PageKind, type PageModel, cutByWeight, idSpan, touchedBuilders } from './kind.ts';
import { Linker, type Site } from './site.ts';

/** Files, not pages: a builder's feed, and the feed of failed builds. */
export function builderFeedUrl(builderId: number): string {
  return `builder/${builderId}/feed.xml`;
}

export function failuresFeedUrl(): string {
  return 'failures.xml';
}

/** Entries in a feed: the newest builds. */
export const FEED_ENTRIES = 50;
/** The results the feed of failed builds carries: the build broke, or the CI did. */
export const FAILED_RESULTS = [2, 4];

/** An Atom (RFC 4287) feed; links absolute with --base-url, else relative to the feed's own address. */
export interface Feed extends PageModel {
  /** The file, relative to the archive. */
  file: string;
  id: string;
  title: string;
  subtitle: string;
  /** The newest entry's time, so a feed's bytes depend on its builds alone. */
  updated: string;
  author: string;
  self: string;
  alternate: string;
  entries: FeedEntry[];
}

export interface FeedEntry {
  id: string;
  title: string;
  updated: string;
  href: string;
  summary: string;
}

/**
 * Feed ids are tag URIs (RFC 4151) that do not depend on where the archive is served: the master's
 * host and the day of the archive's first build.
 */
export interface FeedPart {
  authority: string;
  ids: number[];
}

/** Feeds weigh little: a window holds fifty of them per build page. */
const FEEDS_PER_BUILD_PAGE = 50;

/** `builder/<id>/feed.xml`: the builder's newest 50 builds. */
export const builderFeedKind: PageKind<FeedPart> = {
  name: 'builder-feed',
  body: 'feed',
  folder: 'builder',
  plan: ({ record, site, options }) => feedParts(tagAuthority(record, site), [...site.builders.keys()], options.buildsPerWindow),
  changed: (archive, before) =>
    feedParts(tagAuthority(archive.record, archive.site), touchedBuilders(archive, before), archive.options.buildsPerWindow),
  pageCount: (part) => part.ids.length,
  weight: (part) => Math.ceil(part.ids.length / FEEDS_PER_BUILD_PAGE),
  describe: (part) => `feeds of builders ${idSpan(part.ids)}`,
  pages: (archive, part) => builderFeeds(archive, part),
};

/** `failures.xml`: the archive's newest 50 failed builds. Every update writes it again. */
export const failuresFeedKind: PageKind<{ authority: string }> = {
  name: 'failures-feed',
  body: 'feed',
  folder: null,
  plan: ({ record, site }) => [{ authority: tagAuthority(record, site) }],
  changed: ({ record, site }) => [{ authority: tagAuthority(record, site) }],
  pageCount: () => 1,
  weight: () => 1,
  describe: () => 'feed of failed builds',
  pages: ({ record, site }, { authority }) => {
    const link = new Linker(homeUrl(), site);
    const builds = newestBuildsWithResults(record, FAILED_RESULTS, FEED_ENTRIES);
    const failures = firstFailures(record, builds.map((build) => build.id));
    const steps = failedSteps(record, builds.map((build) => build.id));
    // What a reader of the feed asks first: which step, which failure, whose changes.
    const detail = (build: BuildSummary) => {
      const authors = blamedAuthors(record, { id: build.id, builderid: build.builderId, number: build.number, started_at: build.startedAt });
      const failure = failures.get(build.id);
      return [
        steps.get(build.id) && `failed step: ${steps.get(build.id)}`,
        failure && `failure: ${failure.text}`,
        authors.length > 0 && `changes by ${authors.join(', ')}`,
      ].filter(Boolean).join('; ');
    };
    return [
      feed(failuresFeedUrl(), builds, link, site, authority, {
        id: 'failures',
        title: `${site.name}: failed builds`,
        subtitle: 'The newest builds whose result is failure or exception.',
        alternate: boardUrl(),
      }, detail),
    ];
  },
};

const feedParts = (authority: string, ids: readonly number[], budget: number): FeedPart[] =>
  Array.from(cutByWeight(ids, () => 1, budget * FEEDS_PER_BUILD_PAGE), (run) => ({ authority, ids: run }));

function builderFeeds({ record, site }: Archive, { authority, ids }: FeedPart): Feed[] {
  const statuses = record.buildStatus('builder', FEED_ENTRIES, ids);
  return ids.map((id) => {
    const link = new Linker(builderUrl(id), site);
    return feed(builderFeedUrl(id), statuses.get(id)?.recent ?? [], link, site, authority, {
      id: `builder/${id}`,
      title: `${site.name}: ${link.builder(id).text}`,
      subtitle: `The builder's newest ${FEED_ENTRIES} builds.`,
      alternate: builderUrl(id),
    });
  });
}

const EPOCH = '1970-01-01T00:00:00Z';
const atomTime = (seconds: number | null) => (seconds === null ? EPOCH : `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`);

function feed(
  file: string,
  builds: BuildSummary[],
  link: Linker,
  site: Site,
  authority: string,
  /** `alternate`: the archive path of the page that shows what the feed carries. */
  about: { id: string; title: string; subtitle: string; alternate: string },
  /** What an entry says of its build besides its result, start and duration. */
  detail: (build: BuildSummary) => string = () => '',
): Feed {
  const entries = builds.map((build): FeedEntry => {
    const result = buildResult(build);
    const builder = link.builder(build.builderId).text;
    return {
      id: `tag:${authority}:build/${build.id}`,
      title: `${builder} #${build.number}: ${result.label}`,
      updated: atomTime(build.completeAt ?? build.startedAt),
      href: link.shareable(buildUrl(build.id)),
      summary: [result.label, `started ${atomTime(build.startedAt)}`, durationText(build.startedAt, build.completeAt), detail(build)].filter(Boolean).join('; ') + '.',
    };
  });
  return {
    file,
    id: `tag:${authority}:${about.id}`,
    title: about.title,
    subtitle: about.subtitle,
    updated: entries.reduce((newest, entry) => (entry.updated > newest ? entry.updated : newest), EPOCH),
    author: site.name,
    // The feed's own file name: relative links climb to the root first.
    self: link.absolute(file) ?? file.slice(file.lastIndexOf('/') + 1),
    alternate: link.shareable(about.alternate),
    entries,
    warnings: link.warnings,
  };
}

/**
 * `copra.invalid,2026-11-25`: the host of the archive's first master (from its URL, else its name
 * before any `:`), or copra.invalid; and the day its first build started.
 */
function tagAuthority(record: RecordReader, site: Site): string {
  const master = [...site.masters.values()].sort((a, b) => a.id - b.id)[0];
  const url = webHref(master?.url ?? null);
  const candidate = (url ? new URL(url).hostname : (master?.name.split(':')[0] ?? '')).toLowerCase();
  const host = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(candidate) ? candidate : 'copra.invalid';
  return `${host},${atomTime(record.summary().firstStart).slice(0, 10)}`;
}

/** The `limit` most recently started builds with one of these results, newest first. */
function newestBuildsWithResults(record: RecordReader, results: readonly number[], limit: number): BuildSummary[] {
  const rows = record
    .statement(`SELECT ${SUMMARY_COLUMNS} FROM builds b WHERE b.results ${IN_JSON} ORDER BY b.started_at DESC, b.id DESC LIMIT ?`)
    .all(jsonIds(results), limit) as SummaryRow[];
  return rows.map(buildSummary);
}
