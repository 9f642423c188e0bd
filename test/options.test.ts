/**
 * The options of copra build and copra stats are declared once (src/options.ts): the parser, the
 * config file, `copra help` and the README say the same.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.ts';
import { type OptionCommand, OPTIONS, optionsOf } from '../src/options.ts';
import { REPO, captured } from './helpers/archive.ts';

const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
const asTyped = (command: OptionCommand) => new Set(optionsOf(command).map((option) => `--${option.name}${option.value ? ` ${option.value}` : ''}`));

describe('the table of options', () => {
  it.each(['build', 'stats'] as const)("is the README's synopsis of copra %s", (command) => {
    const synopsis = new RegExp(`^copra ${command} SNAPSHOT ((?:\\[[^\\]]+\\]\\s*)+)`, 'm').exec(readme)?.[1] ?? '';
    expect(new Set([...synopsis.matchAll(/\[([^\]]+)\]/g)].map((match) => match[1]))).toEqual(asTyped(command));
  });

  it("is the README's list of what copra.config.json holds", () => {
    const list = /It holds `build`'s options by their command-line names\s*\(([^)]*)\)/.exec(readme)?.[1] ?? '';
    expect(new Set([...list.matchAll(/`([a-z-]+)`/g)].map((match) => match[1]))).toEqual(new Set(OPTIONS.filter((option) => option.inConfig).map((option) => option.name)));
  });

  it('is what copra help explains, each option with its line of help', async () => {
    const io = captured();
    expect(await main(['help'], io.io)).toBe(0);
    const help = io.stdout().replace(/\s+/g, ' ');
    for (const option of OPTIONS) {
      expect(help).toContain(`--${option.name}${option.value ? ` ${option.value}` : ''} ${option.help}`);
    }
  });
});
