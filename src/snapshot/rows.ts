import type { BuildSummary } from '../model/types.ts';
import { parseJsonOr } from './sql.ts';
import type { StampBuilds } from './types.ts';

/** Row shapes and conversions both adapters share: the columns are aliased to these names in SQL. */

export interface BuildSummaryRow {
  id: number;
  number: number;
  builderid: number;
  result: number | null;
  started_at: number | null;
  complete_at: number | null;
  lost?: number;
}

export function buildSummary(row: BuildSummaryRow): BuildSummary {
  return {
    id: row.id,
    number: row.number,
    builderId: row.builderid,
    result: row.result,
    startedAt: row.started_at,
    completeAt: row.complete_at,
    lost: row.lost === 1,
  };
}

export function stampBuildsFrom(rows: (BuildSummaryRow & { stampid: number; total: number })[]): Map<number, StampBuilds> {
  const byStamp = new Map<number, StampBuilds>();
  for (const row of rows) {
    let entry = byStamp.get(row.stampid);
    if (!entry) byStamp.set(row.stampid, (entry = { total: row.total, builds: [] }));
    entry.builds.push(buildSummary(row));
  }
  return byStamp;
}

/** A property's JSON value as plain text: strings unquoted, anything else as JSON. */
export function propertyText(value: string): string {
  const parsed = parseJsonOr(value, value);
  return typeof parsed === 'string' ? parsed : JSON.stringify(parsed);
}
