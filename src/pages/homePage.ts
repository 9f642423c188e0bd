import { type ResultView, buildResult, codeResult } from '../model/results.ts';
import { type TimeView, timeView } from '../model/time.ts';
import type { RecordReader } from '../record/reader.ts';
import { type PageUrl } from '../urls.ts';
import { type BuildChip, buildChip } from './buildChips.ts';
import { failedSteps, failingSince, firstFailures } from './buildFailures.ts';
import { buildUrl } from './buildPage.ts';
import { consoleUrl } from './consolePage.ts';
import { failureUrl } from './failurePage.ts';
import { summaryPageKind } from './kind.ts';
import type { Listing } from './listing.ts';
import { revisionUrl } from './revisionPage.ts';
import { sourceUrl } from './sourcePage.ts';
import { FLIP_RUNS, flakiestTests, testsUrl } from './testPage.ts';
import { type Link, Linker, type PageBase, type Site, failuresFeed, pageBase } from './site.ts';
import { branchName } from './values.ts';

/** The home page: the archive's root. */
export function homeUrl(): PageUrl {
  return '';
}

/** A builder whose most recently started finished build failed. */
export interface FailingBuilder {
  builder: Link;
  /** Its last finished build, and its result. */
  build: Link;
  result: ResultView;
  /** The first build after its last success: failing since then. */
  since: { build: Link; start: TimeView };
  /** The step that gave the build its result. */
  step: string | null;
  /** The build's first failure. */
  failure: Link | null;
}

/** A branch's newest sourcestamps with their builds' results, as the console shows them. */
export interface BranchNow {
  branch: string;
  console: string;
  stamps: { stamp: Link; builds: BuildChip[] }[];
}

/** Tests the home page names as the flakiest. */
const FLAKIEST_SHOWN = 5;

/** Sourcestamps a branch shows on the home page, newest first. */
export const STAMPS_PER_BRANCH_NOW = 10;

export interface HomePage extends PageBase {
  /** Is the tree green: every builder whose last finished build failed, the worst first. */
  failingNow: FailingBuilder[];
  /** Each branch's newest sourcestamps. */
  branches: BranchNow[];
  /** Where the archive has test results: its flakiest tests, and the page that ranks them all. */
  flaky: { tests: { test: Link; flipRate: string }[]; all: string; runs: number } | null;
  schema: string;
  /** The archive's title, as the page's heading. */
  heading: string;
  /** What the page says of tables the latest snapshot lacked. */
  problems: string[];
  /** When the first and the last build started; null when no build did. */
  started: { first: TimeView; last: TimeView } | null;
  counts: { label: string; count: number }[];
  results: { result: ResultView; count: number }[];
  listings: Link[];
  builders: Link[];
  workers: Link[];
  masters: Link[];
}

const byText = (a: Link, b: Link) => a.text.localeCompare(b.text);

/** The home page: what the archive holds, with its counts. Every update changes it. */
export const homeKind = summaryPageKind('home', { folder: null }, 'home page', ({ record, site, listings }) => homePage(record, site, listings));

export function homePage(record: RecordReader, site: Site, allListings: Listing[]): HomePage {
  const link = new Linker(homeUrl(), site);
  const summary = record.summary();
  const absent = record.schema.absentTables;
  const lacking = absent.length === 0 ? null : `no ${absent.join(', ')} table${absent.length === 1 ? '' : 's'}`;
  if (lacking) link.warn('table', `the snapshot has ${lacking}; read as empty`);
  return {
    ...pageBase(link, site, site.name, { feeds: [failuresFeed(link)] }),
    failingNow: failingNow(record, site, link),
    branches: branchesNow(record, link),
    flaky: site.sections.has('tests') ? { tests: flakiestTests(record, link, FLAKIEST_SHOWN), all: link.to(testsUrl()), runs: FLIP_RUNS } : null,
    schema: record.schema.description,
    heading: site.name,
    problems: lacking ? [`The latest snapshot has ${lacking}: it added none of their rows to the archive.`] : [],
    started:
      summary.firstStart === null || summary.lastStart === null
        ? null
        : { first: timeView(summary.firstStart), last: timeView(summary.lastStart) },
    counts: [
      { label: 'builds', count: summary.builds },
      { label: 'steps', count: summary.steps },
      { label: 'builders', count: summary.builders },
      { label: 'workers', count: summary.workers },
      { label: 'masters', count: summary.masters },
      { label: 'sourcestamps', count: summary.sourcestamps },
      { label: 'changes', count: summary.changes },
    ],
    results: summary.results.map((row) => ({ result: codeResult(row.result), count: row.count })),
    listings: allListings.map((listing) => ({ href: link.listing(listing.key), text: listing.title })),
    builders: [...site.builders.keys()].map((id) => link.builder(id)).sort(byText),
    workers: [...site.workers.keys()].map((id) => link.worker(id)!).sort(byText),
    masters: [...site.masters.keys()].map((id) => link.master(id)!).sort(byText),
  };
}

/** Failure first, then exception, then warnings: how bad a result is, for the failing builders' order. */
const SEVERITY: Record<number, number> = { 2: 0, 4: 1, 1: 2 };

/**
 * Every builder whose most recently started finished build has result warnings, failure or
 * exception: failure first, then exception, then warnings, then those failing longest.
 */
export function failingNow(record: RecordReader, site: Site, link: Linker): FailingBuilder[] {
  const last = [...record.buildStatus('builder', 0).entries()]
    .map(([builder, status]) => ({ builder, build: status.lastFinished }))
    .filter((entry) => entry.build !== null && entry.build.result !== null && entry.build.result in SEVERITY && site.builders.has(entry.builder));
  const ids = last.map((entry) => entry.build!.id);
  const failures = firstFailures(record, ids);
  const steps = failedSteps(record, ids);
  return last
    .map(({ builder, build }) => ({ builder, build: build!, since: failingSince(record, { id: build!.id, builderid: builder, number: build!.number, started_at: build!.startedAt }) }))
    .sort((a, b) => SEVERITY[a.build.result!]! - SEVERITY[b.build.result!]! || (a.since.startedAt ?? 0) - (b.since.startedAt ?? 0) || a.builder - b.builder)
    .map(({ builder, build, since }) => {
      const failure = failures.get(build.id);
      return {
        builder: link.builder(builder),
        build: { href: link.to(buildUrl(build.id)), text: `#${build.number}` },
        result: buildResult(build),
        since: { build: { href: link.to(buildUrl(since.id)), text: `#${since.number}` }, start: timeView(since.startedAt) },
        step: steps.get(build.id) ?? null,
        failure: failure ? { href: link.to(failureUrl(failure.key)), text: failure.text } : null,
      };
    });
}

function branchesNow(record: RecordReader, link: Linker): BranchNow[] {
  return record.branches().map((branch) => {
    const ids = record.statement('SELECT id FROM sourcestamps WHERE branch IS ? ORDER BY id DESC LIMIT ?').pluck().all(branch, STAMPS_PER_BRANCH_NOW) as number[];
    const stamps = new Map(record.sourcestamps(ids).map((stamp) => [stamp.id, stamp]));
    const builds = record.buildsOfSourcestamps(ids, 40);
    return {
      branch: branchName(branch),
      console: link.to(consoleUrl(branch)),
      stamps: ids.map((id) => {
        const revision = stamps.get(id)?.revision;
        return {
          stamp: revision ? { href: link.to(revisionUrl(revision)), text: revision.slice(0, 12) } : { href: link.to(sourceUrl(id)), text: `#${id}` },
          builds: (builds.get(id)?.builds ?? []).map((build) => buildChip(build, link)),
        };
      }),
    };
  });
}
