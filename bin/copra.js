#!/usr/bin/env node
// copra runs as the JavaScript `npm run build` compiles into lib/ (npm ci and npm install run it),
// or — in a checkout whose TypeScript sources changed since — from src/ through tsx's loader.
import { existsSync, readdirSync, statSync } from 'node:fs';

const compiled = new URL('../lib/cli.js', import.meta.url);
const sources = new URL('../src/', import.meta.url);

/** The newest modification time of the files under `dir`. */
function newest(dir) {
  return Math.max(
    ...readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => statSync(`${entry.parentPath}/${entry.name}`).mtimeMs),
  );
}

const upToDate = existsSync(compiled) && (!existsSync(sources) || statSync(compiled).mtimeMs >= newest(sources));
let cli;
if (upToDate) {
  cli = await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../src/cli.ts');
}
process.exitCode = await cli.main(process.argv.slice(2));
