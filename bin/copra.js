#!/usr/bin/env node
// copra is written in TypeScript and runs through tsx's loader; worker processes use the same one.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
