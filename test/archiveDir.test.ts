/**
 * An update lands by one rename (its commit point) and then a rename per file; if it is cut short
 * after the commit point, the next build completes it before anything else.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitUpdate, completePending, scratchDirFor } from '../src/archiveDir.ts';
import { archiveFiles, scratchDir } from './helpers/archive.ts';

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

const contents = (root: string) => Object.fromEntries(archiveFiles(root).map((file) => [file, readFileSync(join(root, file), 'utf8')]));

const ARCHIVE = {
  'index.html': 'home v1',
  'build/1/index.html': 'build 1 v1',
  'build/1/log/7/index.html': 'log 7 v1',
  'build/1/log/7/old-slug.txt': 'raw v1',
  'pagefind/names/fragment/abc.pf_fragment': 'old fragment',
  'pagefind/names/pagefind.js': 'v1',
  'pagefind/changes-1-5000/pagefind.js': 'merged into a larger shard',
  '.copra/record.sqlite': 'record v1',
};
const UPDATE = {
  'index.html': 'home v2',
  'build/2/index.html': 'build 2',
  'build/1/log/7/index.html': 'log 7 v2',
  'build/1/log/7/new-slug.txt': 'raw v2',
  'pagefind/names/fragment/def.pf_fragment': 'new fragment',
  'pagefind/names/pagefind.js': 'v2',
  '.copra/record.sqlite': 'record v2',
  '.copra/removed.json': JSON.stringify(['pagefind/changes-1-5000/']),
};
const UPDATED = {
  'index.html': 'home v2',
  'build/1/index.html': 'build 1 v1',
  'build/2/index.html': 'build 2',
  'build/1/log/7/index.html': 'log 7 v2',
  'build/1/log/7/new-slug.txt': 'raw v2',
  'pagefind/names/fragment/def.pf_fragment': 'new fragment',
  'pagefind/names/pagefind.js': 'v2',
  '.copra/record.sqlite': 'record v2',
};

describe('landing an update', () => {
  it('replaces changed files, whole the directories written whole, removes what it names inside the archive, and leaves nothing pending', () => {
    const dir = scratchDir('copra-commit-');
    const out = join(dir, 'archive');
    write(out, ARCHIVE);
    write(join(dir, 'site'), Object.fromEntries(Object.entries(UPDATE).filter(([path]) => path !== '.copra/removed.json')));
    // Two files, and two directories moved whole.
    writeFileSync(join(dir, 'outside'), 'not the archive\'s');
    expect(commitUpdate(join(dir, 'site'), out, ['pagefind/changes-1-5000/', '../outside'])).toBe(4);
    expect(contents(out)).toEqual(UPDATED);
    expect(readdirSync(dir).sort()).toEqual(['archive', 'outside']);
  });

  it('is completed by the next build when it stopped part-way, however far it got', () => {
    for (let movedBefore = 0; movedBefore <= 2; movedBefore++) {
      const dir = scratchDir('copra-commit-');
      const out = join(dir, 'archive');
      write(out, ARCHIVE);
      // Committed: the update's files are pending inside the archive; some were moved already.
      const pending = join(out, '.copra', 'pending');
      write(pending, UPDATE);
      const files = Object.keys(UPDATE).filter((file) => !file.startsWith('.copra') && !file.startsWith('pagefind/') && !file.includes('/log/'));
      for (const file of files.slice(0, movedBefore)) {
        mkdirSync(dirname(join(out, file)), { recursive: true });
        renameSync(join(pending, file), join(out, file));
      }
      // Stopped between removing an old directory written whole and moving the new one in.
      if (movedBefore % 2 === 1) rmSync(join(out, 'pagefind', 'names'), { recursive: true });
      completePending(out);
      expect(contents(out), `${movedBefore} moved before the stop`).toEqual(UPDATED);
      expect(existsSync(pending)).toBe(false);
      expect(completePending(out)).toBe(0);
    }
  });
});

describe('a full build killed between the two renames of its swap', () => {
  it('is finished by the next build: the new archive, whole, takes its place', () => {
    const dir = scratchDir('copra-swap-');
    const out = join(dir, 'archive');
    // The old archive was moved aside, the new one not yet in: no archive at `out` at all.
    write(join(dir, '.archive.copra-tmp-killed', 'previous'), ARCHIVE);
    write(join(dir, '.archive.copra-tmp-killed', 'site'), UPDATED);
    const scratch = scratchDirFor(out);
    expect(contents(out)).toEqual(UPDATED);
    expect(readdirSync(dir).sort()).toEqual([scratch.split('/').pop(), 'archive'].sort());
  });
});
