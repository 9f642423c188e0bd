/**
 * Benchmarks `copra build` on synthetic statusdb snapshots of growing size (src/generate/):
 *
 *   npm run bench [-- --sizes 10000,100000,1000000] [--full] [--time-limit SECONDS] [--cpu-prof]
 *                 [--jobs N] [--seed S] [--work DIR] [--naive-max N] [--copra-args "..."] [--no-write]
 *                 [--render-only] [--no-recordings] [--shards N] [--shards-max N] [--update-only]
 *   npm run bench -- --memory
 *   npm run bench -- --models [--sizes 100000]
 *
 * First, unless --no-recordings: the update of each shared recording (buildbot and statusdb) from
 * the database as it stood at the start of its last 1 % of builds, beside fresh builds of the whole
 * recording, three rounds alternating; written to BENCHMARKS.md's recordings section.
 *
 * For each size: generates the snapshot (rows/s), runs `node bin/copra.js build` as a child
 * process and measures wall time, phases (from copra's own output lines), pages/s, the peak RSS of
 * its whole process tree (sampled from /proc every 200 ms), and the output's size and file count;
 * then `copra stats` of the same snapshot: its wall time and its estimates against that output;
 * then, up to --shards-max builds (default 100,000), the same build in --shards shards (default 3)
 * run one after another, and their merge: the slowest shard plus the merge against the single build.
 * Up to 1M builds it also measures, in the same run, (a) a raw baseline: the same files written
 * with plain fs.writeFileSync into a fresh directory, and (b) up to --naive-max builds (default
 * 10,000) a naive single-pass Eleventy run paginating one template over every build. Results go
 * to stdout and into the results section of BENCHMARKS.md.
 *
 * --update-only measures, for each size, only its update: the snapshot's first 99 % built fresh
 * (the row's build), then that archive updated with the whole snapshot; for sizes whose fresh
 * build and earlier archive do not fit the disk side by side (1M builds: ~37 GB each).
 *
 * --models instead times the page models alone, per kind of page (no Eleventy, no files), from the
 * record of each size's snapshot: what a page costs copra before it is rendered.
 *
 * --memory instead measures the peak memory of builds whose snapshot concentrates rows where a
 * window could be unbounded (one builder with 200,000 builds, one sourcestamp with 50,000, one log
 * of 200,000 lines) beside ordinary snapshots of the same size.
 *
 * --full benchmarks the mozilla2010 preset (1.9M builds; needs 60 GB free). --cpu-prof also
 * profiles one copra build of the largest size ≤ 100k rendered in a single process (--jobs 1)
 * and prints the functions with the most self time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { type Dirent, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { MOZILLA_2010 } from '../src/generate/proportions.ts';
import { buildIdAt, buildbotEarlyCut, statusdbEarlyCut } from '../test/fixtures/history.ts';

const REPO = resolve(import.meta.dirname, '..');
const BENCHMARKS_MD = join(REPO, 'BENCHMARKS.md');
const TSX_IMPORT = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const SAMPLE_MS = 200;
const FULL_FREE_BYTES = 60 * 1024 ** 3;
const BASELINE_MAX_BUILDS = 1_000_000;
const PROFILE_MAX_BUILDS = 100_000;
const RESULTS_START = '<!-- bench:results:start -->';
const RESULTS_END = '<!-- bench:results:end -->';
const RECORDINGS_START = '<!-- bench:recordings:start -->';
const RECORDINGS_END = '<!-- bench:recordings:end -->';
/** The shared recordings, whose update from the last 1 % is measured fresh build beside update. */
const RECORDINGS = [
  { name: 'buildbot', file: join(REPO, 'data', 'buildbot-3.7-gecko-mini.sqlite'), cut: buildbotEarlyCut },
  { name: 'statusdb', file: join(REPO, 'test', 'fixtures', 'statusdb-gecko-mini.sqlite'), cut: statusdbEarlyCut },
];
const RECORDING_ROUNDS = 3;
const DATA_PREFIX = '<!-- bench:data ';

// ---------------------------------------------------------------------------------------------
// Measuring a process tree

interface Measured {
  exitCode: number | null;
  wallSeconds: number;
  /** The tree's RSS at each sample, with the seconds since start. */
  rss: { at: number; bytes: number }[];
  timedOut: boolean;
  /** Output lines with the seconds since start at which they arrived. */
  lines: { at: number; text: string }[];
}

/** The largest RSS sampled between `from` and `to` seconds (by default, over the whole run). */
function peakBetween(run: Measured, from = 0, to = Infinity): number {
  return run.rss.reduce((peak, sample) => (sample.at >= from && sample.at <= to ? Math.max(peak, sample.bytes) : peak), 0);
}

/** Resident memory of `root` and all its descendants, from /proc. */
function treeRssBytes(root: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcFile(`/proc/${entry}/stat`);
    // The command name may hold spaces and parentheses: fields resume after the last ')'.
    const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
    const parent = Number(fields?.[1]);
    if (!Number.isInteger(parent)) continue;
    const siblings = children.get(parent) ?? [];
    siblings.push(Number(entry));
    children.set(parent, siblings);
  }
  let total = 0;
  const pending = [root];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    const rss = /VmRSS:\s+(\d+) kB/.exec(readProcFile(`/proc/${pid}/status`) ?? '');
    total += rss ? Number(rss[1]) * 1024 : 0;
    pending.push(...(children.get(pid) ?? []));
  }
  return total;
}

function readProcFile(path: string): string | null {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return null; // the process ended between listing and reading
  }
}

/**
 * Runs a command in its own process group, sampling the tree's RSS every SAMPLE_MS and collecting
 * its stdout and stderr lines. After `timeLimit` seconds the whole group gets SIGTERM.
 */
function runMeasured(
  command: string,
  args: string[],
  options: { cwd?: string; timeLimit?: number; echo?: boolean } = {},
): Promise<Measured> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const child = spawn(command, args, { cwd: options.cwd ?? REPO, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Measured['lines'] = [];
  collectLines(child, (text) => {
    lines.push({ at: seconds(), text });
    if (options.echo) process.stderr.write(`    | ${text}\n`);
  });
  const rss: Measured['rss'] = [];
  const sample = () => {
    if (child.pid !== undefined) rss.push({ at: seconds(), bytes: treeRssBytes(child.pid) });
  };
  const sampler = setInterval(sample, SAMPLE_MS);
  let timedOut = false;
  const timer =
    options.timeLimit === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
        }, options.timeLimit * 1000);
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(sampler);
      clearTimeout(timer);
      resolvePromise({ exitCode: code, wallSeconds: seconds(), rss, timedOut, lines });
    });
  });
}

function collectLines(child: ChildProcess, onLine: (text: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (data: string) => {
      const parts = (rest + data).split(/\r|\n/);
      rest = parts.pop() ?? '';
      parts.filter((part) => part.trim() !== '').forEach((part) => onLine(part.replace(/\x1b\[K/g, '')));
    });
    stream?.on('end', () => rest.trim() && onLine(rest));
  }
}

function nodeTs(script: string, args: string[]): [string, string[]] {
  return [process.execPath, ['--import', TSX_IMPORT, join(REPO, script), ...args]];
}

// ---------------------------------------------------------------------------------------------
// The steps of one size

interface GeneratorResult {
  seconds: number;
  indexSeconds: number;
  rows: number;
  rowsPerSecond: number;
  bytes: number;
  peakRssBytes: number;
}

async function generate(builds: number, seed: string, out: string, preset: boolean): Promise<GeneratorResult> {
  const size = preset ? ['--preset', 'mozilla2010'] : ['--schema', 'statusdb', '--builds', String(builds)];
  const run = await runMeasured(...nodeTs('scripts/make-snapshot.ts', [...size, '--seed', seed, '--out', out]));
  const summary = run.lines.map((line) => line.text).find((text) => text.startsWith('Wrote '));
  const match = summary && / (\d+) rows, (\d+) bytes in ([\d.]+)s \((\d+) rows\/s; indexes ([\d.]+)s\)/.exec(summary);
  if (run.exitCode !== 0 || !match) throw new Error(`make-snapshot failed:\n${run.lines.map((line) => line.text).join('\n')}`);
  return {
    rows: Number(match[1]),
    bytes: Number(match[2]),
    seconds: Number(match[3]),
    rowsPerSecond: Number(match[4]),
    indexSeconds: Number(match[5]),
    peakRssBytes: peakBetween(run),
  };
}

interface CopraResult {
  exitCode: number | null;
  timedOut: boolean;
  wallSeconds: number;
  pages: number | null;
  windows: number | null;
  /** "done/planned pages" when the run ended: all of them, unless it timed out. */
  pagesDone: string | null;
  /** Pages over the whole process's wall time. */
  pagesPerSecond: number | null;
  /** Pages over the render phase alone. */
  renderPagesPerSecond: number | null;
  peakRssBytes: number;
  /** Peaks within the render and search phases: which one sets the peak. */
  peakRssByPhase?: { render: number | null; search: number | null };
  phases: {
    /** Start to copra's first line (snapshot opened, site and listings loaded). */
    load: number | null;
    /** Planning windows, then rendering them: copra reports the render part. */
    plan: number | null;
    render: number | null;
    /** Search indexing, when copra does it. */
    search: number | null;
    /** Copying assets and swapping the archive in. */
    finish: number | null;
  };
}

async function buildWithCopra(snapshot: string, out: string, options: BenchOptions, jobs?: number, extraArgs: string[] = []): Promise<CopraResult> {
  const args = ['bin/copra.js', 'build', snapshot, '--out', out, ...options.copraArgs, ...extraArgs];
  if (jobs !== undefined) args.push('--jobs', String(jobs));
  const run = await runMeasured(process.execPath, args, { timeLimit: options.timeLimit, echo: true });
  return parseCopraRun(run);
}

/** copra prints "1m05s" or "7s". */
function parseSeconds(text: string): number {
  const match = /^(?:(\d+)m)?(\d+)s$/.exec(text);
  return match ? Number(match[1] ?? 0) * 60 + Number(match[2]) : Number.NaN;
}

function parseCopraRun(run: Measured): CopraResult {
  const find = (pattern: RegExp) => {
    for (const line of run.lines) {
      const match = pattern.exec(line.text);
      if (match) return { at: line.at, match };
    }
    return null;
  };
  const first = run.lines[0]?.at ?? null;
  const rendered = find(/^Rendering: (\d+) pages in (\S+)$/);
  const indexed = find(/^Indexing: \d+ indexes in (\S+)$/);
  const wrote = find(/^Wrote (\d+) pages .*\((\d+) pages\/s, (\d+) windows\)/);
  const progress = [...run.lines].reverse().find((line) => /^Rendering \[/.test(line.text));
  const render = rendered ? parseSeconds(rendered.match[2]!) : null;
  const lastPhaseAt = indexed?.at ?? rendered?.at ?? null;
  return {
    exitCode: run.exitCode,
    timedOut: run.timedOut,
    wallSeconds: run.wallSeconds,
    pages: wrote ? Number(wrote.match[1]) : null,
    windows: wrote ? Number(wrote.match[3]) : null,
    pagesDone: rendered ? `${rendered.match[1]}` : (/ (\d+\/\d+) pages/.exec(progress?.text ?? '')?.[1] ?? null),
    pagesPerSecond: wrote ? Number(wrote.match[1]) / run.wallSeconds : null,
    renderPagesPerSecond: wrote && render ? Number(wrote.match[1]) / render : null,
    peakRssBytes: peakBetween(run),
    peakRssByPhase: {
      render: rendered && render !== null ? peakBetween(run, rendered.at - render, rendered.at) : null,
      search: indexed && rendered ? peakBetween(run, rendered.at, indexed.at) : null,
    },
    phases: {
      load: first,
      plan: rendered && first !== null && render !== null ? Math.max(0, rendered.at - first - render) : null,
      render,
      search: indexed && rendered ? indexed.at - rendered.at : null,
      finish: lastPhaseAt === null || !wrote ? null : run.wallSeconds - lastPhaseAt,
    },
  };
}

interface OutputResult {
  files: number;
  bytes: number;
  diskBytes: number;
  /** Seconds spent in mkdirSync and writeFileSync writing the same files afresh. */
  baselineSeconds: number | null;
}

/**
 * Counts the archive's files and bytes; with `baselineDir`, also writes every file's bytes to the
 * same relative path there, timing only the writes and directory creation.
 */
function walkOutput(root: string, baselineDir: string | null): OutputResult {
  const result: OutputResult = { files: 0, bytes: 0, diskBytes: 0, baselineSeconds: baselineDir ? 0 : null };
  const timed = (action: () => void) => {
    const started = performance.now();
    action();
    result.baselineSeconds! += (performance.now() - started) / 1000;
  };
  const visit = (relative: string) => {
    if (baselineDir) timed(() => mkdirSync(join(baselineDir, relative)));
    for (const entry of readdirSync(join(root, relative), { withFileTypes: true }) as Dirent[]) {
      const path = join(relative, entry.name);
      if (entry.isDirectory()) {
        visit(path);
        continue;
      }
      const stats = statSync(join(root, path));
      result.files++;
      result.bytes += stats.size;
      result.diskBytes += stats.blocks * 512;
      if (baselineDir) {
        const bytes = readFileSync(join(root, path));
        timed(() => writeFileSync(join(baselineDir, path), bytes));
      }
    }
  };
  visit('');
  return result;
}

// ---------------------------------------------------------------------------------------------
// The naive Eleventy baseline

const NAIVE_TEMPLATE = `---
pagination:
  data: builds
  size: 1
  alias: build
permalink: "build/{{ build.id }}/index.html"
---
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Build {{ build.number }}</title></head>
<body>
<h1>Build {{ build.number }} of builder {{ build.builderId }}</h1>
<dl><dt>Result</dt><dd>{{ build.result }}</dd><dt>Start</dt><dd>{{ build.startedAt }}</dd>
<dt>End</dt><dd>{{ build.completeAt }}</dd><dt>Reason</dt><dd>{{ build.reason }}</dd></dl>
<table>{% for step in build.steps %}
<tr><td>{{ step.number }}</td><td>{{ step.name }}</td><td>{{ step.result }}</td><td>{{ step.description }}</td>
<td>{{ step.startedAt }}</td><td>{{ step.completeAt }}</td></tr>{% endfor %}
</table>
<table>{% for property in build.properties %}
<tr><td>{{ property.name }}</td><td>{{ property.value }}</td><td>{{ property.source }}</td></tr>{% endfor %}
</table>
</body></html>
`;

interface NaiveResult {
  pages: number;
  wallSeconds: number;
  writeSeconds: number;
  peakRssBytes: number;
  exitCode: number | null;
}

async function naiveEleventy(snapshot: string, workDir: string, timeLimit?: number): Promise<NaiveResult> {
  const input = join(workDir, 'naive-src');
  const output = join(workDir, 'naive-out');
  rmSync(input, { recursive: true, force: true });
  rmSync(output, { recursive: true, force: true });
  mkdirSync(input, { recursive: true });
  writeFileSync(join(input, 'build.njk'), NAIVE_TEMPLATE);
  // Run from the template directory so Eleventy finds no configuration file.
  const [command, args] = nodeTs('scripts/bench.ts', ['--naive-child', snapshot, input, output]);
  const run = await runMeasured(command, args, { cwd: input, timeLimit });
  const report = run.lines.map((line) => line.text).find((text) => text.startsWith('naive: '));
  const [pages, writeSeconds] = (report?.slice('naive: '.length).split(' ') ?? []).map(Number);
  rmSync(output, { recursive: true, force: true });
  return {
    pages: pages ?? 0,
    writeSeconds: writeSeconds ?? Number.NaN,
    wallSeconds: run.wallSeconds,
    peakRssBytes: peakBetween(run),
    exitCode: run.exitCode,
  };
}

/** The child side: every build's page data in one array, one Eleventy run over all of it. */
async function naiveEleventyChild(snapshot: string, input: string, output: string): Promise<void> {
  const { default: Eleventy } = await import('@11ty/eleventy');
  const { snapshotRecord } = await import('../src/record/record.ts');
  const { buildDetails, buildIds } = await import('../src/pages/buildPage.ts');
  const source = snapshotRecord(snapshot, dirname(output));
  const builds = buildDetails(source, buildIds(source));
  source.close();
  const eleventy = new Eleventy(input, output, {
    quietMode: true,
    config: (config) => config.addGlobalData('builds', builds),
  });
  eleventy.disableLogger();
  const started = performance.now();
  await eleventy.write();
  process.stdout.write(`naive: ${builds.length} ${((performance.now() - started) / 1000).toFixed(2)}\n`);
}

// ---------------------------------------------------------------------------------------------
// CPU profile

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

/** Profiles a single-process copra build and returns its top functions by self time. */
async function profileCopra(snapshot: string, workDir: string): Promise<string[]> {
  const dir = join(workDir, 'cpu-prof');
  rmSync(dir, { recursive: true, force: true });
  const out = join(workDir, 'out-profile');
  const run = await runMeasured(process.execPath, [
    '--cpu-prof',
    `--cpu-prof-dir=${dir}`,
    'bin/copra.js',
    'build',
    snapshot,
    '--out',
    out,
    '--jobs',
    '1',
  ]);
  rmSync(out, { recursive: true, force: true });
  if (run.exitCode !== 0) return [`profiled run failed (exit ${run.exitCode})`];
  // The main thread's profile is the first; Pagefind's worker thread writes a second one.
  const file = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile')).sort()[0];
  if (!file) return ['no profile written'];
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  return [
    'By function:',
    ...selfTime(profile, functionKey, 25),
    'By package or copra directory (better-sqlite3 time shows under the function that ran the query):',
    ...selfTime(profile, areaKey, 15),
  ];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function functionKey(frame: ProfileNode['callFrame']): string {
  // Line numbers are left out: those of copra's own files are of tsx's output, not the source.
  const where = frame.url.replace(/^.*\/node_modules\//, '').replace(`file://${REPO}/`, '');
  return `${frame.functionName || '(anonymous)'} ${where}`.trim();
}

function areaKey(frame: ProfileNode['callFrame']): string {
  if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : `native ${frame.functionName}`;
  const inPackage = /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url);
  if (inPackage) return `package ${inPackage[1]}`;
  if (frame.url.startsWith('node:')) return frame.url.split('/')[0]!;
  return frame.url.replace(`file://${REPO}/`, '').split('/').slice(0, 2).join('/');
}

/** The `count` largest self times, summed by `key`. */
function selfTime(profile: CpuProfile, key: (frame: ProfileNode['callFrame']) => string, count: number): string[] {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const times = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const frame = nodes.get(id)?.callFrame;
    if (frame) times.set(key(frame), (times.get(key(frame)) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const total = [...times.values()].reduce((sum, time) => sum + time, 0);
  return [...times]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, time]) => `${(time / 1e6).toFixed(1).padStart(7)} s ${((100 * time) / total).toFixed(1).padStart(5)} %  ${name}`);
}

// ---------------------------------------------------------------------------------------------
// Results

interface SizeResult {
  builds: number;
  schema: 'statusdb';
  date: string;
  machine: string;
  /** 1-minute load average before and after the copra run: the machine may be shared. */
  load?: string;
  generator: GeneratorResult;
  copra: CopraResult;
  output: OutputResult | null;
  naive: NaiveResult | null;
  /** An update from the snapshot as it stood at the start of its last 1 % of builds. */
  update?: UpdateResult | null;
  stats?: StatsResult | null;
  shards?: ShardsResult | null;
  /** `copra` built the snapshot's first 99 % (--update-only); `output` is the updated archive. */
  freshOfEarlier?: boolean;
}

interface ShardsResult {
  /** Wall seconds of each shard's build, run one after another with the single build's --jobs. */
  shardSeconds: number[];
  /** Merging by linking the parts' files, which leaves the parts as they were. */
  mergeSeconds: number;
  /** Merging the same parts with --move, which uses them up (not measured before 2026-12-03). */
  moveSeconds?: number;
  /** The single build, in the same run. */
  singleSeconds: number;
  /** Whether the merged archives have the single build's files with the same sizes. */
  sameFiles: boolean;
}

interface StatsResult {
  wallSeconds: number;
  /** Its estimates, each divided by what the build wrote (copra's record left out). */
  pages: number;
  files: number;
  bytes: number;
}

interface UpdateResult {
  /** Wall time of the whole update command. */
  wallSeconds: number;
  /** The same snapshot built fresh, in the same run, just before (with --update-only: its first 99 %). */
  freshWallSeconds: number;
  pages: number | null;
  /** Of the update's process tree (not stored before 2026-12-03). */
  peakRssBytes?: number;
}

function machineFacts(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${availableParallelism()} × ${cpu}, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB, Node ${process.version}`;
}

const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MB`;
const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(2)} GB`;
const secs = (seconds: number | null) => (seconds === null || Number.isNaN(seconds) ? '–' : `${seconds.toFixed(1)}`);
const count = (value: number | null) => (value === null ? '–' : value.toLocaleString('en-US'));

function peakRssText({ peakRssBytes, peakRssByPhase }: CopraResult): string {
  const phases = Object.entries(peakRssByPhase ?? {}).filter((entry): entry is [string, number] => entry[1] !== null);
  const detail = phases.map(([phase, bytes]) => `${phase} ${gb(bytes)}`).join(', ');
  return detail ? `${gb(peakRssBytes)} (${detail})` : gb(peakRssBytes);
}

const COLUMNS = [
  'builds', 'date', 'snapshot', 'generator', 'copra wall s', 'load / plan / render / finish s', 'pages', 'pages/s (wall / render)',
  'peak RSS (tree)', 'output', 'raw write baseline', 'naive Eleventy (build pages only)', 'search index (s after the render)',
  'update from the last 1 % (wall s, ÷ fresh)', 'copra stats (wall s; estimate ÷ archive: pages, files, bytes)',
  'shards (each shard, merge linking / moving: wall s; slowest + merge ÷ single)',
];

function tableRow(result: SizeResult): string[] {
  const { generator, copra, output, naive } = result;
  const phases = [copra.phases.load, copra.phases.plan, copra.phases.render, copra.phases.finish].map(secs).join(' / ');
  // Without a terminal copra reports progress at each tenth only: a stopped run got at least this far.
  const status = copra.timedOut
    ? ` (stopped at the time limit; had rendered at least ${copra.pagesDone ?? '?'} pages; wall includes copra's cleanup)`
    : copra.exitCode === 0
      ? ''
      : ` (exit ${copra.exitCode})`;
  const finished = copra.exitCode === 0 && !copra.timedOut;
  const rate = (pages: number | null) => (pages === null ? '–' : count(Math.round(pages)));
  return [
    result.freshOfEarlier ? `${count(result.builds)} (copra's build: its first 99 %; output: after the update)` : count(result.builds),
    `${result.date} (load ${result.load ?? '?'})`,
    `${mb(generator.bytes)}, ${count(generator.rows)} rows`,
    `${secs(generator.seconds)} s (${count(generator.rowsPerSecond)} rows/s, ` +
      `indexes ${secs(generator.indexSeconds)} s, ${mb(generator.peakRssBytes)} RSS)`,
    `${secs(copra.wallSeconds)}${status}`,
    phases,
    count(copra.pages),
    `${rate(copra.pagesPerSecond)} / ${rate(copra.renderPagesPerSecond)}`,
    peakRssText(copra),
    output ? `${count(output.files)} files, ${mb(output.bytes)} (${mb(output.diskBytes)} on disk)` : '–',
    result.freshOfEarlier ? 'not run' : baselineText(copra, output),
    naiveText(copra, naive),
    copra.phases.search !== null ? `${secs(copra.phases.search)} s` : finished ? 'n/a (not built yet)' : '–',
    updateText(result.update),
    result.stats ? `${secs(result.stats.wallSeconds)} s; ${[result.stats.pages, result.stats.files, result.stats.bytes].map((ratio) => ratio.toFixed(3)).join(', ')}` : 'not run',
    shardsText(result.shards),
  ];
}

function shardsText(shards: ShardsResult | null | undefined): string {
  if (!shards) return 'not run';
  const slowest = Math.max(...shards.shardSeconds);
  const ratio = (merge: number) => ((slowest + merge) / shards.singleSeconds).toFixed(2);
  const merges = shards.moveSeconds === undefined ? [shards.mergeSeconds] : [shards.mergeSeconds, shards.moveSeconds];
  return (
    `${shards.shardSeconds.length} shards ${shards.shardSeconds.map(secs).join(', ')}, merge ${merges.map(secs).join(' / ')}; ` +
    `${merges.map(ratio).join(' / ')}${shards.sameFiles ? '' : ' (merged files differ!)'}`
  );
}

/**
 * The same snapshot built in `count` shards, one after another (each as fast as a machine of its
 * own would be), then merged twice: linking, then moving (which uses the parts up); the merged
 * archives' files and sizes against the single build's.
 */
async function benchShards(snapshot: string, out: string, single: CopraResult, options: BenchOptions, count: number): Promise<ShardsResult | null> {
  const parts = Array.from({ length: count }, (_, i) => `${out}-part-${i + 1}`);
  const merged = `${out}-merged`;
  const moved = `${out}-moved`;
  try {
    const shardSeconds: number[] = [];
    for (const [i, part] of parts.entries()) {
      const run = await buildWithCopra(snapshot, part, options, options.jobs, ['--shard', `${i + 1}/${count}`]);
      if (run.exitCode !== 0) return null;
      shardSeconds.push(run.wallSeconds);
    }
    const merge = await runMeasured(process.execPath, ['bin/copra.js', 'merge', ...parts, '--out', merged], { echo: true });
    if (merge.exitCode !== 0) return null;
    const move = await runMeasured(process.execPath, ['bin/copra.js', 'merge', ...parts, '--out', moved, '--move'], { echo: true });
    if (move.exitCode !== 0) return null;
    const sameFiles = sameFileSizes(out, merged) && sameFileSizes(out, moved);
    return { shardSeconds, mergeSeconds: merge.wallSeconds, moveSeconds: move.wallSeconds, singleSeconds: single.wallSeconds, sameFiles };
  } finally {
    for (const path of [...parts, merged, moved]) rmSync(path, { recursive: true, force: true });
  }
}

function sameFileSizes(a: string, b: string): boolean {
  const sizes = (root: string) =>
    (readdirSync(root, { recursive: true, withFileTypes: true }) as Dirent[])
      .filter((entry) => entry.isFile())
      .map((entry) => `${join(entry.parentPath, entry.name).slice(root.length)} ${statSync(join(entry.parentPath, entry.name)).size}`)
      .sort()
      .join('\n');
  return sizes(a) === sizes(b);
}

/** `copra stats` of the snapshot just built into `out`, against what the build wrote there. */
async function statsOf(snapshot: string, out: string, output: OutputResult, copra: CopraResult, options: BenchOptions): Promise<StatsResult | null> {
  const run = await runMeasured(process.execPath, ['bin/copra.js', 'stats', snapshot, '--json', ...(options.jobs ? ['--jobs', String(options.jobs)] : [])]);
  if (run.exitCode !== 0 || copra.pages === null) return null;
  const { total } = JSON.parse(run.lines.map((line) => line.text).join('\n')) as { total: { pages: number; files: number; bytes: number } };
  const record = statSync(join(out, '.copra', 'record.sqlite')).size;
  return { wallSeconds: run.wallSeconds, pages: total.pages / copra.pages, files: total.files / (output.files - 1), bytes: total.bytes / (output.bytes - record) };
}

function updateText(update: UpdateResult | null | undefined): string {
  if (!update) return 'not run';
  const peak = update.peakRssBytes === undefined ? '' : `, peak ${gb(update.peakRssBytes)}`;
  return `${secs(update.wallSeconds)} s, ${count(update.pages)} pages${peak}; ÷ fresh ${secs(update.freshWallSeconds)} s = ${(update.wallSeconds / update.freshWallSeconds).toFixed(2)}`;
}

function baselineText(copra: CopraResult, output: OutputResult | null): string {
  if (!output) return '–';
  const raw = output.baselineSeconds;
  if (raw === null) return 'n/a (> 1M builds)';
  const render = (copra.phases.render ?? Number.NaN) / raw;
  return `${secs(raw)} s; copra ${(copra.wallSeconds / raw).toFixed(1)}×, render ${render.toFixed(1)}×`;
}

function naiveText(copra: CopraResult, naive: NaiveResult | null): string {
  if (!naive) return 'not run';
  const naiveRate = naive.pages / naive.writeSeconds;
  return (
    `${count(naive.pages)} pages in ${secs(naive.wallSeconds)} s (write ${secs(naive.writeSeconds)} s, ` +
    `${Math.round(naiveRate)} pages/s), ${gb(naive.peakRssBytes)}; ` +
    `copra pages/s ÷ naive = ${((copra.pagesPerSecond ?? 0) / naiveRate).toFixed(2)}`
  );
}

function markdownTable(results: SizeResult[]): string {
  const rows = [COLUMNS, COLUMNS.map(() => '---'), ...results.map(tableRow)];
  return rows.map((row) => `| ${row.join(' | ')} |`).join('\n');
}

function printResults(results: SizeResult[]): void {
  for (const result of results) {
    process.stdout.write(`\n${result.builds.toLocaleString('en-US')} builds\n`);
    tableRow(result).forEach((value, index) => process.stdout.write(`  ${COLUMNS[index]!.padEnd(34)} ${value}\n`));
  }
}

/** Replaces the results section of BENCHMARKS.md, keeping earlier results of sizes not re-run. */
function updateBenchmarksMd(results: SizeResult[]): void {
  const text = existsSync(BENCHMARKS_MD) ? readFileSync(BENCHMARKS_MD, 'utf8') : '# Benchmarks\n';
  const start = text.indexOf(RESULTS_START);
  const end = text.indexOf(RESULTS_END);
  const hasSection = start >= 0 && end > start;
  const previous = hasSection ? storedResults(text.slice(start, end)) : [];
  const measured = new Set(results.map((result) => result.builds));
  const all = [...previous.filter((result) => !measured.has(result.builds)), ...results].sort((a, b) => a.builds - b.builds);
  const machines = [...new Set(all.map((result) => result.machine))];
  const section = [
    RESULTS_START,
    '## Results',
    '',
    '_Written by `npm run bench`; each row is the latest run of that size. Edit around this section, not in it._',
    '',
    `Machine: ${machines.join('; ')}.`,
    '',
    markdownTable(all),
    '',
    `${DATA_PREFIX}${JSON.stringify(all)} -->`,
    RESULTS_END,
  ].join('\n');
  const updated = hasSection
    ? text.slice(0, start) + section + text.slice(end + RESULTS_END.length)
    : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(BENCHMARKS_MD, updated);
}

function storedResults(section: string): SizeResult[] {
  const at = section.indexOf(DATA_PREFIX);
  if (at < 0) return [];
  const json = section.slice(at + DATA_PREFIX.length, section.indexOf(' -->', at));
  return JSON.parse(json) as SizeResult[];
}

// ---------------------------------------------------------------------------------------------
// Main

interface BenchOptions {
  sizes: number[];
  full: boolean;
  seed: string;
  workDir: string;
  naiveMax: number;
  /** Largest size whose update from the last 1 % is measured (two more builds of that size). */
  updateMax: number;
  /** Shards to build each size in beside the single build (1: none), up to `shardsMax` builds. */
  shards: number;
  shardsMax: number;
  timeLimit?: number;
  jobs?: number;
  cpuProfile: boolean;
  copraArgs: string[];
  write: boolean;
  /** Only re-render BENCHMARKS.md's results from the data stored in it (after a format change). */
  renderOnly: boolean;
  /** Measure the update of the shared recordings beside their fresh builds. */
  recordings: boolean;
  /** Only measure the peak memory of concentrated snapshots beside ordinary ones. */
  memory: boolean;
  /** Per size, only the update: its first 99 % built fresh, then updated with the whole snapshot. */
  updateOnly: boolean;
  /** Only time the page models of each size, per kind of page. */
  models: boolean;
}

function parseOptions(): BenchOptions {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '10000,100000' },
      full: { type: 'boolean', default: false },
      seed: { type: 'string', default: 'bench' },
      work: { type: 'string', default: join(tmpdir(), 'copra-bench') },
      'naive-max': { type: 'string', default: '10000' },
      'update-max': { type: 'string', default: '100000' },
      shards: { type: 'string', default: '3' },
      'shards-max': { type: 'string', default: '100000' },
      'time-limit': { type: 'string' },
      jobs: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      'copra-args': { type: 'string', default: '' },
      'no-write': { type: 'boolean', default: false },
      'render-only': { type: 'boolean', default: false },
      'no-recordings': { type: 'boolean', default: false },
      memory: { type: 'boolean', default: false },
      'update-only': { type: 'boolean', default: false },
      models: { type: 'boolean', default: false },
    },
  });
  const sizes = values.sizes.split(',').map(Number);
  if (sizes.some((size) => !Number.isInteger(size) || size < 1)) throw new Error(`--sizes takes whole numbers, not "${values.sizes}"`);
  const optionalNumber = (text: string | undefined) => (text === undefined ? undefined : Number(text));
  return {
    sizes: values.full ? [MOZILLA_2010.builds] : sizes,
    full: values.full,
    seed: values.seed,
    workDir: resolve(values.work),
    naiveMax: Number(values['naive-max']),
    updateMax: Number(values['update-max']),
    shards: Number(values.shards),
    shardsMax: Number(values['shards-max']),
    timeLimit: optionalNumber(values['time-limit']),
    jobs: optionalNumber(values.jobs),
    cpuProfile: values['cpu-prof'],
    copraArgs: values['copra-args'].split(' ').filter(Boolean),
    write: !values['no-write'],
    renderOnly: values['render-only'],
    recordings: !values['no-recordings'] && !values.full,
    memory: values.memory,
    updateOnly: values['update-only'],
    models: values.models,
  };
}

/** The full preset writes a ~10 GB snapshot and millions of pages: refuse early without room. */
function checkFreeSpace(dir: string): void {
  const stats = statfsSync(dir);
  const free = stats.bavail * stats.bsize;
  if (free < FULL_FREE_BYTES) {
    process.stderr.write(`bench: --full needs 60 GB free in ${dir}; only ${gb(free)} is free. Use --work DIR elsewhere.\n`);
    process.exit(2);
  }
}

/** --cpu-prof profiles the largest size up to PROFILE_MAX_BUILDS. */
function isProfiledSize(builds: number, options: BenchOptions): boolean {
  const profilable = options.sizes.filter((size) => size <= PROFILE_MAX_BUILDS);
  return options.cpuProfile && profilable.length > 0 && builds === Math.max(...profilable);
}

/** One size's work files: its snapshot, copra's archive and the raw baseline's copy of it. */
function workPaths(builds: number, workDir: string) {
  return {
    snapshot: join(workDir, `statusdb-${builds}.sqlite`),
    out: join(workDir, `out-${builds}`),
    earlier: join(workDir, `statusdb-${builds}-earlier.sqlite`),
    updated: join(workDir, `updated-${builds}`),
    baseline: join(workDir, `raw-${builds}`),
  };
}

function sizeLog(builds: number): (text: string) => void {
  return (text) => process.stderr.write(`[${builds.toLocaleString('en-US')} builds] ${text}\n`);
}

async function benchSize(builds: number, options: BenchOptions): Promise<SizeResult> {
  const log = sizeLog(builds);
  const { snapshot, out, baseline, earlier, updated } = workPaths(builds, options.workDir);
  log('generating the snapshot');
  const generator = await generate(builds, options.seed, snapshot, options.full);
  if (options.updateOnly) return benchUpdateAlone(builds, generator, options);
  log(`generated in ${secs(generator.seconds)} s; building with copra`);
  rmSync(out, { recursive: true, force: true });
  const loadBefore = loadavg()[0]!.toFixed(1);
  const copra = await buildWithCopra(snapshot, out, options, options.jobs);
  const load = `${loadBefore}→${loadavg()[0]!.toFixed(1)}`;
  const finished = copra.exitCode === 0 && !copra.timedOut;
  let output: OutputResult | null = null;
  if (finished) {
    const baselineDir = builds <= BASELINE_MAX_BUILDS ? baseline : null;
    if (baselineDir) rmSync(baselineDir, { recursive: true, force: true });
    log(baselineDir ? 'measuring the output and writing the raw baseline' : 'measuring the output');
    output = walkOutput(out, baselineDir);
  }
  let stats: StatsResult | null = null;
  if (output) {
    log('copra stats of the snapshot');
    stats = await statsOf(snapshot, out, output, copra, options);
  }
  let shards: ShardsResult | null = null;
  if (finished && options.shards > 1 && builds <= options.shardsMax) {
    log(`building in ${options.shards} shards, then merging`);
    shards = await benchShards(snapshot, out, copra, options, options.shards);
  }
  let update: UpdateResult | null = null;
  if (finished && builds <= options.updateMax) {
    log('updating an archive of the snapshot as it stood at the start of its last 1 % of builds');
    cutEarlier(builds, options);
    await buildWithCopra(earlier, updated, options, options.jobs);
    update = updateResult(await buildWithCopra(snapshot, updated, options, options.jobs), copra.wallSeconds);
  }
  let naive: NaiveResult | null = null;
  if (builds <= options.naiveMax) {
    log('naive single-pass Eleventy run');
    naive = await naiveEleventy(snapshot, options.workDir, options.timeLimit);
  }
  if (isProfiledSize(builds, options)) {
    log('profiling a single-process build');
    const summary = await profileCopra(snapshot, options.workDir);
    process.stdout.write(`\nTop self time, copra build --jobs 1 of ${builds} builds:\n${summary.join('\n')}\n`);
  }
  const date = new Date().toISOString().slice(0, 10);
  return { builds, schema: 'statusdb', date, machine: machineFacts(), load, generator, copra, output, naive, update, stats, shards };
}

/** Cuts a size's snapshot as it stood at the start of its last 1 % of builds, and clears the folder its archive is updated in. */
function cutEarlier(builds: number, options: BenchOptions): void {
  const { snapshot, earlier, updated } = workPaths(builds, options.workDir);
  statusdbEarlyCut(snapshot, earlier, buildIdAt(snapshot, 0.99));
  rmSync(updated, { recursive: true, force: true });
}

const updateResult = (run: CopraResult, freshWallSeconds: number): UpdateResult => ({
  wallSeconds: run.wallSeconds,
  freshWallSeconds,
  pages: run.pages,
  peakRssBytes: run.peakRssBytes,
});

/**
 * The update alone, for sizes too big for two archives on one disk: the row's fresh build is the
 * snapshot's first 99 % (`freshOfEarlier`), and its output is the archive that update leaves.
 */
async function benchUpdateAlone(builds: number, generator: GeneratorResult, options: BenchOptions): Promise<SizeResult> {
  const log = sizeLog(builds);
  const { snapshot, earlier, updated } = workPaths(builds, options.workDir);
  log(`generated in ${secs(generator.seconds)} s; cutting the snapshot as it stood at the start of its last 1 % of builds`);
  cutEarlier(builds, options);
  log('building the first 99 % fresh');
  const loadBefore = loadavg()[0]!.toFixed(1);
  const copra = await buildWithCopra(earlier, updated, options, options.jobs);
  const load = `${loadBefore}→${loadavg()[0]!.toFixed(1)}`;
  let update: UpdateResult | null = null;
  let output: OutputResult | null = null;
  if (copra.exitCode === 0 && !copra.timedOut) {
    log('updating it with the whole snapshot');
    update = updateResult(await buildWithCopra(snapshot, updated, options, options.jobs), copra.wallSeconds);
    log('measuring the updated archive');
    output = walkOutput(updated, null);
  }
  const date = new Date().toISOString().slice(0, 10);
  return { builds, schema: 'statusdb', date, machine: machineFacts(), load, generator, copra, output, naive: null, update, freshOfEarlier: true };
}

interface RecordingResult {
  name: string;
  date: string;
  machine: string;
  /** Wall seconds of each fresh build and each update, rounds interleaved: fresh, update, fresh, … */
  fresh: number[];
  update: number[];
  freshPages: number | null;
  updatePages: number | null;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * A shared recording's update from the database as it stood at the start of its last 1 % of
 * builds, beside fresh builds of the whole recording, in alternating rounds on the same machine.
 */
async function benchRecording(recording: (typeof RECORDINGS)[number], options: BenchOptions): Promise<RecordingResult> {
  const log = (text: string) => process.stderr.write(`[${recording.name} recording] ${text}\n`);
  const dir = join(options.workDir, `recording-${recording.name}`);
  rmSync(dir, { recursive: true, force: true });
  // The same file name in both folders: an archive is titled after its first snapshot's name.
  const name = recording.file.split('/').pop()!;
  const whole = join(dir, 'whole', name);
  const early = join(dir, 'early', name);
  mkdirSync(dirname(whole), { recursive: true });
  mkdirSync(dirname(early), { recursive: true });
  copyFileSync(recording.file, whole);
  recording.cut(whole, early, buildIdAt(whole, 0.99));
  const earlyArchive = join(dir, 'early-archive');
  log('building the archive of the last 1 % cut');
  await buildWithCopra(early, earlyArchive, options, options.jobs);
  const result: RecordingResult = {
    name: recording.name, date: new Date().toISOString().slice(0, 10), machine: machineFacts(),
    fresh: [], update: [], freshPages: null, updatePages: null,
  };
  for (let round = 1; round <= RECORDING_ROUNDS; round++) {
    const fresh = join(dir, 'fresh');
    const updated = join(dir, 'updated');
    // Removing and copying archives is not part of either command: done before each is timed.
    await runMeasured('rm', ['-rf', fresh, updated], {});
    await runMeasured('cp', ['-a', earlyArchive, updated], {});
    log(`round ${round}: fresh build`);
    const freshRun = await buildWithCopra(whole, fresh, options, options.jobs);
    log(`round ${round}: update`);
    const updateRun = await buildWithCopra(whole, updated, options, options.jobs);
    result.fresh.push(freshRun.wallSeconds);
    result.update.push(updateRun.wallSeconds);
    result.freshPages = freshRun.pages;
    result.updatePages = updateRun.pages;
  }
  rmSync(dir, { recursive: true, force: true });
  return result;
}

function recordingsSection(results: RecordingResult[]): string {
  const rows = results.map((result) => {
    const ratios = result.update.map((update, index) => update / result.fresh[index]!);
    return `| ${result.name} | ${result.date} | ${result.fresh.map(secs).join(', ')} (${count(result.freshPages)} pages) | ` +
      `${result.update.map(secs).join(', ')} (${count(result.updatePages)} pages) | ${median(ratios).toFixed(3)} |`;
  });
  return [
    RECORDINGS_START,
    '### Updates of the shared recordings',
    '',
    '_Written by `npm run bench`: the whole recording built fresh, then an archive of the recording as it stood at the ' +
      `start of its last 1 % of builds updated with the whole recording, ${RECORDING_ROUNDS} rounds alternating; wall seconds of the whole command._`,
    '',
    `Machine: ${[...new Set(results.map((result) => result.machine))].join('; ')}.`,
    '',
    '| recording | date | fresh build, wall s | update, wall s | update ÷ fresh (median of the rounds) |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    RECORDINGS_END,
  ].join('\n');
}

interface MemoryCase {
  name: string;
  builds: number;
  peakRssBytes: number;
  wallSeconds: number;
  pages: number | null;
}

/** Rows copra's windows must bound: added to a copy of an ordinary snapshot of the same size. */
const CONCENTRATED = {
  statusdb: `
    -- numbered as one builder numbers its builds: the generator's numbers repeat across builders.
    UPDATE builds SET builder_id = (SELECT min(id) FROM builders), buildnumber = id;
    UPDATE builds SET source_id = (SELECT min(id) FROM sourcestamps) WHERE id % 4 = 0;`,
  /** One log made 200,000 lines long, in chunks of 1,000 lines as buildbot writes them. */
  buildbot: `
    CREATE TEMP TABLE long_log AS SELECT id FROM logs WHERE type = 's' ORDER BY id LIMIT 1;
    DELETE FROM logchunks WHERE logid = (SELECT id FROM long_log);
    WITH RECURSIVE chunk(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM chunk WHERE n < 199)
    INSERT INTO logchunks (logid, first_line, last_line, content, compressed)
      SELECT (SELECT id FROM long_log), n * 1000, n * 1000 + 999,
             CAST(rtrim(replace(hex(zeroblob(1000)), '00', 'oa line of a long stdout log' || char(10)), char(10)) AS BLOB), 0
      FROM chunk;
    UPDATE logs SET num_lines = 200000 WHERE id = (SELECT id FROM long_log);`,
};

/**
 * Peak memory is bounded by copra's windows, not by the shape of the data: builds of ordinary
 * snapshots beside copies in which one builder has every build and one sourcestamp a quarter of
 * them (statusdb), or one log has 200,000 lines (buildbot).
 */
async function benchMemory(options: BenchOptions): Promise<MemoryCase[]> {
  const dir = join(options.workDir, 'memory');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const cases: MemoryCase[] = [];
  for (const [schema, builds] of [['statusdb', MEMORY_BUILDS], ['buildbot', 2000]] as const) {
    const ordinary = join(dir, `${schema}-ordinary.sqlite`);
    const concentrated = join(dir, `${schema}-concentrated.sqlite`);
    process.stderr.write(`[memory] generating a ${schema} snapshot of ${builds} builds\n`);
    const run = await runMeasured(...nodeTs('scripts/make-snapshot.ts', ['--schema', schema, '--builds', String(builds), '--seed', options.seed, '--out', ordinary]));
    if (run.exitCode !== 0) throw new Error(`make-snapshot failed:\n${run.lines.map((line) => line.text).join('\n')}`);
    copyFileSync(ordinary, concentrated);
    const { default: Database } = (await import('better-sqlite3')) as { default: typeof import('better-sqlite3') };
    const db = new Database(concentrated);
    db.exec(CONCENTRATED[schema]);
    db.close();
    for (const [name, snapshot] of [[`${schema}, ordinary`, ordinary], [schema === 'statusdb' ? 'statusdb, one builder with every build, one sourcestamp with a quarter' : 'buildbot, one log of 200,000 lines', concentrated]] as const) {
      const out = join(dir, 'out');
      await runMeasured('rm', ['-rf', out], {});
      process.stderr.write(`[memory] ${name}\n`);
      const built = await buildWithCopra(snapshot, out, options, options.jobs);
      cases.push({ name, builds, peakRssBytes: built.peakRssBytes, wallSeconds: built.wallSeconds, pages: built.pages });
    }
  }
  await runMeasured('rm', ['-rf', dir], {});
  return cases;
}

// ---------------------------------------------------------------------------------------------
// Page models

/** Parts of each kind timed, spread over the archive, and rounds over them (the median is kept). */
const MODEL_SAMPLE = { parts: 8, rounds: 3 } as const;

interface ModelTimes {
  kind: string;
  /** The kind's pages in the whole archive. */
  pages: number;
  /** Over the sampled parts, median of the rounds. */
  msPerPage: number;
}

/**
 * The page models of a `builds`-build snapshot alone, per kind (no Eleventy, no files): ms a page
 * over up to MODEL_SAMPLE.parts parts spread over the archive, median of MODEL_SAMPLE.rounds
 * rounds. They run in this process, from src/ through tsx, reading the record a build would make.
 */
async function benchModels(builds: number, options: BenchOptions): Promise<ModelTimes[]> {
  const log = sizeLog(builds);
  const { snapshot } = workPaths(builds, options.workDir);
  log('generating the snapshot');
  await generate(builds, options.seed, snapshot, false);
  log('reading it into a record, then timing the page models of each kind');
  const { snapshotRecord } = await import('../src/record/record.ts');
  const { DEFAULT_ARCHIVE_OPTIONS, DISCARDED_FILES, loadArchive, partPageCount, planParts, windowPages } = await import('../src/pages/plan.ts');
  const record = snapshotRecord(snapshot, options.workDir);
  try {
    const archive = loadArchive(record, 'bench', DEFAULT_ARCHIVE_OPTIONS);
    const byKind = new Map<string, ReturnType<typeof planParts>>();
    for (const part of planParts(archive)) (byKind.get(part.kind) ?? byKind.set(part.kind, []).get(part.kind)!).push(part);
    return [...byKind].map(([kind, parts]) => {
      const every = Math.max(1, Math.floor(parts.length / MODEL_SAMPLE.parts));
      const sample = parts.filter((_, index) => index % every === 0).slice(0, MODEL_SAMPLE.parts);
      const sampledPages = sample.reduce((sum, part) => sum + partPageCount(part), 0);
      const rounds = Array.from({ length: MODEL_SAMPLE.rounds }, () => {
        const started = performance.now();
        for (const part of sample) windowPages(archive, { parts: [part] }, DISCARDED_FILES);
        return (performance.now() - started) / sampledPages;
      });
      return { kind, pages: parts.reduce((sum, part) => sum + partPageCount(part), 0), msPerPage: median(rounds) };
    });
  } finally {
    record.close();
    rmSync(dirname(record.db.name), { recursive: true, force: true });
  }
}

/** Kinds as rows, sizes as columns: ms a page, and the seconds all of the kind's pages take. */
function modelsTable(sizes: number[], results: ModelTimes[][]): string {
  const kinds = [...new Set(results.flatMap((times) => times.map((entry) => entry.kind)))];
  const cell = (times: ModelTimes[], kind: string) => {
    const entry = times.find((candidate) => candidate.kind === kind);
    return entry ? `${entry.msPerPage.toFixed(3)} ms × ${count(entry.pages)} = ${secs((entry.msPerPage * entry.pages) / 1000)} s` : '–';
  };
  const total = (times: ModelTimes[]) => `**${secs(times.reduce((sum, entry) => sum + entry.msPerPage * entry.pages, 0) / 1000)} s**`;
  return [
    `| kind | ${sizes.map((size) => `${count(size)} builds`).join(' | ')} |`,
    `| --- | ${sizes.map(() => '---:').join(' | ')} |`,
    ...kinds.map((kind) => `| ${kind} | ${results.map((times) => cell(times, kind)).join(' | ')} |`),
    `| all pages, one core | ${results.map(total).join(' | ')} |`,
  ].join('\n');
}

const MODELS_START = '<!-- bench:models:start -->';
const MODELS_END = '<!-- bench:models:end -->';

function writeModelsSection(sizes: number[], results: ModelTimes[][]): void {
  const section = [
    MODELS_START,
    '### Page models',
    '',
    `_Written by \`npm run bench -- --models\` on ${new Date().toISOString().slice(0, 10)} (${machineFacts()}): ` +
      `each kind's page models alone (no Eleventy, no files), ms a page over ${MODEL_SAMPLE.parts} parts spread over the archive, ` +
      `median of ${MODEL_SAMPLE.rounds} rounds, times the kind's pages._`,
    '',
    modelsTable(sizes, results),
    MODELS_END,
  ].join('\n');
  replaceSection(MODELS_START, MODELS_END, section);
}

const MEMORY_START = '<!-- bench:memory:start -->';
const MEMORY_END = '<!-- bench:memory:end -->';
/** A builder with this many builds: the issue's 200,000. */
const MEMORY_BUILDS = 200_000;

function writeMemorySection(cases: MemoryCase[]): void {
  const section = [
    MEMORY_START,
    '### Peak memory and the shape of the data',
    '',
    `_Written by \`npm run bench -- --memory\` on ${new Date().toISOString().slice(0, 10)} (${machineFacts()}): peak RSS of the whole process tree._`,
    '',
    '| snapshot | builds | peak RSS | wall s | pages |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...cases.map((entry) => `| ${entry.name} | ${count(entry.builds)} | ${gb(entry.peakRssBytes)} | ${secs(entry.wallSeconds)} | ${count(entry.pages)} |`),
    MEMORY_END,
  ].join('\n');
  replaceSection(MEMORY_START, MEMORY_END, section);
}

/** Replaces a marked section of BENCHMARKS.md, or adds it before the results. */
function replaceSection(startMark: string, endMark: string, section: string): void {
  const text = readFileSync(BENCHMARKS_MD, 'utf8');
  const start = text.indexOf(startMark);
  const end = text.indexOf(endMark);
  const updated =
    start >= 0 && end > start ? text.slice(0, start) + section + text.slice(end + endMark.length) : text.replace(RESULTS_START, `${section}\n\n${RESULTS_START}`);
  writeFileSync(BENCHMARKS_MD, updated);
}

function writeRecordingsSection(results: RecordingResult[]): void {
  replaceSection(RECORDINGS_START, RECORDINGS_END, recordingsSection(results));
}

async function main(): Promise<void> {
  if (process.argv[2] === '--naive-child') {
    const [snapshot, input, output] = process.argv.slice(3);
    return naiveEleventyChild(snapshot!, input!, output!);
  }
  const options = parseOptions();
  if (options.renderOnly) return updateBenchmarksMd([]);
  mkdirSync(options.workDir, { recursive: true });
  if (options.full) checkFreeSpace(options.workDir);
  process.stderr.write(`Machine: ${machineFacts()}\n`);
  if (options.memory) {
    const cases = await benchMemory(options);
    for (const entry of cases) process.stdout.write(`${entry.name}: peak ${gb(entry.peakRssBytes)}, ${secs(entry.wallSeconds)} s\n`);
    if (options.write) writeMemorySection(cases);
    return;
  }
  if (options.models) {
    const results: ModelTimes[][] = [];
    for (const builds of options.sizes) {
      results.push(await benchModels(builds, options));
      process.stdout.write(`\n${modelsTable(options.sizes.slice(0, results.length), results)}\n`);
      rmSync(workPaths(builds, options.workDir).snapshot, { force: true });
    }
    if (options.write) writeModelsSection(options.sizes, results);
    return;
  }
  if (options.recordings) {
    const results: RecordingResult[] = [];
    for (const recording of RECORDINGS) results.push(await benchRecording(recording, options));
    for (const result of results) {
      process.stdout.write(`\n${result.name} recording: fresh ${result.fresh.map(secs).join(', ')} s; update ${result.update.map(secs).join(', ')} s\n`);
    }
    if (options.write) writeRecordingsSection(results);
  }
  // Each size is reported and recorded as soon as it is done: a long run may be stopped later.
  for (const builds of options.sizes) {
    const result = await benchSize(builds, options);
    printResults([result]);
    if (options.write) {
      updateBenchmarksMd([result]);
      process.stdout.write(`Updated ${BENCHMARKS_MD}\n`);
    }
    // Only now: deleting the 7.5M files and directories of 1M builds (archive and raw copy)
    // took over 20 minutes here.
    sizeLog(builds)('removing the work files');
    for (const path of Object.values(workPaths(builds, options.workDir))) rmSync(path, { recursive: true, force: true });
  }
}

await main();
