/**
 * statusdb's datetimes in SQLite form: `YYYY-MM-DD HH:MM:SS` UTC text. Formatted from two small
 * tables (days seen so far, the 86,400 times of day) because a full-size snapshot formats over a
 * hundred million of them, and Date's own formatting would dominate the run.
 */

const SECONDS_PER_DAY = 86_400;
let timesOfDay: string[] | undefined;
const days = new Map<number, string>();

export function sqlDatetime(seconds: number | null): string | null {
  if (seconds === null) return null;
  const day = Math.floor(seconds / SECONDS_PER_DAY);
  return `${datePart(day)} ${timeOfDay(seconds - day * SECONDS_PER_DAY)}`;
}

function datePart(day: number): string {
  let text = days.get(day);
  if (text === undefined) {
    text = new Date(day * SECONDS_PER_DAY * 1000).toISOString().slice(0, 10);
    days.set(day, text);
  }
  return text;
}

function timeOfDay(second: number): string {
  timesOfDay ??= Array.from({ length: SECONDS_PER_DAY }, (_, s) =>
    [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((part) => String(part).padStart(2, '0')).join(':'),
  );
  return timesOfDay[second]!;
}
