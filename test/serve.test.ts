import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileFor } from '../src/serve.ts';
import { scratchDir } from './helpers/archive.ts';

describe('copra serve', () => {
  const root = scratchDir();
  writeFileSync(join(root, 'index.html'), '<!doctype html>');
  mkdirSync(join(root, '.copra'));
  writeFileSync(join(root, '.copra', 'record.sqlite'), 'SQLite format 3\0');

  it('serves the pages of the archive', () => {
    expect(fileFor(root, '/')).toBe(join(root, 'index.html'));
    expect(fileFor(root, '/index.html?q=1')).toBe(join(root, 'index.html'));
  });

  it.each(['/.copra/record.sqlite', '/%2Ecopra/record.sqlite', '/assets/../.copra/record.sqlite', '/.copra/'])(
    "never serves copra's record: %s",
    (path) => expect(fileFor(root, path)).toBeNull(),
  );

  it('serves nothing outside the archive', () => {
    expect(fileFor(root, '/../../etc/passwd')).toBeNull();
  });
});
