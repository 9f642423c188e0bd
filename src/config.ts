/**
 * `copra.config.json`: the options of `copra build` that a nightly job would otherwise repeat, by
 * their command-line names (`{"out": "public", "base-url": "https://ci.example.org/", "jobs": 2}`).
 * It is read from the current directory, or from the file `--config` names; options given on the
 * command line win. Paths in it are relative to the file's folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CopraError } from './errors.ts';
import { OPTIONS } from './options.ts';

const CONFIG_FILE = 'copra.config.json';

/** The options a config file may hold (see options.ts), by name. */
const IN_CONFIG = new Map(OPTIONS.filter((option) => option.inConfig).map((option) => [option.name, option]));

type ConfigValues = Record<string, string | boolean>;

/**
 * The options of `file` (or of ./copra.config.json when it exists and no file is named) as
 * parseArgs would give them: strings and booleans. No file: no options.
 */
export function readConfig(file: string | undefined, cwd = process.cwd()): ConfigValues {
  const path = resolve(cwd, file ?? CONFIG_FILE);
  if (!file && !existsSync(path)) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CopraError(`cannot read the config file ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`, 2, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CopraError(`${path} is not valid JSON (${(error as Error).message}); it should hold one object of copra build's options.`, 2, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CopraError(`${path} should hold one JSON object of copra build's options, like {"out": "public", "base-url": "https://ci.example.org/"}.`);
  }
  const values: ConfigValues = {};
  for (const [key, value] of Object.entries(parsed)) {
    const type = IN_CONFIG.get(key)?.type;
    if (!type) throw new CopraError(`${path}: unknown option "${key}" (known: ${[...IN_CONFIG.keys()].join(', ')}).`);
    const expected = type === 'path' ? 'string' : type;
    if (typeof value !== expected) throw new CopraError(`${path}: "${key}" takes a ${expected}, not ${JSON.stringify(value)}.`);
    values[key] = type === 'path' ? resolve(dirname(path), value as string) : type === 'number' ? String(value) : (value as string | boolean);
  }
  return values;
}
