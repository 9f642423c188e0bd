/**
 * The options of `copra build` and `copra stats`, declared once, as Datasette declares its
 * SETTINGS: the command line's parser, the validation of copra.config.json, `copra help` and a
 * test against the README all read this table.
 */
import type { ParseArgsConfig } from 'node:util';
import { DEFAULT_ARCHIVE_OPTIONS } from './pages/kind.ts';

export type OptionCommand = 'build' | 'stats';

export interface OptionSpec {
  /** As typed after `--`, and as a key of copra.config.json. */
  readonly name: string;
  /** What follows the option, as help shows it (`DIR`); none for a flag. */
  readonly value?: string;
  /** How copra.config.json holds it; a path there is relative to the file's folder. */
  readonly type: 'path' | 'string' | 'number' | 'boolean';
  /** Its value when not given, which the parser applies. */
  readonly default?: string;
  /** What it is when not given, in words, where that is not a value (one per core). */
  readonly defaultHelp?: string;
  /** One line for `copra help`. */
  readonly help: string;
  /** The commands that take it. */
  readonly commands: readonly OptionCommand[];
  /** Whether copra.config.json may hold it (it holds build's options). */
  readonly inConfig: boolean;
}

const LOG_MODES = 'full: log pages, raw .txt files and failure summaries; summary: failure summaries on build pages only; none: no logs read';

export const OPTIONS: readonly OptionSpec[] = [
  { name: 'out', value: 'DIR', type: 'path', default: 'dist', commands: ['build'], inConfig: true, help: 'where the archive goes; replaced only when the build succeeds' },
  { name: 'title', value: 'TEXT', type: 'string', defaultHelp: "the snapshot's file name", commands: ['build'], inConfig: true, help: "the archive's title; kept by updates unless given again" },
  {
    name: 'base-url',
    value: 'URL',
    type: 'string',
    commands: ['build'],
    inConfig: true,
    help: 'where the archive will be served (http or https): feeds link absolutely, pages name their canonical address, sitemap.xml is written',
  },
  {
    name: 'templates',
    value: 'DIR',
    type: 'path',
    commands: ['build', 'stats'],
    inConfig: true,
    help: "a folder laid over copra's templates: its _includes/ (layouts/base.njk, pages/<body>.njk) and assets/ replace copra's",
  },
  {
    name: 'config',
    value: 'FILE',
    type: 'path',
    defaultHelp: './copra.config.json when it exists',
    commands: ['build', 'stats'],
    inConfig: false,
    help: 'options from a JSON file, by the names here ({"out": "public", "base-url": "…"}); options on the command line win',
  },
  { name: 'fresh', type: 'boolean', commands: ['build'], inConfig: false, help: 'build from SNAPSHOT alone, dropping the history DIR remembers' },
  { name: 'jobs', value: 'N', type: 'number', defaultHelp: 'one per core', commands: ['build', 'stats'], inConfig: true, help: 'render processes' },
  { name: 'logs', value: 'full|summary|none', type: 'string', default: DEFAULT_ARCHIVE_OPTIONS.logs, commands: ['build', 'stats'], inConfig: true, help: LOG_MODES },
  {
    name: 'log-page-lines',
    value: 'N',
    type: 'number',
    default: String(DEFAULT_ARCHIVE_OPTIONS.logPageLines),
    commands: ['build', 'stats'],
    inConfig: true,
    help: 'longer logs show head, tail and errors on their page (the raw file has every line)',
  },
  { name: 'no-search', type: 'boolean', commands: ['build', 'stats'], inConfig: true, help: 'skip the search indexes (the search page then says so)' },
  {
    name: 'strict',
    type: 'boolean',
    commands: ['build'],
    inConfig: true,
    help: "exit with code 1 when the snapshot's data has problems (orphan rows, impossible times, unknown results…), after writing the archive",
  },
  {
    name: 'shard',
    value: 'I/N',
    type: 'string',
    commands: ['build'],
    inConfig: false,
    help: 'render only shard I of N (1 ≤ I ≤ N) into DIR, a part for copra merge; any machine can build any shard',
  },
  { name: 'json', type: 'boolean', commands: ['stats'], inConfig: false, help: 'print the same as JSON' },
];

/** The options of `command`, in the table's order. */
export const optionsOf = (command: OptionCommand): OptionSpec[] => OPTIONS.filter((option) => option.commands.includes(command));

/** What node:util's parseArgs takes for `command`'s options, `--help` besides. */
export function parseArgsOptions(command: OptionCommand): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries([
    ...optionsOf(command).map((option) => [option.name, { type: option.type === 'boolean' ? ('boolean' as const) : ('string' as const) }]),
    ['help', { type: 'boolean' as const }],
  ]);
}

/** The values the parser gives `command`'s options that are not given. */
export function optionDefaults(command: OptionCommand): Record<string, string> {
  return Object.fromEntries(optionsOf(command).flatMap((option) => (option.default === undefined ? [] : [[option.name, option.default]])));
}

/** `[--out DIR] [--fresh] …`: the synopsis of `command`'s options, cut into lines of `width`. */
export function synopsis(command: OptionCommand, width: number): string[] {
  const lines: string[] = [];
  for (const option of optionsOf(command)) {
    const word = `[--${option.name}${option.value ? ` ${option.value}` : ''}]`;
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** `copra help`'s lines for `command`'s options: each option, its help wrapped beside it. */
export function optionHelp(command: OptionCommand, indent: number, width: number): string[] {
  const column = 22;
  const lines: string[] = [];
  for (const option of optionsOf(command)) {
    const name = `--${option.name}${option.value ? ` ${option.value}` : ''}`;
    const byDefault = option.default ?? option.defaultHelp;
    const words = `${option.help}${byDefault ? ` (default: ${byDefault})` : ''}`.split(' ');
    let line = `${' '.repeat(indent)}${name.padEnd(column - 1)} `;
    if (name.length >= column) {
      lines.push(`${' '.repeat(indent)}${name}`);
      line = ' '.repeat(indent + column);
    }
    let empty = true;
    for (const word of words) {
      if (!empty && line.length + 1 + word.length > width) {
        lines.push(line);
        line = `${' '.repeat(indent + column)}${word}`;
      } else {
        line += empty ? word : ` ${word}`;
      }
      empty = false;
    }
    lines.push(line);
  }
  return lines;
}
