/** Times are shown in UTC, always with the zone, so archives read the same anywhere. */
export function formatTime(unixSeconds: number | null): string | null {
  if (unixSeconds === null) return null;
  const iso = new Date(unixSeconds * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** `1h 02m 03s`, `4m 05s`, `7s`. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h ${pad(m)}m ${pad(s)}s`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}

/** How long something took, or why that is not known. */
export function durationText(start: number | null, end: number | null): string {
  if (start === null) return 'not started';
  if (end === null) return 'did not finish';
  if (end < start) return 'ends before it starts';
  return formatDuration(end - start);
}
