/**
 * What can be wrong in a snapshot's rows. Page models note each case where they meet it — the
 * page shows it too — and the build's closing summary counts them by kind (`--strict` makes any
 * of them an error).
 */
export const PROBLEMS = {
  orphan: 'rows naming a row the snapshot lacks',
  time: 'times that do not add up',
  result: 'unknown result codes',
  json: 'values that are not the JSON they should be',
  duplicate: 'build numbers a builder used twice',
  log: 'logs not whole',
  size: 'values too large to show whole',
  table: 'tables the snapshot lacks',
  encoding: 'pages with text that is not UTF-8',
} as const;

export type Problem = keyof typeof PROBLEMS;

export interface DataWarning {
  problem: Problem;
  detail: string;
}

/** Warnings gathered while building pages, each once, in a stable order. */
export class Warnings {
  private readonly byKey = new Map<string, DataWarning>();

  add(problem: Problem, detail: string): void {
    this.byKey.set(`${problem}\t${detail}`, { problem, detail });
  }

  addAll(warnings: Iterable<DataWarning>): void {
    for (const { problem, detail } of warnings) this.add(problem, detail);
  }

  list(): DataWarning[] {
    return [...this.byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, warning]) => warning);
  }
}

/** "2 rows naming a row the snapshot lacks, 1 unknown result codes": the counts by kind. */
export function countsByProblem(warnings: readonly DataWarning[]): string {
  const counts = new Map<Problem, number>();
  for (const { problem } of warnings) counts.set(problem, (counts.get(problem) ?? 0) + 1);
  return [...counts].map(([problem, count]) => `${count} × ${PROBLEMS[problem]}`).join(', ');
}
