/**
 * Whether a builder is getting slower: how long its builds (or one of its steps) took per hour, day
 * or week of its history, as the median and the 90th percentile. Each bar (median) and point (90th
 * percentile) is the build that had that duration, linked, with a title; one colour, so it reads
 * without colour.
 */
import { periodsOver } from '../model/periods.ts';
import { formatDuration } from '../model/time.ts';
import { groupBy } from '../record/sql.ts';
import { buildUrl } from './buildPage.ts';
import type { Linker } from './site.ts';

/** A build's duration (of the whole build, or of one of its steps). */
export interface Timed {
  id: number;
  number: number;
  startedAt: number;
  seconds: number;
}

export interface TrendChart {
  title: string;
  width: number;
  height: number;
  /** For the picture's accessible name, and for those who read no pictures. */
  description: string;
  /** What the marks are, in short, under the picture. */
  legend: string;
  barWidth: number;
  /** One per period with builds: its median (a bar) and 90th percentile (a point). */
  periods: { x: number; median: TrendMark; p90: TrendMark }[];
  from: string;
  to: string;
}

export interface TrendMark {
  y: number;
  href: string;
  title: string;
}

const WIDTH = 600;
const HEIGHT = 80;

/** How a trend names its values and what they belong to: a build's duration by default. */
export interface TrendWords {
  format: (value: number) => string;
  /** What each value belongs to: "build", "run". */
  noun: string;
  /** Says the largest value: "the longest took". */
  largest: string;
}

const DURATIONS: TrendWords = { format: formatDuration, noun: 'build', largest: 'the longest took' };

/** The trend of these durations (or other values, `words`), in start order; null without any. */
export function durationTrend(title: string, timed: readonly Timed[], link: Linker, words: TrendWords = DURATIONS): TrendChart | null {
  const { format, noun, largest } = words;
  if (timed.length === 0) return null;
  const { unit, count, index: periodOf, label: when } = periodsOver(timed[0]!.startedAt, timed.at(-1)!.startedAt);
  const byPeriod = groupBy(timed, (build) => periodOf(build.startedAt));
  const longest = Math.max(1, ...timed.map((build) => build.seconds));
  const step = WIDTH / count;
  const y = (duration: number) => Math.round((HEIGHT - Math.max(1, (duration / longest) * HEIGHT)) * 10) / 10;
  const mark = (build: Timed, what: string, index: number, builds: number): TrendMark => ({
    y: y(build.seconds),
    href: link.to(buildUrl(build.id)),
    title: `${what} of ${builds} ${noun}${builds === 1 ? '' : 's'} in the ${unit} of ${when(index)}: ${format(build.seconds)} (#${build.number})`,
  });
  const periods = [...byPeriod].map(([index, builds]) => {
    const sorted = [...builds].sort((a, b) => a.seconds - b.seconds || a.id - b.id);
    const at = (share: number) => sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
    return { x: Math.round((index + 0.5) * step * 10) / 10, median: mark(at(0.5), 'median', index, builds.length), p90: mark(at(0.9), '90th percentile', index, builds.length) };
  });
  return {
    title,
    width: WIDTH,
    height: HEIGHT,
    description: `${title}: the median (bars) and 90th percentile (points) per ${unit}, from ${when(0)} to ${when(count - 1)}; ${largest} ${format(longest)}`,
    legend: `median (bar), 90th percentile (point) per ${unit}; top: ${format(longest)}`,
    barWidth: Math.min(Math.max(1, Math.round(step * 6) / 10), 12),
    periods,
    from: when(0),
    to: when(count - 1),
  };
}

/** Builds whose longest steps a builder's page draws: its newest, so a page costs the same however old the builder. */
export const STEP_TREND_BUILDS = 1000;
/** The longest steps drawn, as small multiples. */
export const STEP_TRENDS = 3;
