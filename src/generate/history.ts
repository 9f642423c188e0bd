/**
 * The schema-independent history of a synthetic build farm: pushes (changes and the sourcestamps
 * made for them) and the builds they cause, generated one at a time and handed to a writer.
 *
 * Only a bounded pool of pending builds is kept, so memory does not grow with the number of
 * builds. Pending builds are taken from the pool in random order, so the builds of one push
 * interleave with those of the pushes around it, as on a real farm.
 */
import type { Farm, FarmBuilder } from './farm.ts';
import type { SnapshotSchema } from './proportions.ts';
import type { Random } from './random.ts';
import {
  BRANCHES,
  BRANCH_WEIGHTS,
  BUILD_STEPS,
  type KindClass,
  LOCALES,
  PLATFORM_STEP_INDEX,
  TEST_STEPS,
  authorName,
  commitSummary,
  filePath,
  GIT_QUOTED_PATH,
  longCommitMessage,
  nonAsciiAuthor,
  sendchangeUrls,
} from './vocabulary.ts';

export type PushKind = 'commit' | 'sendchange' | 'nightly' | 'forced';

export interface GeneratedFile {
  /** statusdb `files.id`; files are shared between changes. */
  id: number;
  path: string;
  /** First mention: statusdb writes its `files` row now. */
  isNew: boolean;
}

export interface GeneratedChange {
  id: number;
  who: string;
  comments: string;
  branch: string | null;
  revision: string | null;
  when: number;
  files: GeneratedFile[];
  /** l10n sendchanges name their locale. */
  locale: string | null;
}

export interface Push {
  kind: PushKind;
  branch: string | null;
  time: number;
  /** The revision its builds build: the last change's, or none for nightlies and forced builds. */
  revision: string | null;
  changes: GeneratedChange[];
  scheduler: string;
  reason: string;
}

/** What builds are requested on: a statusdb sourcestamp, a buildbot buildset. */
export interface Stamp {
  id: number;
  push: Push;
}

export interface GeneratedStep {
  id: number;
  number: number;
  name: string;
  start: number | null;
  end: number | null;
  result: number | null;
  /** What the step says about itself (statusdb: a JSON list of words; buildbot: joined). */
  words: string[];
}

/**
 * How far a property's value is shared: statusdb keeps one `properties` row per distinct value
 * within that scope and links builds to it.
 */
export type PropertyScope = 'farm' | 'push' | 'build';

export interface GeneratedProperty {
  name: string;
  source: string;
  /** JSON text. */
  value: string;
  scope: PropertyScope;
}

export interface GeneratedBuild {
  id: number;
  number: number;
  builder: FarmBuilder;
  slaveId: number;
  start: number;
  end: number | null;
  result: number | null;
  /** statusdb: the master restarted under it. */
  lost: boolean;
  stateString: string;
  stamp: Stamp;
  steps: GeneratedStep[];
  properties: GeneratedProperty[];
}

export interface HistoryWriter {
  writePush(push: Push, stamps: readonly Stamp[]): void;
  writeBuild(build: GeneratedBuild): void;
}

export const RESULT = { success: 0, warnings: 1, failure: 2, skipped: 3, exception: 4, retry: 5, cancelled: 6 } as const;
/** Codes no buildbot defines, but that real databases hold. */
const UNKNOWN_RESULTS = [7, 8] as const;

/** Results of finished builds, weighted: mostly green, Mozilla's orange and red, the odd rest. */
const RESULT_WEIGHTS: [number, number][] = [
  [RESULT.success, 7500],
  [RESULT.warnings, 1200],
  [RESULT.failure, 700],
  [RESULT.skipped, 20],
  [RESULT.exception, 200],
  [RESULT.retry, 250],
  [RESULT.cancelled, 80],
  [7, 3],
  [8, 2],
];
const LOST_RATE = 0.002;
const ZERO_LENGTH_RATE = 0.001;
/** Builds still running when the snapshot was taken: the newest ones. */
const RUNNING_SHARE = 0.0002;
/** Builds near the end carry a `log_url` property, as statusdb's later builds did. */
const LOG_URL_SHARE = 0.02;
/**
 * Share of builds with a `buildid` property of their own: the one property most builds do not
 * share. Chosen so that `properties` rows per build come out near Mozilla's 1.04 (test/generate).
 */
const BUILDID_SHARE = 0.68;

/** Kinds of push, weighted. Counts per push below were fitted to Mozilla's per-build ratios. */
const PUSH_WEIGHTS: [PushKind, number][] = [
  ['commit', 85],
  ['sendchange', 11],
  ['nightly', 3],
  ['forced', 1],
];
/** Sourcestamps per commit push: one per scheduler and platform that asked for builds. */
const STAMPS_PER_COMMIT = { min: 1, max: 8 };
/** Builds per commit stamp: [count, weight]; a few stamps were never built (merged requests). */
const BUILDS_PER_STAMP: [number, number][] = [
  [0, 5],
  [1, 62],
  [2, 25],
  [3, 8],
];
/** Extra changes per commit push beyond the first: P(one more) at each step. */
const MORE_CHANGES = 0.28;
/** Builds waiting to run: bounds memory, and how far the builds of one push spread out. */
const PENDING_BUILDS = 64;

const weightsOf = (table: readonly [unknown, number][]) => table.map(([, weight]) => weight);
const RESULT_CODE_WEIGHTS = weightsOf(RESULT_WEIGHTS);
const PUSH_KIND_WEIGHTS = weightsOf(PUSH_WEIGHTS);
const BUILDS_PER_STAMP_WEIGHTS = weightsOf(BUILDS_PER_STAMP);

/** Mozilla's history ends with the dump; it starts two years earlier. */
export const HISTORY_END = Date.UTC(2010, 9, 29, 19, 44, 44) / 1000;
export const HISTORY_START = Date.UTC(2008, 9, 29) / 1000;

/** Every special kind of row, so that even a small snapshot has each of them. */
type ForcedFate = { result: number } | { lost: true } | { zeroLength: true };
const FORCED_FATES: ForcedFate[] = [
  ...Object.values(RESULT).map((result) => ({ result })),
  ...UNKNOWN_RESULTS.map((result) => ({ result })),
  { lost: true },
  { lost: true },
  { zeroLength: true },
];
/** What the forced early pushes make sure exists: a long message, non-ASCII text, a git-quoted path. */
type PushSpecial = 'long' | 'nonAscii' | 'quotedPath';
const FORCED_PUSHES: { kind: PushKind; special?: PushSpecial }[] = [
  { kind: 'nightly' },
  { kind: 'sendchange' },
  { kind: 'commit', special: 'long' },
  { kind: 'forced' },
  { kind: 'commit', special: 'nonAscii' },
  { kind: 'commit', special: 'quotedPath' },
];

interface Fate {
  result: number | null;
  running: boolean;
  lost: boolean;
  zeroLength: boolean;
}

interface PendingBuild {
  stamp: Stamp;
  builder: FarmBuilder;
}

export interface HistoryOptions {
  schema: SnapshotSchema;
  builds: number;
}

/** Generates the whole history into `writer`: pushes as they are needed, then each build. */
export function generateHistory(farm: Farm, random: Random, options: HistoryOptions, writer: HistoryWriter): void {
  new HistoryGenerator(farm, random, options, writer).run();
}

class HistoryGenerator {
  private readonly pending: PendingBuild[] = [];
  private readonly buildNumbers: Int32Array;
  private readonly meanGap: number;
  private readonly running: number;
  private readonly forcedFates = new Map<number, ForcedFate>();
  private readonly branchWeights: number[];
  private clock = HISTORY_START;
  private pushes = 0;
  private stampId = 0;
  private changeId = 0;
  private fileId = 0;
  private stepId = 0;

  constructor(
    private readonly farm: Farm,
    private readonly random: Random,
    private readonly options: HistoryOptions,
    private readonly writer: HistoryWriter,
  ) {
    this.buildNumbers = new Int32Array(farm.builders.length + 1);
    this.meanGap = (HISTORY_END - HISTORY_START) / options.builds;
    this.running = Math.min(options.builds, Math.max(2, Math.round(options.builds * RUNNING_SHARE)));
    // Spread the forced fates evenly over the finished builds.
    const finished = options.builds - this.running;
    FORCED_FATES.forEach((fate, index) => {
      if (finished > FORCED_FATES.length) this.forcedFates.set(Math.floor(((index + 0.5) * finished) / FORCED_FATES.length), fate);
    });
    this.branchWeights = farm.branches.map((branch) => BRANCH_WEIGHTS[BRANCHES.indexOf(branch as (typeof BRANCHES)[number])] ?? 1);
  }

  run(): void {
    for (let index = 0; index < this.options.builds; index++) {
      while (this.pending.length < PENDING_BUILDS) this.addPush();
      // Builds start evenly over the history, each at a random moment of its own slot.
      this.clock = HISTORY_START + (index + this.random.float()) * this.meanGap;
      this.writer.writeBuild(this.build(index, this.takePending()));
    }
  }

  private takePending(): PendingBuild {
    const index = Math.floor(this.random.float() * this.pending.length);
    const taken = this.pending[index]!;
    this.pending[index] = this.pending[this.pending.length - 1]!;
    this.pending.pop();
    return taken;
  }

  // --- pushes -----------------------------------------------------------------------------------

  private addPush(): void {
    const forced = FORCED_PUSHES[this.pushes++];
    const kind = forced?.kind ?? this.weightedPushKind();
    const push = this.push(kind, forced?.special);
    const stamps: Stamp[] = [];
    for (const builds of this.stampBuildCounts(kind)) {
      const stamp = { id: ++this.stampId, push };
      stamps.push(stamp);
      for (const builder of this.buildersFor(push, stamps.length - 1, builds)) this.pending.push({ stamp, builder });
    }
    this.writer.writePush(push, stamps);
  }

  private weightedPushKind(): PushKind {
    return PUSH_WEIGHTS[this.random.weighted(PUSH_KIND_WEIGHTS)]![0];
  }

  private push(kind: PushKind, special?: PushSpecial): Push {
    const time = Math.round(this.clock);
    const branch = kind === 'forced' ? null : this.pushBranch();
    switch (kind) {
      case 'commit': {
        const changes = this.commitChanges(branch, time, special);
        return {
          kind,
          branch,
          time,
          revision: changes.at(-1)?.revision ?? null,
          changes,
          scheduler: branch ?? 'default',
          reason: 'scheduler',
        };
      }
      case 'sendchange': {
        const platform = this.random.pick(this.farm.builders).platform.property;
        const change = this.sendchange(branch, platform, time);
        return {
          kind,
          branch,
          time,
          revision: change.revision,
          changes: [change],
          scheduler: `${branch}-${platform}-unittest`,
          reason: `The Triggerable scheduler named '${branch}-${platform}-unittest' triggered this build`,
        };
      }
      case 'nightly':
        return {
          kind,
          branch,
          time,
          revision: null,
          changes: [],
          scheduler: `${branch} nightly`,
          reason: `The Nightly scheduler named '${branch} nightly' triggered this build`,
        };
      case 'forced': {
        const who = authorName(this.random).replace(/ <.*/, '');
        return {
          kind,
          branch,
          time,
          revision: null,
          changes: [],
          scheduler: 'force',
          reason: `The web-page 'force build' button was pressed by '<b>${who}</b>': "clobber" & rebuild`,
        };
      }
    }
  }

  private pushBranch(): string {
    return this.farm.branches[this.random.weighted(this.branchWeights)]!;
  }

  private revision(): string {
    // statusdb stamps hold Mozilla's 12-digit short hg ids; buildbot's full 40-digit ones.
    return this.random.hex(this.options.schema === 'statusdb' ? 12 : 40);
  }

  private commitChanges(branch: string | null, time: number, special?: PushSpecial): GeneratedChange[] {
    let count = 1;
    while (this.random.chance(MORE_CHANGES)) count++;
    const changes: GeneratedChange[] = [];
    for (let index = 0; index < count; index++) {
      const long = special === 'long' || this.random.chance(0.03);
      const nonAscii = special === 'nonAscii' || this.random.chance(0.01);
      const files = this.changedFiles();
      if (special === 'quotedPath') files.push({ id: ++this.fileId, path: GIT_QUOTED_PATH, isNew: true });
      changes.push({
        id: ++this.changeId,
        who: nonAscii ? nonAsciiAuthor(this.random) : authorName(this.random),
        comments: long ? longCommitMessage(this.random, nonAscii) : commitSummary(this.random),
        branch,
        revision: this.revision(),
        when: time - (count - index) * this.random.int(5, 300),
        files,
        locale: null,
      });
    }
    return changes;
  }

  /** 1–5 files; one in eight is new, the rest were changed before (Mozilla: 234k files, 431k changes). */
  private changedFiles(): GeneratedFile[] {
    const files: GeneratedFile[] = [];
    const count = this.random.int(1, 5);
    for (let index = 0; index < count; index++) {
      if (this.fileId === 0 || this.random.chance(0.12)) {
        const id = ++this.fileId;
        files.push({ id, path: filePath(id), isNew: true });
      } else {
        const id = this.random.int(1, this.fileId);
        files.push({ id, path: filePath(id), isNew: false });
      }
    }
    return files;
  }

  private sendchange(branch: string | null, platform: string, time: number): GeneratedChange {
    const l10n = branch === 'l10n-central';
    const locale = l10n ? this.random.pick(LOCALES) : null;
    const urls = sendchangeUrls(branch ?? 'default', platform, time);
    return {
      id: ++this.changeId,
      who: this.random.chance(0.5) ? 'sendchange' : 'sendchange-unittest',
      comments: locale ? `Updated ${locale} translations` : '',
      branch,
      revision: this.revision(),
      when: time,
      files: urls.map((path) => ({ id: ++this.fileId, path, isNew: true })),
      locale,
    };
  }

  /** How many builds each stamp of a push gets; its length is the number of stamps. */
  private stampBuildCounts(kind: PushKind): number[] {
    switch (kind) {
      case 'commit': {
        const stamps = this.random.int(STAMPS_PER_COMMIT.min, STAMPS_PER_COMMIT.max);
        return Array.from({ length: stamps }, () => BUILDS_PER_STAMP[this.random.weighted(BUILDS_PER_STAMP_WEIGHTS)]![0]);
      }
      case 'sendchange':
        return [this.random.int(1, 3)];
      case 'nightly':
        return [this.random.int(3, 10)];
      case 'forced':
        return [this.random.int(1, 2)];
    }
  }

  /** Who builds a stamp: the push's branch's compiling builders first, then its testers. */
  private buildersFor(push: Push, stampIndex: number, count: number): FarmBuilder[] {
    const classes: Record<PushKind, KindClass[]> = {
      commit: stampIndex === 0 ? ['build'] : ['test', 'talos', 'build'],
      sendchange: push.branch === 'l10n-central' ? ['l10n'] : ['test', 'talos'],
      nightly: ['nightly', 'l10n'],
      forced: ['build', 'nightly', 'test', 'talos', 'l10n'],
    };
    const branch = push.branch ?? this.pushBranch();
    let candidates = this.farm.buildersOf(branch, classes[push.kind]);
    if (candidates.length === 0) candidates = this.farm.buildersOf(branch, ['build', 'nightly', 'l10n', 'test', 'talos']);
    return Array.from({ length: count }, () => this.random.pick(candidates));
  }

  // --- builds -----------------------------------------------------------------------------------

  private build(index: number, { stamp, builder }: PendingBuild): GeneratedBuild {
    const fate = this.fate(index);
    const start = Math.max(stamp.push.time, Math.round(this.clock));
    const steps = this.steps(builder.kind.kindClass, start, fate);
    const lastStep = steps.at(-1);
    const end = this.buildEnd(start, lastStep, fate);
    const number = ++this.buildNumbers[builder.id]!;
    const build: GeneratedBuild = {
      id: index + 1,
      number,
      builder,
      slaveId: this.random.pick(builder.slaveIds),
      start,
      end,
      result: fate.result,
      lost: fate.lost,
      stateString: stateString(fate, steps),
      stamp,
      steps,
      properties: [],
    };
    build.properties = this.properties(build, index, steps.length);
    return build;
  }

  private fate(index: number): Fate {
    const fate: Fate = { result: null, running: false, lost: false, zeroLength: false };
    if (index >= this.options.builds - this.running) return { ...fate, running: true };
    const forced = this.forcedFates.get(index);
    if (forced && 'lost' in forced) return { ...fate, lost: true };
    if (!forced && this.random.chance(LOST_RATE)) return { ...fate, lost: true };
    fate.zeroLength = (forced !== undefined && 'zeroLength' in forced) || this.random.chance(ZERO_LENGTH_RATE);
    fate.result = forced && 'result' in forced ? forced.result : this.weightedResult();
    return fate;
  }

  private weightedResult(): number {
    return RESULT_WEIGHTS[this.random.weighted(RESULT_CODE_WEIGHTS)]![0];
  }

  /** 20–41 steps (Mozilla: 29.5 a build); builds that stopped early have only the first ones. */
  private steps(kindClass: KindClass, start: number, fate: Fate): GeneratedStep[] {
    const names = kindClass === 'build' || kindClass === 'nightly' ? BUILD_STEPS : TEST_STEPS;
    const planned = fate.zeroLength ? this.random.int(0, 1) : this.random.int(20, 41);
    const stopsEarly = fate.running || fate.lost || isStoppingResult(fate.result);
    const count = stopsEarly && planned > 0 ? this.random.int(1, planned) : planned;
    const failing = this.random.int(Math.min(PLATFORM_STEP_INDEX, count - 1), count - 1);
    const meanDuration = fate.zeroLength ? 0 : stepMeanSeconds(kindClass);
    const steps: GeneratedStep[] = [];
    let time = start;
    for (let number = 0; number < count; number++) {
      const name = names[number]!;
      const isLast = number === count - 1;
      const result = stepResult(fate, number, failing, isLast);
      const unfinished = isLast && (fate.running || fate.lost);
      const duration = meanDuration === 0 || result === RESULT.skipped ? 0 : Math.round(this.random.exponential(meanDuration));
      steps.push({
        id: ++this.stepId,
        number,
        name,
        start: time,
        end: unfinished ? null : time + duration,
        result,
        words: stepWords(name, result),
      });
      time += duration + (meanDuration === 0 ? 0 : this.random.int(0, 2));
    }
    return steps;
  }

  private buildEnd(start: number, lastStep: GeneratedStep | undefined, fate: Fate): number | null {
    if (fate.running) return null;
    // Half the lost builds got an end time when the master came back, half never did.
    if (fate.lost) return this.random.chance(0.5) ? null : (lastStep?.start ?? start) + this.random.int(60, 3600);
    return lastStep?.end ?? start;
  }

  private properties(build: GeneratedBuild, index: number, stepCount: number): GeneratedProperty[] {
    const { builder, stamp } = build;
    const push = stamp.push;
    const buildbot = this.options.schema === 'buildbot';
    const kindClass = builder.kind.kindClass;
    const slave = this.farm.slaves[build.slaveId - 1]!;
    const json = (value: unknown) => JSON.stringify(value);
    const properties: GeneratedProperty[] = [
      { name: 'buildername', source: 'Builder', value: json(builder.name), scope: 'farm' },
      buildbot
        ? { name: 'workername', source: 'Worker', value: json(slave.name), scope: 'farm' }
        : { name: 'slavename', source: 'BuildSlave', value: json(slave.name), scope: 'farm' },
      { name: 'buildnumber', source: 'Build', value: json(build.number), scope: 'farm' },
      { name: 'branch', source: 'Build', value: json(push.branch), scope: 'farm' },
      { name: 'revision', source: 'Build', value: json(push.revision), scope: push.revision ? 'push' : 'farm' },
      { name: 'scheduler', source: 'Scheduler', value: json(push.scheduler), scope: 'farm' },
      {
        name: 'builddir',
        source: buildbot ? 'Worker' : 'BuildSlave',
        value: json(`/builds/slave/${builder.name.replace(/[^A-Za-z0-9.-]+/g, '_')}`),
        scope: 'farm',
      },
    ];
    if (push.revision && (kindClass === 'build' || kindClass === 'nightly')) {
      properties.push({ name: 'got_revision', source: 'Source', value: json(push.revision), scope: 'push' });
    }
    if (kindClass !== 'l10n' && stepCount > PLATFORM_STEP_INDEX) {
      properties.push({ name: 'platform', source: 'SetProperty Step', value: json(builder.platform.property), scope: 'farm' });
    }
    const locale = push.changes.find((change) => change.locale)?.locale;
    if (locale) properties.push({ name: 'locale', source: 'Change', value: json(locale), scope: 'farm' });
    if (this.random.chance(BUILDID_SHARE)) {
      properties.push({ name: 'buildid', source: 'SetProperty Step', value: json(buildId(build.start)), scope: 'build' });
    }
    if (index >= this.options.builds * (1 - LOG_URL_SHARE)) {
      properties.push({ name: 'log_url', source: 'BuildStep', value: json(logUrl(build)), scope: 'build' });
    }
    return properties;
  }
}

function isStoppingResult(result: number | null): boolean {
  return result === RESULT.exception || result === RESULT.retry || result === RESULT.cancelled || (result ?? 0) > RESULT.cancelled;
}

/** Mean step length by builder kind: compiles and talos runs are long, l10n repacks short. */
function stepMeanSeconds(kindClass: KindClass): number {
  const minutes: Record<KindClass, number> = { build: 90, nightly: 120, l10n: 8, test: 40, talos: 30 };
  return (minutes[kindClass] * 60) / 30;
}

/** A step's result, given the build's fate: the failing step fails, later ones are skipped. */
function stepResult(fate: Fate, number: number, failing: number, isLast: boolean): number | null {
  if (fate.running || fate.lost) return isLast ? null : RESULT.success;
  const result = fate.result ?? RESULT.success;
  switch (result) {
    case RESULT.success:
      return RESULT.success;
    case RESULT.warnings:
    case RESULT.failure:
      if (number === failing) return result;
      return number > failing && result === RESULT.failure ? RESULT.skipped : RESULT.success;
    case RESULT.skipped:
      return number >= failing ? RESULT.skipped : RESULT.success;
    default:
      // exception, retry, cancelled and unknown codes stop the build at its last step.
      return isLast ? result : RESULT.success;
  }
}

const STEP_RESULT_WORDS: Record<number, string> = {
  [RESULT.warnings]: 'warnings',
  [RESULT.failure]: 'failed',
  [RESULT.skipped]: 'skipped',
  [RESULT.exception]: 'exception',
  [RESULT.retry]: 'retry',
  [RESULT.cancelled]: 'interrupted',
};

function stepWords(name: string, result: number | null): string[] {
  if (result === null) return [name, 'running'];
  const word = STEP_RESULT_WORDS[result];
  if (word) return [name, word];
  return result === RESULT.success ? [name] : [name, `result ${result}`];
}

/** buildbot's builds.state_string: what the build page's summary line says. */
function stateString(fate: Fate, steps: readonly GeneratedStep[]): string {
  const lastStep = steps.at(-1);
  if (fate.running || fate.lost) return lastStep ? `${lastStep.name} running` : 'starting';
  if (fate.result === RESULT.success) return 'build successful';
  const deciding = steps.find((step) => step.result === fate.result) ?? lastStep;
  return deciding ? deciding.words.join(' ') : 'finished';
}

function logUrl({ builder, start, number }: GeneratedBuild): string {
  const directory = `${builder.branch}-${builder.platform.property}/${start}`;
  const file = `${builder.name.replace(/ /g, '-')}-build${number}.txt.gz`;
  return `http://stage.mozilla.org/pub/mozilla.org/firefox/tinderbox-builds/${directory}/${file}`;
}

/** Mozilla's buildid: the build's start as YYYYMMDDhhmmss (US Pacific then; UTC here). */
function buildId(start: number): string {
  return new Date(start * 1000).toISOString().replace(/[-T:]/g, '').slice(0, 14);
}
