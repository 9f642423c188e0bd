/**
 * A folder for the archives of both fixtures, which the test files that need them build once for
 * the whole run, whichever asks first (fixtureArchive in helpers/archive.ts): files that need no
 * archive start at once. Removed after the run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    archivesDir: string;
  }
}

export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'copra-archives-'));
  project.provide('archivesDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
