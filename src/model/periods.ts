/**
 * The periods a chart over time counts by, as its span asks: hours over a short history, days over
 * some months, weeks beyond. The duration trends and a failure's timeline share them.
 */
const HOUR = 3_600;
const DAY = 86_400;
const UNITS = [
  { seconds: HOUR, unit: 'hour', longest: 2 * DAY },
  { seconds: DAY, unit: 'day', longest: 120 * DAY },
  { seconds: 7 * DAY, unit: 'week', longest: Infinity },
] as const;

export interface Periods {
  unit: (typeof UNITS)[number]['unit'];
  seconds: number;
  /** The first period's start (unix seconds), on a whole hour, day or week since the epoch. */
  start: number;
  /** Periods from the first moment's to the last's. */
  count: number;
  /** The period a moment falls in, counted from 0. */
  index(at: number): number;
  /** A period's start as a chart names it: `2026-11-25 15:00 UTC` for an hour, `2026-11-25` else. */
  label(index: number): string;
}

/** The periods from `first` to `last` (unix seconds). */
export function periodsOver(first: number, last: number): Periods {
  const { seconds, unit } = UNITS.find((each) => last - first < each.longest)!;
  const start = Math.floor(first / seconds) * seconds;
  return {
    unit,
    seconds,
    start,
    count: Math.floor((last - start) / seconds) + 1,
    index: (at) => Math.floor((at - start) / seconds),
    label: (index) => {
      const iso = new Date((start + index * seconds) * 1000).toISOString();
      return unit === 'hour' ? `${iso.slice(0, 10)} ${iso.slice(11, 13)}:00 UTC` : iso.slice(0, 10);
    },
  };
}
