import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builderUrl, masterUrl, workerUrl } from '../src/pages/entityPage.ts';
import { listingUrl } from '../src/pages/listing.ts';
import { rawLogUrl } from '../src/pages/logPage.ts';
import { linkTarget, outputPath, pathSegment, upToRoot, webHref } from '../src/urls.ts';

describe('links between pages: up to the root, then down to the target', () => {
  it.each([
    ['', 'build/1/', 'build/1/index.html'],
    ['build/1/', 'build/2/', '../../build/2/index.html'],
    ['build/1/', '', '../../index.html'],
    ['sources/page/3/', 'sources/', '../../../sources/index.html'],
    ['build/1/', 'assets/copra.css', '../../assets/copra.css'],
    ['build/7/log/9/', 'build/7/', '../../../../build/7/index.html'],
  ])('links %j to %j as %j', (from, to, href) => {
    expect(upToRoot(from) + linkTarget(to)).toBe(href);
  });
});

describe('pathSegment', () => {
  it.each([
    ['mozilla-central', 'mozilla-central'],
    ['mozilla-1.9.2', 'mozilla-1.9.2'],
    ['property_changes', 'property_changes'],
    ['releases/mozilla-1.9.2', 'releases~2Fmozilla-1.9.2'],
    ['a b', 'a~20b'],
    ['a', 'a'],
    ['-a.b_', '-a.b_'],
    ['~', '~7E'],
    ['', '~'],
    ['.', '~2E'],
    ['..', '~2E~2E'],
    ['.hidden', '~2Ehidden'],
    ['trailing.', 'trailing~2E'],
    ['Release', '~52elease'],
    ['con', '~63on'],
    ['nul.txt', '~6Eul.txt'],
    ['console', 'console'],
    ['nul\0byte', 'nul~00byte'],
    ['日本', '~E6~97~A5~E6~9C~AC'],
  ])('writes %j as %j', (name, segment) => {
    expect(pathSegment(name)).toBe(segment);
  });

  const names = ['a/b', 'a~2Fb', 'a_2Fb', 'a b', 'a~20b', '.', '..', '~2E', '', 'none', '~none', 'Release', 'release', 'RELEASE', 'con', 'Con', 'a.', 'a'];

  it('never gives two names the same segment, even with letter case folded', () => {
    const segments = names.map((name) => pathSegment(name).toLowerCase());
    expect(new Set(segments).size).toBe(names.length);
  });

  it('writes no segment a file system treats specially: a dot name, a hidden file, a name Windows trims or reserves', () => {
    for (const name of names) {
      expect(pathSegment(name), name).not.toMatch(/^\.|\.$|^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i);
    }
  });

  it('keeps long names short and distinct: the start of the name and a hash of the whole', () => {
    const long = ['x'.repeat(299) + '1', 'x'.repeat(299) + '2', '日'.repeat(100), 'X'.repeat(300), 'x'.repeat(300)];
    const segments = long.map(pathSegment);
    for (const segment of segments) {
      expect(segment.length).toBeLessThanOrEqual(120);
      expect(segment).toMatch(/^(x+|(~[0-9A-F]{2})+)~~[0-9a-f]{16}$/);
    }
    expect(new Set(segments.map((segment) => segment.toLowerCase())).size).toBe(long.length);
    expect(pathSegment('x'.repeat(120))).toBe('x'.repeat(120));
  });
});

describe('listing addresses', () => {
  it('number pages from the oldest, the newest page being the listing itself', () => {
    expect(listingUrl({ kind: 'all' }, 7, 7)).toBe('sources/');
    expect(listingUrl({ kind: 'all' }, 1, 7)).toBe('sources/page/1/');
    expect(listingUrl({ kind: 'branch', branch: null }, 1, 1)).toBe('sources/branch/~none/');
    expect(outputPath(listingUrl({ kind: 'tag', tag: 'l10n' }, 2, 3))).toBe('sources/tag/l10n/page/2/index.html');
  });

  it('keep a raw log in its log\'s directory, whatever its slug', () => {
    for (const slug of ['../../../../../x', 'a/b', '.', '..', '']) expect(dirname(rawLogUrl(7, 9, slug)), slug).toBe('build/7/log/9');
  });

  it('number a builder\'s, worker\'s and master\'s pages from the oldest too', () => {
    expect(builderUrl(4)).toBe('builder/4/');
    expect(builderUrl(4, 3, 3)).toBe('builder/4/');
    expect(workerUrl(4, 1, 3)).toBe('worker/4/page/1/');
    expect(masterUrl(2, 2, 3)).toBe('master/2/page/2/');
  });
});

describe('webHref', () => {
  it.each([
    ['https://hg.mozilla.org/mozilla-central/rev/abc', 'https://hg.mozilla.org/mozilla-central/rev/abc'],
    ['  http://example.org/a b  ', 'http://example.org/a%20b'],
    ['javascript:alert(1)', null],
    ['data:text/html,<script>alert(1)</script>', null],
    ['http://[not a host/', null],
    [null, null],
  ])('makes %j a link to %j', (url, href) => {
    expect(webHref(url)).toBe(href);
  });
});
