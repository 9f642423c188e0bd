/**
 * How big a synthetic snapshot is, scaled from Mozilla's statusdb of October 2010 (the dump's
 * AUTO_INCREMENT counters, see /work/shared/schema/statusdb-schema.sql).
 */

export const MOZILLA_2010 = {
  builds: 1_896_650,
  steps: 55_859_661,
  sourcestamps: 1_363_188,
  changes: 431_096,
  sourceChanges: 1_855_459,
  properties: 1_964_526,
  builders: 7_171,
  slaves: 1_007,
  masters: 11,
  files: 233_626,
} as const;

export type SnapshotSchema = 'statusdb' | 'buildbot';

export interface Preset {
  schema: SnapshotSchema;
  builds: number;
}

export const PRESETS: Record<string, Preset> = {
  mozilla2010: { schema: 'statusdb', builds: MOZILLA_2010.builds },
};

/** Mozilla's count of `key` per build. */
export function perBuild(key: keyof typeof MOZILLA_2010): number {
  return MOZILLA_2010[key] / MOZILLA_2010.builds;
}

/**
 * Builders, slaves and masters scale with the number of builds like everything else, with a floor
 * so that a small snapshot still has several branches, platforms and masters to show.
 */
export interface FarmSize {
  builders: number;
  slaves: number;
  masters: number;
}

const FARM_FLOOR: FarmSize = { builders: 12, slaves: 6, masters: 2 };

export function farmSize(builds: number): FarmSize {
  const scaled = (key: keyof FarmSize) => Math.max(FARM_FLOOR[key], Math.round(perBuild(key) * builds));
  return { builders: scaled('builders'), slaves: scaled('slaves'), masters: scaled('masters') };
}
