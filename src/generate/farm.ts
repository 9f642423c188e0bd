/**
 * The build farm of a synthetic snapshot: masters, slaves and builders, sized by farmSize().
 * Builder k is (branch k mod 17, platform k mod 11, kind k mod 41): the three counts are coprime,
 * so the first 7,667 builders are all different and even a small farm spans every branch,
 * platform and kind.
 */
import type { FarmSize } from './proportions.ts';
import { BRANCHES, BUILDER_KINDS, type BuilderKind, type KindClass, MASTER_NAMES, PLATFORMS, type Platform } from './vocabulary.ts';

export interface FarmMaster {
  id: number;
  name: string;
  url: string;
}

export interface FarmSlave {
  id: number;
  name: string;
  platform: number;
}

export interface FarmBuilder {
  id: number;
  name: string;
  branch: string;
  platform: Platform;
  kind: BuilderKind;
  masterId: number;
  /** The slaves of its platform that may run its builds. */
  slaveIds: readonly number[];
}

export interface Farm {
  masters: FarmMaster[];
  slaves: FarmSlave[];
  builders: FarmBuilder[];
  /** Builders of each branch by kind class, for choosing who builds a push. */
  buildersOf(branch: string, kindClasses: readonly KindClass[]): readonly FarmBuilder[];
  /** Branches that have at least one builder. */
  branches: readonly string[];
}

/** A slave serves at most this many builders of its platform (Mozilla's pools were shared). */
const SLAVES_PER_BUILDER = 8;

export function makeFarm(size: FarmSize): Farm {
  const masters = Array.from({ length: size.masters }, (_, index) => master(index));
  const slaves = Array.from({ length: size.slaves }, (_, index) => slave(index));
  const slavesByPlatform = PLATFORMS.map((_, platform) => slaves.filter((s) => s.platform === platform).map((s) => s.id));
  const builders = Array.from({ length: size.builders }, (_, index) =>
    builder(index, masters.length, slavesByPlatform[index % PLATFORMS.length] ?? [], slaves.length),
  );
  const byBranchAndClass = new Map<string, FarmBuilder[]>();
  for (const each of builders) {
    const key = `${each.branch}\0${each.kind.kindClass}`;
    const list = byBranchAndClass.get(key) ?? [];
    list.push(each);
    byBranchAndClass.set(key, list);
  }
  const cache = new Map<string, readonly FarmBuilder[]>();
  return {
    masters,
    slaves,
    builders,
    branches: BRANCHES.filter((branch) => builders.some((each) => each.branch === branch)),
    buildersOf(branch, kindClasses) {
      const key = `${branch}\0${kindClasses.join()}`;
      let found = cache.get(key);
      if (!found) {
        found = kindClasses.flatMap((kindClass) => byBranchAndClass.get(`${branch}\0${kindClass}`) ?? []);
        cache.set(key, found);
      }
      return found;
    },
  };
}

function master(index: number): FarmMaster {
  const base = MASTER_NAMES[index % MASTER_NAMES.length] ?? 'master';
  const name = index < MASTER_NAMES.length ? base : `${base}-${Math.floor(index / MASTER_NAMES.length) + 1}`;
  return { id: index + 1, name, url: `http://${name}.build.mozilla.org:${8010 + (index % 3)}/` };
}

function slave(index: number): FarmSlave {
  const platform = index % PLATFORMS.length;
  const number = Math.floor(index / PLATFORMS.length) + 1;
  const pattern = PLATFORMS[platform]?.slavePattern ?? 'slave#';
  return { id: index + 1, name: pattern.replace('#', String(number).padStart(2, '0')), platform };
}

function builder(index: number, masterCount: number, platformSlaves: readonly number[], slaveCount: number): FarmBuilder {
  const branch = BRANCHES[index % BRANCHES.length] ?? BRANCHES[0];
  const platform = PLATFORMS[index % PLATFORMS.length] ?? PLATFORMS[0]!;
  const kind = BUILDER_KINDS[index % BUILDER_KINDS.length] ?? BUILDER_KINDS[0]!;
  const combinations = BRANCHES.length * PLATFORMS.length * BUILDER_KINDS.length;
  const round = Math.floor(index / combinations);
  const name = `${platform.name} ${branch} ${kind.name}${round > 0 ? ` ${round + 1}` : ''}`;
  return {
    id: index + 1,
    name,
    branch,
    platform,
    kind,
    masterId: (index % masterCount) + 1,
    slaveIds: builderSlaves(index, platformSlaves, slaveCount),
  };
}

/** A window of its platform's slaves, or of all slaves when the farm has none of that platform. */
function builderSlaves(index: number, platformSlaves: readonly number[], slaveCount: number): number[] {
  const pool = platformSlaves.length > 0 ? platformSlaves : Array.from({ length: slaveCount }, (_, i) => i + 1);
  const count = Math.min(SLAVES_PER_BUILDER, pool.length);
  const start = (index * 7) % pool.length;
  return Array.from({ length: count }, (_, i) => pool[(start + i) % pool.length]!);
}
