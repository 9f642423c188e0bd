import type { ShownLine } from '../logs/readLog.ts';

/** A log line as pages show it: numbered from 1, with its anchor. */
export interface LineView {
  n: number;
  stream: string | null;
  text: string;
  kind: string | null;
  missing: string | null;
  /** Link to the line on its log page (failure summaries), or null where there is no page. */
  href: string | null;
}

export function lineView(line: ShownLine, logHref: string | null): LineView {
  const n = line.number + 1;
  return {
    n,
    stream: line.stream,
    text: line.text,
    kind: line.kind,
    missing: line.missing ?? null,
    href: logHref === null ? null : `${logHref}#L${n}`,
  };
}
