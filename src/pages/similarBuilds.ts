/**
 * What a failed build's page shows of its builder's other builds: the builds just before and after
 * it, and earlier builds where its failed steps failed too — the first hint of an intermittent
 * failure. Bounded, so that a build changes the pages of at most `around` builds before it, or
 * `lookback` after it when its own result changed later (the build kind's update follows this).
 */
import type { BuildSummary } from '../model/types.ts';
import { type RecordReader, SUMMARY_COLUMNS, type SummaryRow, buildSummary } from '../record/reader.ts';
import { FAILED } from '../record/schema.ts';
import { IN_JSON, groupBy, jsonIds } from '../record/sql.ts';
import { type BuildChip, buildChip } from './buildChips.ts';
import type { Linker } from './site.ts';

/**
 * How far a failed build's page looks among its builder's builds (in the builder's order of
 * numbers): its `around` builds either side, and up to `sameStep` builds among the `lookback`
 * before it where a step of the same name failed.
 */
export const SIMILAR = { around: 10, sameStep: 10, lookback: 200 } as const;

export interface SimilarBuilds {
  /** The builder's builds just before and after it, in its order of numbers. */
  before: BuildSummary[];
  after: BuildSummary[];
  /** For each failed step's name, earlier builds of the builder where a step of that name failed too, newest first. */
  sameStep: { step: string; builds: BuildSummary[] }[];
}

/** Similar builds as a page shows them: chips saying each build's number and result. */
export interface SimilarView {
  before: BuildChip[];
  after: BuildChip[];
  sameStep: { step: string; builds: BuildChip[] }[];
}

/** The similar builds of each of these builds that failed. */
export function similarBuilds(record: RecordReader, ids: readonly number[]): Map<number, SimilarBuilds> {
  const targets = record
    .statement(`SELECT id, builderid, number FROM builds WHERE id ${IN_JSON} AND results IN ${FAILED} ORDER BY id`)
    .all(jsonIds(ids)) as BuildPlace[];
  const failedSteps = groupBy(
    record
      .statement(`SELECT DISTINCT buildid, name FROM steps WHERE buildid ${IN_JSON} AND results IN ${FAILED} AND name IS NOT NULL ORDER BY buildid, name`)
      .all(jsonIds(targets.map((target) => target.id))) as { buildid: number; name: string }[],
    (row) => row.buildid,
  );
  // Of the builds looked back at, only ids are read for all: summaries only of those shown.
  const failedAmong = record.statement(
    `SELECT DISTINCT buildid, name FROM steps WHERE buildid ${IN_JSON} AND name IN (SELECT value FROM json_each(?)) AND results IN ${FAILED}`,
  );
  const result = new Map<number, SimilarBuilds>();
  for (const target of targets) {
    const lookback = besideRows(record, target, 'previous', SIMILAR.lookback, 'b.id').map((row) => row.id);
    const names = (failedSteps.get(target.id) ?? []).map(({ name }) => name);
    const failed = groupBy(
      names.length > 0 ? (failedAmong.all(jsonIds(lookback), JSON.stringify(names)) as { buildid: number; name: string }[]) : [],
      (row) => row.name,
    );
    const sameStep = names.map((name) => {
      const builds = new Set(failed.get(name)?.map((row) => row.buildid));
      return { step: name, ids: lookback.filter((id) => builds.has(id)).slice(0, SIMILAR.sameStep) };
    });
    const before = lookback.slice(0, SIMILAR.around);
    const summaries = buildSummariesById(record, [...before, ...sameStep.flatMap((step) => step.ids)]);
    const summariesOf = (ids: number[]) => ids.map((id) => summaries.get(id)!);
    result.set(target.id, {
      before: summariesOf(before).reverse(),
      after: besideRows<SummaryRow>(record, target, 'next', SIMILAR.around, SUMMARY_COLUMNS).map(buildSummary),
      sameStep: sameStep.map(({ step, ids }) => ({ step, builds: summariesOf(ids) })),
    });
  }
  return result;
}

/** A failed build's similar builds as chips, each saying its number and result. */
export function similarView(similar: SimilarBuilds | undefined, link: Linker): SimilarView | null {
  if (!similar) return null;
  const chips = (builds: BuildSummary[]) => builds.map((build) => buildChip(build, link, false));
  return {
    before: chips(similar.before),
    after: chips(similar.after),
    sameStep: similar.sameStep.map(({ step, builds }) => ({ step, builds: chips(builds) })),
  };
}

/** Where a build stands in its builder's order. */
interface BuildPlace {
  id: number;
  builderid: number;
  number: number;
}

function buildSummariesById(record: RecordReader, ids: readonly number[]): Map<number, BuildSummary> {
  const rows = record.statement(`SELECT ${SUMMARY_COLUMNS} FROM builds b WHERE b.id ${IN_JSON}`).all(jsonIds([...new Set(ids)])) as SummaryRow[];
  return new Map(rows.map((row) => [row.id, buildSummary(row)]));
}

/**
 * `columns` of up to `limit` builds before (newest first) or after (oldest first) a build in its
 * builder's order of numbers, ids breaking ties: each side two range lookups on the
 * (builderid, number) index, as a build's neighbours are found, never a scan of the builder.
 */
function besideRows<Row extends { id: number }>(record: RecordReader, build: BuildPlace, which: 'previous' | 'next', limit: number, columns: string): Row[] {
  const [comparison, order] = which === 'previous' ? ['<', 'DESC'] : ['>', 'ASC'];
  const sameNumber = record
    .statement(`SELECT ${columns} FROM builds b WHERE b.builderid = ? AND b.number = ? AND b.id ${comparison} ? ORDER BY b.id ${order} LIMIT ?`)
    .all(build.builderid, build.number, build.id, limit) as Row[];
  const others = record
    .statement(`SELECT ${columns} FROM builds b WHERE b.builderid = ? AND b.number ${comparison} ? ORDER BY b.number ${order}, b.id ${order} LIMIT ?`)
    .all(build.builderid, build.number, limit - sameNumber.length) as Row[];
  return [...sameNumber, ...others];
}
