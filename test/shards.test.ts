/**
 * A build on several machines: the buildbot 4.3 recording built in three shards and merged is, file
 * for file and byte for byte, the archive one build writes (test/globalSetup.ts) — every kind of
 * page the 3.7 sample has, and tests, projects and build data files besides; merged, it is
 * updated like any archive; a merge killed midway leaves it whole; merging with --move, the parts
 * are used up, put back when the merge fails, and refused when it was killed; and merge refuses
 * anything but the parts of all shards of one record.
 */
import Database from 'better-sqlite3';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildArchive } from '../src/build.ts';
import { main } from '../src/cli.ts';
import { DEFAULT_ARCHIVE_OPTIONS, type Window, loadArchive, partWeight, plannedPageCount, planWindows } from '../src/pages/plan.ts';
import { openRecord, recordPathIn } from '../src/record/record.ts';
import { mergeParts, shardWindows } from '../src/shards.ts';
import { ARCHIVE_OPTIONS, BUILDBOT4_FIXTURE, BUILDBOT_FIXTURE, REPO, STATUSDB_FIXTURE, archiveFiles, archiveHashes, captured, copraLeftovers, differences, fixtureArchive, locs, quiet, scratchDir, sitemapAddresses } from './helpers/archive.ts';

const SHARDS = 3;

/** A part's marker: which shard it is, of which record. */
const markerIn = (part: string) => join(part, '.copra', 'shard.json');

describe('a build in shards, merged', () => {
  const dir = scratchDir('copra-shards-');
  const parts = Array.from({ length: SHARDS }, (_, i) => join(dir, `part-${i + 1}`));
  const merged = join(dir, 'merged');
  const pagesByShard: number[] = [];

  beforeAll(async () => {
    for (const [i, out] of parts.entries()) {
      const report = await buildArchive(BUILDBOT4_FIXTURE, { out, shard: { index: i + 1, count: SHARDS }, output: quiet, jobs: 2, ...ARCHIVE_OPTIONS.buildbot4 });
      pagesByShard.push(report.pages);
    }
  }, 600_000);

  it('deals every window of the plan to one shard, the shards within one window of each other', () => {
    const record = openRecord(recordPathIn(parts[0]!));
    try {
      const windows = planWindows(loadArchive(record, record.title, { ...DEFAULT_ARCHIVE_OPTIONS, ...ARCHIVE_OPTIONS.buildbot4 }));
      expect(pagesByShard.reduce((sum, count) => sum + count, 0)).toBe(windows.reduce((sum, window) => sum + plannedPageCount(window), 0));
      const weight = (window: Window) => window.parts.reduce((sum, part) => sum + partWeight(part), 0);
      const dealt = Array.from({ length: SHARDS }, (_, i) => shardWindows(windows, { index: i + 1, count: SHARDS }));
      expect(dealt.flat().map((window) => JSON.stringify(window)).sort()).toEqual(windows.map((window) => JSON.stringify(window)).sort());
      const loads = dealt.map((share) => share.reduce((sum, window) => sum + weight(window), 0));
      expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(Math.max(...windows.map(weight)));
    } finally {
      record.close();
    }
  });

  it('writes the files one build writes, byte for byte, each page rendered by one shard only', async () => {
    const single = await fixtureArchive('buildbot4');
    const singleFiles = archiveFiles(single);
    const pages = singleFiles.filter((file) => file.endsWith('.html'));
    expect(parts.flatMap((part) => archiveFiles(part).filter((file) => file.endsWith('.html'))).sort()).toEqual(pages);

    expect(mergeParts([...parts].reverse(), merged, quiet).parts).toBe(SHARDS);
    expect(archiveFiles(merged)).toEqual(singleFiles);
    const differing = singleFiles.filter((file) => !readFileSync(join(merged, file)).equals(readFileSync(join(single, file))));
    expect(differing).toEqual([]);
    // Pages and files of every kind: tests, projects, build data.
    expect(singleFiles.filter((file) => /^(test|project|build\/\d+\/data)\//.test(file)).length).toBeGreaterThan(500);
  });

  it('leaves the archive whole when killed while merging, and the next merge clears what it left', async () => {
    const before = archiveHashes(merged);
    const copra = spawn(process.execPath, [join(REPO, 'bin', 'copra.js'), 'merge', ...parts, '--out', merged], { stdio: 'ignore' });
    const exit = new Promise((resolve) => copra.on('exit', resolve));
    // Killed once its scratch folder exists: while it lays tens of thousands of files together.
    while (copraLeftovers(dir).length === 0 && copra.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 5));
    copra.kill('SIGKILL');
    await exit;
    expect(copraLeftovers(dir)).not.toEqual([]);
    expect(differences(archiveHashes(merged), before)).toEqual([]);

    expect(mergeParts(parts, merged, quiet).parts).toBe(SHARDS);
    expect(differences(archiveHashes(merged), before)).toEqual([]);
    expect(copraLeftovers(dir)).toEqual([]);
  });

  it('is then updated like any archive', async () => {
    const report = await buildArchive(BUILDBOT4_FIXTURE, { out: merged, output: quiet, jobs: 2, ...ARCHIVE_OPTIONS.buildbot4 });
    expect(report.incremental).toBe(true);
    expect(report.update).not.toBeNull();
  });

  it('writes the sitemap of every part\'s pages for a build with a --base-url', async () => {
    const baseUrl = 'https://ci.example.org/archive/';
    // One shard built with a base URL writes none (a shard of the smaller recording will do) ...
    const withBase = join(dir, 'with-base-1');
    await buildArchive(STATUSDB_FIXTURE, { out: withBase, baseUrl, search: false, shard: { index: 1, count: SHARDS }, output: quiet, jobs: 2 });
    expect(existsSync(join(withBase, 'sitemap.xml'))).toBe(false);
    expect(readFileSync(markerIn(withBase), 'utf8')).toContain(JSON.stringify(baseUrl));
    // ... and merge writes it from every part, as their markers say: the parts above, told of one.
    const markers = parts.map(markerIn);
    const untold = markers.map((marker) => readFileSync(marker, 'utf8'));
    const site = join(dir, 'told-merged');
    try {
      markers.forEach((marker, i) => writeFileSync(marker, JSON.stringify({ ...JSON.parse(untold[i]!), baseUrl })));
      mergeParts(parts, site, quiet);
    } finally {
      markers.forEach((marker, i) => writeFileSync(marker, untold[i]!));
    }
    expect(locs(readFileSync(join(site, 'sitemap.xml'), 'utf8'))).toEqual(sitemapAddresses(site, baseUrl));
  });

  it('refuses parts that are not the shards of one build, naming them', async () => {
    const damaged = join(dir, 'damaged');
    mkdirSync(join(damaged, '.copra'), { recursive: true });
    writeFileSync(markerIn(damaged), '{"shard": 3}');
    // Shard 3/3 as a build of another snapshot leaves it: its record, and so its digest, differ.
    const other = join(dir, 'other-3');
    mkdirSync(join(other, '.copra'), { recursive: true });
    copyFileSync(BUILDBOT_FIXTURE, recordPathIn(other));
    const marker = JSON.parse(readFileSync(markerIn(parts[2]!), 'utf8')) as { record: string };
    writeFileSync(markerIn(other), JSON.stringify({ ...marker, record: createHash('sha256').update(readFileSync(BUILDBOT_FIXTURE)).digest('hex') }));
    const refusals: [string[], RegExp][] = [
      [parts.slice(0, 2), /shard 3\/3 missing/],
      [[parts[0]!, ...parts], /part-1 and .*part-1 are both shard 1\/3/],
      [[parts[0]!, parts[1]!, other], /other-3 and .*part-1 were built from different snapshots/],
      [[parts[0]!, parts[1]!, merged], /merged is not a part of a sharded build/],
      [[parts[0]!, parts[1]!, join(dir, 'nowhere')], /nowhere does not exist/],
      [[parts[0]!, parts[1]!, damaged], /damaged: \.copra\/shard\.json is damaged or missing; build .*damaged again/],
    ];
    for (const [given, message] of refusals) {
      const run = captured();
      expect(await main(['merge', ...given, '--out', join(dir, 'refused')], run.io)).toBe(2);
      expect(run.stderr()).toMatch(message);
      expect(run.stderr().split('\n').filter(Boolean)).toHaveLength(1);
    }
    const nestings: [string, RegExp][] = [
      [parts[1]!, /part-2 is the part .*part-2, inside it or holds it; merge into a directory apart from the parts/],
      [join(parts[1]!, 'site'), /site is the part .*part-2, inside it or holds it/],
      [dir, /is the part .*part-1, inside it or holds it/],
    ];
    for (const [out, message] of nestings) {
      const run = captured();
      expect(await main(['merge', ...parts, '--out', out, '--move'], run.io)).toBe(2);
      expect(run.stderr()).toMatch(message);
      expect(run.stderr().split('\n').filter(Boolean)).toHaveLength(1);
    }
  });

  it('refuses to merge over an archive whose record remembers builds the parts lack', async () => {
    // An archive as isArchive knows one, whose record is the parts' and one build more.
    const remembering = join(dir, 'remembering');
    mkdirSync(join(remembering, 'assets'), { recursive: true });
    writeFileSync(join(remembering, 'index.html'), '');
    writeFileSync(join(remembering, 'assets', 'copra.css'), '');
    mkdirSync(join(remembering, '.copra'));
    copyFileSync(recordPathIn(parts[0]!), recordPathIn(remembering));
    const db = new Database(recordPathIn(remembering));
    // A build the snapshot no longer has, as an archive remembers it.
    db.exec('INSERT INTO builds (id, number, builderid, state_string, lost) SELECT max(id) + 1, 1000000, builderid, state_string, 0 FROM builds');
    db.close();
    const run = captured();
    expect(await main(['merge', ...parts, '--out', remembering], run.io)).toBe(2);
    expect(run.stderr()).toMatch(/remembering remembers 1 build the parts' record lacks; build the shards on .*record\.sqlite/);

    writeFileSync(recordPathIn(remembering), 'not a database');
    const unreadable = captured();
    expect(await main(['merge', ...parts, '--out', remembering], unreadable.io)).toBe(2);
    expect(unreadable.stderr()).toMatch(/record\.sqlite cannot be read \(.*\), so merge cannot tell what history it holds/);
  });

  describe('with --move', () => {
    /**
     * Copies of the parts for a merge that uses them up: folders anew, files hard-linked (a file
     * a test changes is replaced, not written into).
     */
    const copies = (name: string) => parts.map((part, i) => {
      const copy = join(dir, `${name}-${i + 1}`);
      execFileSync('cp', ['-al', part, copy]);
      return copy;
    });
    /** Each file of each part as the inode it is: the same inodes at the same paths are the same part. */
    const inodesOf = (dirs: string[]) => dirs.map((part) => archiveFiles(part).map((file) => `${file} ${statSync(join(part, file)).ino}`));

    it('writes the archive one build writes and uses the parts up', async () => {
      const moving = copies('moving');
      const out = join(dir, 'moved');
      const run = captured();
      expect(await main(['merge', ...moving, '--out', out, '--move'], run.io)).toBe(0);
      expect(run.stdout()).toMatch(/^Merged 3 parts into .*moved in \d+s; the parts are used up\.\n$/);
      expect(differences(archiveHashes(out), archiveHashes(await fixtureArchive('buildbot4')))).toEqual([]);
      expect(archiveHashes(out, { record: true }).get('.copra/record.sqlite')).toBe(archiveHashes(parts[0]!, { record: true }).get('.copra/record.sqlite'));
      expect(moving.filter((part) => existsSync(part))).toEqual([]);
    });

    it('puts back what it moved when it fails, naming the file two parts hold in different versions', () => {
      const moving = copies('failing');
      rmSync(join(moving[2]!, 'assets', 'copra.css'));
      writeFileSync(join(moving[2]!, 'assets', 'copra.css'), 'body { color: red }');
      const before = inodesOf(moving);
      const out = join(dir, 'not-moved');
      expect(() => mergeParts(moving, out, quiet, { move: true })).toThrow(/failing-3 holds another version of assets\/copra\.css than the parts before it/);
      expect(inodesOf(moving)).toEqual(before);
      expect(existsSync(out)).toBe(false);
      expect(copraLeftovers(dir)).toEqual([]);
    });

    it('leaves the parts of a merge killed while moving marked, and merge refuses them, naming each', async () => {
      const moving = copies('killed');
      // A fifo where the last part's stylesheet was holds the merge on reading it, with the first
      // parts moved: the state a merge killed midway leaves.
      rmSync(join(moving[2]!, 'assets', 'copra.css'));
      execFileSync('mkfifo', [join(moving[2]!, 'assets', 'copra.css')]);
      const before = archiveHashes(merged);
      const copra = spawn(process.execPath, [join(REPO, 'bin', 'copra.js'), 'merge', ...moving, '--out', merged, '--move'], { stdio: 'ignore' });
      const exit = new Promise((resolve) => copra.on('exit', resolve));
      // The first part's folders go whole, leaving its record; the second's go folder by folder.
      while (readdirSync(moving[0]!).length > 1 && copra.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 5));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(copra.exitCode).toBeNull();
      copra.kill('SIGKILL');
      await exit;
      expect(differences(archiveHashes(merged), before)).toEqual([]);
      for (const part of moving) {
        const run = captured();
        expect(await main(['merge', part, ...parts.slice(1), '--out', join(dir, 'refused')], run.io)).toBe(2);
        expect(run.stderr()).toMatch(/killed-\d was being moved into an archive by a copra merge --move that did not finish, so some of its files are gone; build .*killed-\d again\./);
      }
    });
  });

  it('refuses a shard that would replace a whole archive, and --shard values out of range', async () => {
    const run = captured();
    expect(await main(['build', STATUSDB_FIXTURE, '--out', merged, '--shard', '1/3'], run.io)).toBe(2);
    expect(run.stderr()).toMatch(/holds a whole archive; build each shard into a directory of its own/);
    for (const value of ['0/3', '4/3', '2', 'a/b']) {
      const bad = captured();
      expect(await main(['build', STATUSDB_FIXTURE, '--out', join(dir, 'bad'), '--shard', value], bad.io)).toBe(2);
      expect(bad.stderr()).toContain(`--shard takes I/N`);
    }
  });
});

