/**
 * copra's command line: parses arguments, reports progress and a summary, maps errors to exit
 * codes. The work itself lives in build.ts, serve.ts and import/, loaded by the command that needs
 * it: Eleventy, SQLite and Pagefind take most of a second to load, which `copra help` need not wait.
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { readConfig } from './config.ts';
import { CopraError } from './errors.ts';
import { optionDefaults, optionHelp, optionsOf, parseArgsOptions, synopsis } from './options.ts';
import type { LogMode } from './pages/kind.ts';
import { type DataWarning, PROBLEMS, type Problem, countsByProblem } from './pages/warnings.ts';
import { type Output, formatBytes, formatSeconds, startProgress } from './progress.ts';

const USAGE = `copra: a static, searchable archive of a buildbot or statusdb database

Usage:
  copra build SNAPSHOT ${synopsis('build', 74).join(`\n${' '.repeat(23)}`)}
      Writes the archive of SNAPSHOT (a buildbot 0.9–4.x state.sqlite or a Mozilla statusdb
      SQLite file) into DIR (default: dist). The snapshot is only read. Into an existing archive
      of the same CI it adds what is new and keeps what the snapshot has lost (pruned builds,
      steps, logs): the archive remembers, in DIR/.copra/ (not needed to serve DIR).
${optionHelp('build', 8, 100).join('\n')}
  copra merge PART… [--out DIR] [--move]
      Assembles the parts of all N shards of one build into the archive DIR (default: dist), the
      same files a single build writes; reads nothing but the parts. Afterwards DIR is updated like
      any archive. The parts stay as they were: their files are hard-linked (copied from another
      file system).
        --move                move the parts' files instead, folders whole where only one part
                              has them (about 4 times faster); the parts are used up
  copra stats SNAPSHOT ${synopsis('stats', 74).join(`\n${' '.repeat(23)}`)}
      Says what SNAPSHOT holds and what its archive would: pages (exact), files and size
      (estimated by rendering a sample of every kind of page), and how long a build takes, by
      the rate copra measured on its benchmark. Writes nothing. Reads copra.config.json (or
      --config FILE) as build does.
${optionHelp('stats', 8, 100).join('\n')}
  copra import DUMP --out SNAPSHOT
      Converts a MySQL dump of Mozilla's statusdb (plain or .gz, as mysqldump or MariaDB wrote it)
      into an SQLite snapshot that copra build reads. No MySQL server needed. -o is --out.
  copra serve [DIR] [--port N] [--build SNAPSHOT]
      Serves a built archive (default: dist) on http://127.0.0.1:N/ (default port: $PORT, else
      8080). With --build, takes the port first, then builds SNAPSHOT into DIR, then serves it.
  copra help
      Shows this text.
  copra --version
      Shows copra's version.
`;

/** The package's version: package.json is one folder above src/ and lib/ alike. */
const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

export interface Io {
  stdout: Output;
  stderr: Output;
}

const processIo: Io = {
  stdout: { write: (text) => process.stdout.write(text), isTTY: process.stdout.isTTY },
  stderr: { write: (text) => process.stderr.write(text), isTTY: process.stderr.isTTY },
};

function usageError(message: string): CopraError {
  return new CopraError(`${message}\nRun "copra help" for usage.`);
}

function positiveInteger(value: string | undefined, option: string, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw usageError(`${option} takes a whole number above 0, not "${value}".`);
  return number;
}

const isLogMode = (value: string): value is LogMode => ['full', 'summary', 'none'].includes(value);

/** Options as parseArgs gives them from the table of options: text, or flags. */
type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;
const text = (values: OptionValues, name: string): string | undefined => (typeof values[name] === 'string' ? values[name] : undefined);
const flag = (values: OptionValues, name: string): boolean => values[name] === true;

/** A --base-url: http(s) only, as the address of a folder (ending in '/'). */
function baseUrl(value: string | undefined): string | null {
  if (value === undefined) return null;
  const url = URL.canParse(value) ? new URL(value) : null;
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.search || url.hash) {
    throw usageError(`--base-url takes the http or https address the archive is served at, like https://ci.example.org/archive/, not "${value}".`);
  }
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

async function buildCommand(args: string[], io: Io): Promise<number> {
  const { values: given, positionals } = parseArgs({ args, allowPositionals: true, options: parseArgsOptions('build') });
  if (given.help) return help(io);
  const [snapshot, ...extra] = positionals;
  if (!snapshot || extra.length > 0) throw usageError('copra build takes one snapshot file.');
  const values: OptionValues = { ...optionDefaults('build'), ...readConfig(text(given, 'config')), ...given };
  const logs = text(values, 'logs')!;
  if (!isLogMode(logs)) throw usageError(`--logs takes full, summary or none, not "${logs}".`);
  const out = text(values, 'out')!;
  const { buildArchive } = await import('./build.ts');
  const { parseShard } = await import('./shards.ts');
  const shardValue = text(values, 'shard');
  const shard = shardValue === undefined ? undefined : parseShard(shardValue);
  const report = await buildArchive(snapshot, {
    shard,
    out,
    jobs: positiveInteger(text(values, 'jobs'), '--jobs'),
    logs,
    logPageLines: positiveInteger(text(values, 'log-page-lines'), '--log-page-lines'),
    search: !flag(values, 'no-search'),
    baseUrl: baseUrl(text(values, 'base-url')),
    templates: text(values, 'templates') ?? null,
    title: text(values, 'title'),
    fresh: flag(values, 'fresh'),
    output: io.stderr,
  });
  if (report.upgrade) {
    const { from, to, seconds } = report.upgrade;
    io.stdout.write(`copra's record upgraded from format ${from} to ${to} in ${seconds.toFixed(1)} s.\n`);
  }
  if (report.update) {
    const { newBuilds, finishedBuilds, kept } = report.update;
    io.stdout.write(
      `Update: ${newBuilds} new builds, ${finishedBuilds} builds finished since the last build; ` +
        `kept what the snapshot no longer has: ${kept.builds} builds, ${kept.steps} steps, ${kept.logs} logs.\n`,
    );
  }
  if (flag(values, 'fresh') && report.droppedBuilds > 0) {
    io.stdout.write(`--fresh: dropped the ${report.droppedBuilds} archived builds, replaced by the snapshot's.\n`);
  }
  for (const line of warningLines(report.warnings)) io.stderr.write(`warning: ${line}\n`);
  io.stdout.write(
    `Wrote ${report.pages} pages to ${out}${shard ? ` (shard ${shard.index}/${shard.count})` : ''} in ${formatSeconds(report.seconds)} ` +
      `(${Math.round(report.pages / report.seconds)} pages/s, ${report.windows} windows), ` +
      (report.searchRecords === null ? 'no search, ' : `${report.searchRecords} search records, `) +
      `${report.warnings.length} warning${report.warnings.length === 1 ? '' : 's'}` +
      (report.warnings.length > 0 ? ` (${countsByProblem(report.warnings)}; marked on their pages).\n` : '.\n'),
  );
  if (flag(values, 'strict') && report.warnings.length > 0) {
    io.stderr.write(`copra: --strict: the snapshot's data has ${report.warnings.length} problem${report.warnings.length === 1 ? '' : 's'}; the archive was written all the same.\n`);
    return 1;
  }
  return 0;
}

/** Warnings shown one by one: a damaged builder name marks hundreds of pages, which the pages themselves show. */
const WARNINGS_SHOWN_PER_KIND = 10;

export function warningLines(warnings: readonly DataWarning[]): string[] {
  const lines: string[] = [];
  for (const problem of Object.keys(PROBLEMS) as Problem[]) {
    const details = warnings.filter((warning) => warning.problem === problem).map((warning) => warning.detail);
    lines.push(...details.slice(0, WARNINGS_SHOWN_PER_KIND).map((detail) => `${PROBLEMS[problem]}: ${detail}`));
    const more = details.length - WARNINGS_SHOWN_PER_KIND;
    if (more > 0) lines.push(`${PROBLEMS[problem]}: ${more} more, marked on their pages`);
  }
  return lines;
}

async function statsCommand(args: string[], io: Io): Promise<number> {
  const { values: given, positionals } = parseArgs({ args, allowPositionals: true, options: parseArgsOptions('stats') });
  if (given.help) return help(io);
  const [snapshot, ...extra] = positionals;
  if (!snapshot || extra.length > 0) throw usageError('copra stats takes one snapshot file.');
  // The build's options file: what is not a stats option is not read.
  const statsOptions = new Set(optionsOf('stats').map((option) => option.name));
  const fromConfig = Object.entries(readConfig(text(given, 'config'))).filter(([name]) => statsOptions.has(name));
  const values: OptionValues = { ...optionDefaults('stats'), ...Object.fromEntries(fromConfig), ...given };
  const logs = text(values, 'logs')!;
  if (!isLogMode(logs)) throw usageError(`--logs takes full, summary or none, not "${logs}".`);
  const { snapshotStats } = await import('./stats.ts');
  const stats = await snapshotStats(snapshot, {
    logs,
    logPageLines: positiveInteger(text(values, 'log-page-lines'), '--log-page-lines'),
    search: !flag(values, 'no-search'),
    templates: text(values, 'templates') ?? null,
    jobs: positiveInteger(text(values, 'jobs'), '--jobs'),
  });
  if (flag(values, 'json')) {
    io.stdout.write(`${JSON.stringify(stats, null, 2)}\n`);
    return 0;
  }
  const count = (value: number) => value.toLocaleString('en-US');
  const counted = (value: number, noun: string) => `${count(value)} ${noun}${value === 1 ? '' : 's'}`;
  const { rows, logs: logTotals, total } = stats;
  const logSummary = logTotals.logs === 0 ? 'no logs' : `${counted(logTotals.logs, 'log')} of ${counted(logTotals.lines, 'line')} (${formatBytes(logTotals.storedBytes)} as stored)`;
  const lines = [
    `${snapshot}: ${stats.schema}`,
    `  ${counted(rows.builds, 'build')} of ${counted(rows.builders, 'builder')}, on ${counted(rows.workers, 'worker')} and ${counted(rows.masters, 'master')}`,
    `  ${counted(rows.steps, 'step')}; ${logSummary}`,
    `  ${counted(rows.changes, 'change')} on ${counted(rows.sourcestamps, 'sourcestamp')}`,
    `Its archive (--logs ${logs}${flag(values, 'no-search') ? ', --no-search' : ''}); files and size estimated from a sample of each kind's pages:`,
    `  ${'what'.padEnd(18)} ${'pages'.padStart(11)} ${'files'.padStart(11)} ${'size'.padStart(9)}`,
    ...[...stats.parts, { name: 'total', ...total }].map(
      (part) => `  ${part.name.padEnd(18)} ${count(part.pages).padStart(11)} ${count(part.files).padStart(11)} ${formatBytes(part.bytes).padStart(9)}`,
    ),
    `Building it takes about ${formatSeconds(stats.seconds)} with ${stats.jobs} render process${stats.jobs === 1 ? '' : 'es'} ` +
      `(${stats.pagesPerSecondPerJob} pages a second each, as measured at 100k builds).`,
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

async function mergeCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string' }, move: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) return help(io);
  const out = values.out ?? 'dist';
  const { mergeParts } = await import('./shards.ts');
  const merged = mergeParts(positionals, out, io.stderr, { move: values.move });
  io.stdout.write(`Merged ${merged.parts} parts into ${out} in ${formatSeconds(merged.seconds)}${values.move ? '; the parts are used up' : ''}.\n`);
  return 0;
}

async function importCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string', short: 'o' }, help: { type: 'boolean' } },
  });
  if (values.help) return help(io);
  const [dump, ...extra] = positionals;
  if (!dump || extra.length > 0 || !values.out) throw usageError('copra import takes one dump file and --out SNAPSHOT.');
  const { size } = statSync(dump, { throwIfNoEntry: false }) ?? { size: 0 };
  const progress = startProgress(io.stderr, 'Importing', size, 'bytes');
  let read = 0;
  const { importDump } = await import('./import/importDump.ts');
  const summary = await importDump(dump, values.out, {
    onProgress: ({ bytesRead }) => {
      progress.advance(bytesRead - read);
      read = bytesRead;
    },
  });
  progress.done();
  for (const table of summary.tables) io.stdout.write(`  ${table.name.padEnd(24)} ${table.rows} rows\n`);
  io.stdout.write(
    `Imported ${summary.rows} rows in ${summary.tables.length} tables into ${values.out} in ${formatSeconds(summary.seconds)} ` +
      `(${Math.round(summary.rows / summary.seconds)} rows/s).\n`,
  );
  return 0;
}

async function serveCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { port: { type: 'string' }, build: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) return help(io);
  const directory = positionals[0] ?? 'dist';
  if (!values.build && !existsSync(directory)) throw new CopraError(`${directory} does not exist; build it first: copra build SNAPSHOT --out ${directory}`);
  const port = positiveInteger(values.port ?? process.env.PORT, '--port (or PORT)', 8080)!;
  // The port is taken before a build, so that a busy one is said at once, not after minutes.
  const { serveDirectory } = await import('./serve.ts');
  const server = await serveDirectory(directory, port);
  if (values.build) {
    try {
      await buildCommand([values.build, '--out', directory], io);
    } catch (error) {
      server.close();
      throw error;
    }
  }
  io.stdout.write(`Serving ${directory} on http://127.0.0.1:${port}/ (Ctrl-C stops)\n`);
  return new Promise(() => {});
}

function help(io: Io): number {
  io.stdout.write(USAGE);
  return 0;
}

const COMMANDS: Record<string, (args: string[], io: Io) => Promise<number> | number> = {
  build: buildCommand,
  stats: statsCommand,
  merge: mergeCommand,
  import: importCommand,
  serve: serveCommand,
  help: (_args, io) => help(io),
  '--help': (_args, io) => help(io),
  '-h': (_args, io) => help(io),
  '--version': (_args, io) => {
    io.stdout.write(`copra ${VERSION}\n`);
    return 0;
  },
};

/** Node's parseArgs text, in copra's words: its advice on '--' quotes the option and never closes. */
function argumentProblem(message: string): string {
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  return unknown ? `unknown option ${unknown[1]}.` : message;
}

/** Runs one command; returns the exit code. Only CopraErrors are expected: they print on one line. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...args] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  try {
    if (!command) throw usageError(name === undefined ? 'No command given.' : `Unknown command "${name}".`);
    return await command(args, io);
  } catch (error) {
    if (error instanceof CopraError) {
      io.stderr.write(`copra: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`copra: ${argumentProblem(error.message)}\nRun "copra help" for usage.\n`);
      return 2;
    }
    throw error;
  }
}
