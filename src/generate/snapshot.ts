/**
 * Synthetic snapshots for tests and benchmarks: `makeSnapshot` writes a statusdb or buildbot 3.7
 * SQLite file of any number of builds with Mozilla's 2010 proportions. The same options always
 * give the same bytes: every choice comes from a PRNG seeded by `seed`, and no clock is read.
 */
import { statSync } from 'node:fs';
import { BuildbotWriter } from './buildbotWriter.ts';
import { BUILDBOT_37_DDL, STATUSDB_2010_DDL } from '../snapshot/ddl.ts';
import { makeFarm } from './farm.ts';
import { generateHistory } from './history.ts';
import { type SnapshotSchema, farmSize } from './proportions.ts';
import { Random } from './random.ts';
import { SnapshotFile } from './sqlite.ts';
import { StatusdbWriter } from './statusdbWriter.ts';

export interface SnapshotOptions {
  schema: SnapshotSchema;
  builds: number;
  seed: string;
  /** The file to write; replaced only once the new one is complete. */
  out: string;
}

export interface SnapshotReport {
  /** Rows written, by table. */
  rows: Record<string, number>;
  totalRows: number;
  seconds: number;
  /** Of those, building the indexes once all rows were in. */
  indexSeconds: number;
  bytes: number;
}

export function makeSnapshot(options: SnapshotOptions): SnapshotReport {
  if (!Number.isInteger(options.builds) || options.builds < 1) {
    throw new Error(`builds must be a whole number above 0, not ${options.builds}`);
  }
  const started = process.hrtime.bigint();
  const random = new Random(`${options.schema}:${options.builds}:${options.seed}`);
  const farm = makeFarm(farmSize(options.builds));
  const file = new SnapshotFile(options.out, options.schema === 'statusdb' ? STATUSDB_2010_DDL : BUILDBOT_37_DDL);
  try {
    const writer =
      options.schema === 'statusdb' ? new StatusdbWriter(file) : new BuildbotWriter(file, new Random(`logs:${options.seed}`));
    writer.writeFarm(farm);
    generateHistory(farm, random, options, writer);
    const rows = file.rowCounts();
    const indexSeconds = file.finish();
    return {
      rows,
      totalRows: Object.values(rows).reduce((sum, count) => sum + count, 0),
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
      indexSeconds,
      bytes: statSync(options.out).size,
    };
  } catch (error) {
    file.abandon();
    throw error;
  }
}
