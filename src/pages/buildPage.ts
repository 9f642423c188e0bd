import { type ResultView, buildResult, stepResult } from '../model/results.ts';
import { durationText, formatTime } from '../model/time.ts';
import type { BuildDetail, Change, Sourcestamp, Step } from '../model/types.ts';
import type { Snapshot } from '../snapshot/types.ts';
import { urls } from '../urls.ts';
import { type ChangeView, changeView } from './changes.ts';
import { type Link, Linker, type PageBase, type Site, pageBase } from './site.ts';
import { readableJson } from './values.ts';

export interface BuildPage extends PageBase {
  id: number;
  number: number;
  builder: Link;
  result: ResultView;
  stateString: string;
  start: string | null;
  /** End time, or why there is none. */
  end: string;
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
  steps: StepView[];
  properties: { name: string; value: string; source: string }[];
  sourcestamps: SourcestampView[];
}

export interface StepView {
  number: number;
  name: string;
  result: ResultView;
  description: string;
  start: string | null;
  duration: string;
  hidden: boolean;
  /** Position on the build's time line, in percent of its wall time. */
  bar: { offset: number; width: number };
  logs: { name: string; lines: number; type: string }[];
  urls: { name: string; url: string }[];
}

export interface SourcestampView {
  link: Link;
  branch: string | null;
  revision: string | null;
  repository: string | null;
  changes: ChangeView[];
}

/** Build pages for the builds with ids in [from, to]: one window of the archive. */
export function buildPages(snapshot: Snapshot, site: Site, from: number, to: number): BuildPage[] {
  const builds = snapshot.buildDetails(from, to);
  const stampIds = [...new Set(builds.flatMap((build) => build.sourcestampIds))];
  const stamps = new Map(snapshot.sourcestamps(stampIds).map((stamp) => [stamp.id, stamp]));
  const changes = snapshot.changesOfSourcestamps(stampIds);
  return builds.map((build) => buildPage(build, site, stamps, changes));
}

function buildPage(
  build: BuildDetail,
  site: Site,
  stamps: Map<number, Sourcestamp>,
  changes: Map<number, Change[]>,
): BuildPage {
  const link = new Linker(urls.build(build.id), site);
  const builder = link.builder(build.builderId);
  const buildLink = (id: number): Link => ({ href: link.to(urls.build(id)), text: `build ${id}` });
  const wallEnd = build.completeAt ?? lastStepEnd(build.steps) ?? build.startedAt;
  return {
    ...pageBase(link, site, `${builder.text} #${build.number}`),
    id: build.id,
    number: build.number,
    builder,
    result: buildResult(build),
    stateString: build.stateString,
    start: formatTime(build.startedAt),
    end: formatTime(build.completeAt) ?? (build.lost ? 'did not finish (lost)' : 'running'),
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
    steps: build.steps.map((step) => stepView(step, build.startedAt, wallEnd)),
    properties: build.properties.map((property) => ({ ...property, value: readableJson(property.value) })),
    sourcestamps: build.sourcestampIds.map((id) => {
      const stamp = stamps.get(id);
      if (!stamp) site.warnings.add(`sourcestamp ${id} is referenced but not in the snapshot (orphan row)`);
      return {
        link: { href: stamp ? link.to(urls.source(id)) : null, text: `sourcestamp ${id}` },
        branch: stamp?.branch ?? null,
        revision: stamp?.revision ?? null,
        repository: stamp?.repository ?? null,
        changes: (changes.get(id) ?? []).map(changeView),
      };
    }),
  };
}

function lastStepEnd(steps: Step[]): number | null {
  const ends = steps.map((step) => step.completeAt ?? step.startedAt).filter((time) => time !== null);
  return ends.length === 0 ? null : Math.max(...ends);
}

/** Rounded so the same snapshot always gives the same bytes. */
const percent = (part: number, whole: number) => Math.round((part / whole) * 10000) / 100;

function stepView(step: Step, buildStart: number | null, buildEnd: number | null): StepView {
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
    start: formatTime(step.startedAt),
    duration: durationText(step.startedAt, step.completeAt),
    hidden: step.hidden,
    bar,
    logs: step.logs.map((log) => ({ name: log.name, lines: log.numLines, type: log.type })),
    urls: step.urls,
  };
}
