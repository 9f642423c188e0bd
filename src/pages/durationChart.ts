import { RESULT_COLOURS, buildResult } from '../model/results.ts';
import { formatDuration } from '../model/time.ts';
import type { BuildSummary } from '../model/types.ts';

/** How long builds took, oldest left: one bar a build, one path per result, in a few KB. */
export interface DurationChart {
  width: number;
  height: number;
  /** For the picture's accessible name. */
  description: string;
  longest: string;
  /** Each bar's stroke: most of its slot. */
  barWidth: number;
  series: { key: string; label: string; letter: string; colour: string; dashed: boolean; count: number; path: string }[];
}

const WIDTH = 600;
const HEIGHT = 100;

/**
 * Bars of the builds that finished, in the order given. Each result is one path, its bars solid
 * for success and dashed otherwise, so failures stand out without colour too; null when no build
 * has a duration.
 */
export function durationChart(builds: readonly BuildSummary[]): DurationChart | null {
  const timed = builds.filter((build) => build.startedAt !== null && build.completeAt !== null && build.completeAt >= build.startedAt);
  if (timed.length === 0) return null;
  const longest = Math.max(1, ...timed.map((build) => build.completeAt! - build.startedAt!));
  const step = WIDTH / timed.length;
  const series = new Map<string, DurationChart['series'][number]>();
  timed.forEach((build, index) => {
    const result = buildResult(build);
    const x = (index + 0.5) * step;
    const top = HEIGHT - Math.max(1, ((build.completeAt! - build.startedAt!) / longest) * HEIGHT);
    const entry =
      series.get(result.key) ??
      series
        .set(result.key, { key: result.key, label: result.label, letter: result.letter, colour: RESULT_COLOURS[result.key] ?? RESULT_COLOURS.unknown!, dashed: result.key !== 'success', count: 0, path: '' })
        .get(result.key)!;
    entry.count++;
    entry.path += `M${x.toFixed(1)} ${HEIGHT}V${top.toFixed(1)}`;
  });
  return {
    width: WIDTH,
    height: HEIGHT,
    description: `Durations of ${timed.length} builds, oldest left; the longest took ${formatDuration(longest)}`,
    longest: formatDuration(longest),
    barWidth: Math.max(1, Math.round(step * 7) / 10),
    series: [...series.values()],
  };
}
