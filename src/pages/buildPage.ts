import { type ResultView, buildResult, isUnknownResult, stepResult } from '../model/results.ts';
import { type TimeView, durationText, timeView } from '../model/time.ts';
import type { BuildDetail, BuildSummary, Change, Property, SimilarBuilds, Sourcestamp, Step } from '../model/types.ts';
import { type BuildChip, buildChip } from './buildChips.ts';
import type { Snapshot } from '../snapshot/types.ts';
import { urls, webHref } from '../urls.ts';
import { type ChangeView, changeView } from './changes.ts';
import { type LogMode, type LogSummary, buildFailureSummary } from './failureSummary.ts';
import { type Link, Linker, type PageBase, type Site, pageBase } from './site.ts';
import { type PageKind, idSpan } from './kind.ts';
import { chunk } from './paging.ts';
import { readableProperty } from './values.ts';

export interface BuildPage extends PageBase {
  id: number;
  number: number;
  builder: Link;
  result: ResultView;
  stateString: string;
  start: TimeView;
  /** End time, or why there is none. */
  end: TimeView;
  duration: string;
  master: Link | null;
  worker: Link | null;
  tags: Link[];
  /** "Tags" (buildbot) or "Category" (statusdb). */
  tagsLabel: string;
  reason: string | null;
  lost: boolean;
  previous: string | null;
  next: string | null;
  parent: Link | null;
  triggered: Link[];
  problems: BuildProblem[];
  steps: StepView[];
  /** `notJson`: the stored value is not JSON, and is shown as stored. */
  properties: { name: string; value: string; source: string; notJson: boolean }[];
  sourcestamps: SourcestampView[];
  failureSummary: LogSummary[];
  /** statusdb: `log_url` properties (logs lived elsewhere); null where the schema stores logs. */
  externalLogs: Link[] | null;
  /** A failed build's neighbours in its builder, and earlier builds where its failed steps failed. */
  similar: { before: BuildChip[]; after: BuildChip[]; sameStep: { step: string; builds: BuildChip[] }[] } | null;
}

/** Something wrong with the build's data, said on its page in words (and links to the builds concerned). */
export interface BuildProblem {
  text: string;
  links: Link[];
}

export interface StepView {
  number: number;
  name: string;
  result: ResultView;
  description: string;
  start: TimeView;
  duration: string;
  hidden: boolean;
  /** Position on the build's time line, in percent of its wall time. */
  bar: { offset: number; width: number };
  logs: { name: string; lines: number; type: string; href: string | null; raw: string | null }[];
  /** A URL the step published; `href` is null for one that must not become a link. */
  urls: { name: string; href: string | null }[];
  /** What is wrong with the step's data, in words. */
  problems: string[];
}

export interface SourcestampView {
  link: Link;
  branch: string | null;
  revision: string | null;
  /** The revision's page; null without a revision. */
  revisionHref: string | null;
  repository: string | null;
  changes: ChangeView[];
}

export interface BuildPageOptions {
  logs: LogMode;
  logPageLines: number;
}

/** A part of the build pages: these builds, ascending. */
export interface BuildPart {
  ids: number[];
}

/** One page per build. */
export const buildKind: PageKind<BuildPart> = {
  name: 'build',
  template: 'build',
  plan: ({ snapshot, options }) => buildParts(snapshot.buildIds(), options.buildsPerWindow),
  changed: ({ snapshot, options }) => buildParts(snapshot.changedBuilds(), options.buildsPerWindow),
  pageCount: (part) => part.ids.length,
  weight: (part) => part.ids.length,
  describe: (part) => `builds ${idSpan(part.ids)}`,
  pages: ({ snapshot, site, options }, part) => buildPages(snapshot, site, part.ids, options),
};

const buildParts = (ids: number[], budget: number): BuildPart[] => chunk(ids, budget).filter((part) => part.length > 0).map((part) => ({ ids: part }));

/** Build pages for these builds. */
export function buildPages(snapshot: Snapshot, site: Site, ids: readonly number[], options: BuildPageOptions): BuildPage[] {
  const builds = snapshot.buildDetails(ids);
  const stampIds = [...new Set(builds.flatMap((build) => build.sourcestampIds))];
  const stamps = new Map(snapshot.sourcestamps(stampIds).map((stamp) => [stamp.id, stamp]));
  const changes = snapshot.changesOfSourcestamps(stampIds);
  const similar = snapshot.similarBuilds(ids);
  return builds.map((build) => buildPage(snapshot, build, site, stamps, changes, similar.get(build.id), options));
}

/** A failed build's similar builds as chips, each saying its number and result. */
function similarView(similar: SimilarBuilds | undefined, link: Linker): BuildPage['similar'] {
  if (!similar) return null;
  const chips = (builds: BuildSummary[]) => builds.map((build) => buildChip(build, link, false));
  return {
    before: chips(similar.before),
    after: chips(similar.after),
    sameStep: similar.sameStep.map(({ step, builds }) => ({ step, builds: chips(builds) })),
  };
}

function buildPage(
  snapshot: Snapshot,
  build: BuildDetail,
  site: Site,
  stamps: Map<number, Sourcestamp>,
  changes: Map<number, Change[]>,
  similar: SimilarBuilds | undefined,
  options: BuildPageOptions,
): BuildPage {
  const link = new Linker(urls.build(build.id), site);
  const builder = link.builder(build.builderId);
  const buildLink = (id: number): Link => ({ href: link.to(urls.build(id)), text: `build ${id}` });
  const wallEnd = build.completeAt ?? lastStepEnd(build.steps) ?? build.startedAt;
  return {
    ...pageBase(link, site, `${builder.text} #${build.number}`, { above: [link.section('builders'), builder] }),
    id: build.id,
    number: build.number,
    builder,
    result: buildResult(build),
    stateString: build.stateString,
    start: timeView(build.startedAt, 'not started'),
    end: timeView(build.completeAt, build.lost ? 'did not finish (lost)' : 'running'),
    duration: durationText(build.startedAt, build.completeAt),
    master: link.master(build.masterId),
    worker: link.worker(build.workerId),
    tags: (site.builders.get(build.builderId)?.tags ?? []).map((tag) => link.tag(tag)),
    tagsLabel: site.tagWord === 'category' ? 'Category' : 'Tags',
    reason: build.reason,
    lost: build.lost,
    previous: build.previousBuildId === null ? null : link.to(urls.build(build.previousBuildId)),
    next: build.nextBuildId === null ? null : link.to(urls.build(build.nextBuildId)),
    parent: build.parentBuildId === null ? null : buildLink(build.parentBuildId),
    triggered: build.triggeredBuildIds.map(buildLink),
    problems: buildProblems(build, site, link),
    steps: build.steps.map((step) => stepView(step, build, wallEnd, link, options.logs, site)),
    properties: build.properties.map(({ name, value, source }) => {
      const { text, json } = readableProperty(value);
      if (!json) site.warnings.add('json', `property ${name} of build ${build.id} is not valid JSON; shown as stored`);
      return { name, value: text, source, notJson: !json };
    }),
    sourcestamps: build.sourcestampIds.map((id) => {
      const stamp = stamps.get(id);
      if (!stamp) site.warnings.add('orphan', `sourcestamp ${id} is referenced by build ${build.id} but not in the snapshot`);
      return {
        link: { href: stamp ? link.to(urls.source(id)) : null, text: `sourcestamp ${id}` },
        branch: stamp?.branch ?? null,
        revision: stamp?.revision ?? null,
        revisionHref: stamp?.revision ? link.to(urls.revision(stamp.revision)) : null,
        repository: stamp?.repository ?? null,
        changes: (changes.get(id) ?? []).map((change) => changeView(change, site, link)),
      };
    }),
    failureSummary: buildFailureSummary(snapshot, build.steps, link, options.logs, options.logPageLines),
    externalLogs: site.schema === 'statusdb' ? externalLogs(build.properties) : null,
    similar: similarView(similar, link),
  };
}

/**
 * What is wrong with a build's own row, said on its page and noted for the summary: times that
 * do not add up, an unknown result, a number its builder used twice.
 */
function buildProblems(build: BuildDetail, site: Site, link: Linker): BuildProblem[] {
  const problems: BuildProblem[] = [];
  const timeProblem = timesProblem(build.startedAt, build.completeAt);
  if (timeProblem) {
    site.warnings.add('time', `build ${build.id} ${timeProblem}`);
    problems.push({ text: `This build ${timeProblem}.`, links: [] });
  }
  if (isUnknownResult(build.result)) site.warnings.add('result', `build ${build.id} has result code ${build.result}`);
  if (build.sameNumberIds.length > 0) {
    site.warnings.add('duplicate', `build ${build.id} shares number ${build.number} with build ${build.sameNumberIds.join(', ')}`);
    problems.push({
      text: `Its builder used number ${build.number} for other builds too:`,
      links: build.sameNumberIds.map((id) => ({ href: link.to(urls.build(id)), text: `build ${id}` })),
    });
  }
  return problems;
}

/** Why a start and an end do not add up, or null when they do (or are not both known). */
function timesProblem(start: number | null, end: number | null): string | null {
  if (start === null && end !== null) return 'has an end time but no start time';
  if (start !== null && end !== null && end < start) return 'ends before it starts';
  return null;
}

/** statusdb builds of late 2010 name their log's address in a `log_url` property. */
function externalLogs(properties: Property[]): Link[] {
  return properties
    .filter((property) => property.name === 'log_url')
    .map((property) => readableProperty(property.value).text)
    .flatMap((url) => {
      const href = webHref(url);
      return href === null ? [] : [{ href, text: url }];
    });
}

function lastStepEnd(steps: Step[]): number | null {
  const ends = steps.map((step) => step.completeAt ?? step.startedAt).filter((time) => time !== null);
  return ends.length === 0 ? null : Math.max(...ends);
}

/** Rounded so the same snapshot always gives the same bytes. */
const percent = (part: number, whole: number) => Math.round((part / whole) * 10000) / 100;

function stepView(step: Step, build: BuildDetail, buildEnd: number | null, link: Linker, mode: LogMode, site: Site): StepView {
  const buildStart = build.startedAt;
  const wall = buildStart === null || buildEnd === null ? 0 : buildEnd - buildStart;
  const start = step.startedAt;
  const end = step.completeAt ?? buildEnd;
  const bar =
    wall > 0 && buildStart !== null && start !== null && end !== null
      ? { offset: percent(start - buildStart, wall), width: percent(Math.max(0, end - start), wall) }
      : { offset: 0, width: 0 };
  return {
    number: step.number,
    name: step.name,
    result: stepResult(step),
    description: step.description,
    start: timeView(step.startedAt),
    duration: durationText(step.startedAt, step.completeAt),
    hidden: step.hidden,
    bar,
    logs: step.logs.map((log) => ({
      name: log.name,
      lines: log.numLines,
      type: log.type,
      href: mode === 'full' ? link.to(urls.log(build.id, log.id)) : null,
      raw: mode === 'full' && log.type !== 'd' ? link.to(urls.rawLog(build.id, log.id, log.slug)) : null,
    })),
    urls: step.urls.map(({ name, url }) => ({ name, href: webHref(url) })),
    problems: stepProblems(step, build, site),
  };
}

function stepProblems(step: Step, build: BuildDetail, site: Site): string[] {
  const problems: string[] = [];
  const what = `step ${step.number} of build ${build.id}`;
  const timeProblem = timesProblem(step.startedAt, step.completeAt);
  if (timeProblem) {
    site.warnings.add('time', `${what} ${timeProblem}`);
    problems.push(`this step ${timeProblem}`);
  }
  if (isUnknownResult(step.result)) site.warnings.add('result', `${what} has result code ${step.result}`);
  if (step.urlsUnreadable) {
    site.warnings.add('json', `the URLs of ${what} are not the JSON list buildbot writes`);
    problems.push('its published URLs could not be read');
  }
  return problems;
}
