/**
 * Builds the archives of both fixtures once for the whole run; test files read them through
 * `inject('archives')` and never write into them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildArchive } from '../src/build.ts';
import { BUILDBOT_FIXTURE, STATUSDB_FIXTURE } from './helpers/fixtures.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    archives: { buildbot: string; statusdb: string };
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'copra-archives-'));
  const quiet = { write: () => {} };
  const buildbot = join(dir, 'buildbot');
  const statusdb = join(dir, 'statusdb');
  await buildArchive(BUILDBOT_FIXTURE, { out: buildbot, output: quiet, jobs: 2 });
  await buildArchive(STATUSDB_FIXTURE, { out: statusdb, output: quiet, jobs: 2 });
  project.provide('archives', { buildbot, statusdb });
  return () => rmSync(dir, { recursive: true, force: true });
}
