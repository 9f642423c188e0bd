/**
 * Buildbot layouts other than 3.7, derived from copies of the 3.7 fixture (see
 * variants/buildbotLayouts.ts), must read as the 3.7 file does; files that are not snapshots at all
 * must be refused with a message naming them; and reading a WAL-mode snapshot must not touch its
 * folder.
 */
import Database from 'better-sqlite3';
import { closeSync, copyFileSync, mkdirSync, openSync, readSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { CopraError } from '../../src/errors.ts';
import type { BuildDetail, Builder, Change, SnapshotSummary, Worker } from '../../src/model/types.ts';
import { buildDetails, buildIds as allBuildIds } from '../../src/pages/buildPage.ts';
import { buildsOf } from '../../src/pages/entityPage.ts';
import type { RecordReader } from '../../src/record/reader.ts';
import { snapshotRecord } from '../../src/record/record.ts';
import { readableSnapshotPath } from '../../src/snapshot/open.ts';
import { BUILDBOT_FIXTURE, buildInto, fixtureCopy, readPage, scratchDir, text } from '../helpers/archive.ts';
import { toBuildbot09Beta, toBuildbot43 } from './variants/buildbotLayouts.ts';

/**
 * A full archive build (log pages included) takes minutes on a loaded two-core machine: more than
 * the default hook timeout leaves when other test files build at the same time.
 */
const BUILD_TIMEOUT = 600_000;

/** What the 3.7 fixture reads as: the reference every variant is held to. */
interface Reading {
  description: string;
  summary: SnapshotSummary;
  details: BuildDetail[];
  builders: Builder[];
  workers: Worker[];
  changes: Map<number, Change[]>;
  workerBuilds: Map<number, number[]>;
}

function read(record: RecordReader): Reading {
  const buildIds = allBuildIds(record);
  if (buildIds.length === 0) throw new Error(`${record.db.name} has no builds`);
  const workers = record.workers();
  return {
    description: record.schema.description,
    summary: record.summary(),
    details: buildDetails(record, buildIds),
    builders: record.builders(),
    workers,
    changes: record.changesOfSourcestamps(record.sourcestampIds({ kind: 'all' })),
    workerBuilds: new Map(workers.map((worker) => [worker.id, buildsOf(record, 'worker', worker.id).map((b) => b.id)])),
  };
}

let reference: Reading;
const referenceDir = scratchDir('copra-reference-');

beforeAll(() => {
  const snapshot = snapshotRecord(BUILDBOT_FIXTURE, referenceDir);
  try {
    reference = read(snapshot);
  } finally {
    snapshot.close();
  }
});

describe('the 3.7 reference', () => {
  it('has builder tags and step URLs, which the 0.9 layout cannot hold, and builds with workers', () => {
    expect(reference.description).toBe('buildbot state.sqlite (alembic 059)');
    expect(reference.builders.filter((builder) => builder.tags.length > 0).length).toBeGreaterThan(0);
    expect(reference.details.flatMap((build) => build.steps).filter((step) => step.urls.length > 0).length).toBeGreaterThan(0);
    expect(reference.details.filter((build) => build.workerId !== null).length).toBeGreaterThan(0);
  });
});

interface Variant {
  name: string;
  derive: (file: string) => void;
  version: string;
  workerTable: string;
  workerColumn: string;
  /** The 3.7 reading as this layout can hold it. */
  expectedDetails: (details: BuildDetail[]) => BuildDetail[];
  expectedBuilders: (builders: Builder[]) => Builder[];
  expectedWorkers: (workers: Worker[]) => Worker[];
}

const VARIANTS: Variant[] = [
  {
    name: '0.9 beta (buildslaves, no tags, no step hidden/urls_json, migrate_version 44)',
    derive: toBuildbot09Beta,
    version: 'migrate 44',
    workerTable: 'buildslaves',
    workerColumn: 'buildslaveid',
    expectedDetails: (details) =>
      details.map((build) => ({ ...build, steps: build.steps.map((step) => ({ ...step, hidden: false, urls: [] })) })),
    expectedBuilders: (builders) => builders.map((builder) => ({ ...builder, tags: [] })),
    expectedWorkers: (workers) => workers,
  },
  {
    name: '4.3 (projects, codebases, lock and pause columns, alembic 065)',
    derive: toBuildbot43,
    version: 'alembic 065',
    workerTable: 'workers',
    workerColumn: 'workerid',
    // What toBuildbot43 writes into the columns 4.x added: lock waits, projects, a pause reason.
    expectedDetails: (details) =>
      details.map((build) => ({ ...build, locksDuration: build.id % 7, steps: build.steps.map((step) => ({ ...step, locksAcquiredAt: step.startedAt })) })),
    expectedBuilders: (builders) => builders.map((builder) => ({ ...builder, projectId: builder.id % 2 === 0 ? 1 : null })),
    expectedWorkers: (workers) => workers.map((worker) => ({ ...worker, pauseReason: worker.id === 1 ? 'maintenance window' : null })),
  },
];

describe.each(VARIANTS)('buildbot $name', (variant) => {
  const dir = scratchDir('copra-variant-');
  let file: string;
  let reading: Reading;
  let out: string | undefined;
  let warnings: string[];
  let reportSchema: string;
  /** A build with a worker and step URLs, and the names the variant's own tables give them. */
  let sample: { build: BuildDetail; workerName: string; builderTags: string[] };


  beforeAll(async () => {
    file = fixtureCopy(BUILDBOT_FIXTURE, dir, 'state.sqlite');
    variant.derive(file);
    const work = join(dir, 'work');
    mkdirSync(work);
    const snapshot = snapshotRecord(file, work);
    try {
      reading = read(snapshot);
    } finally {
      snapshot.close();
    }

    const build = reference.details.find((b) => b.workerId !== null && b.steps.some((step) => step.urls.length > 0));
    if (!build) throw new Error('the 3.7 fixture has no build with a worker and step URLs');
    const db = new Database(file, { readonly: true });
    try {
      const workerName = db
        .prepare(
          `SELECT w.name FROM ${variant.workerTable} w JOIN builds b ON b.${variant.workerColumn} = w.id WHERE b.id = ?`,
        )
        .pluck()
        .get(build.id) as string;
      const builderTags = variant.expectedBuilders(reference.builders).find((b) => b.id === build.builderId)?.tags ?? [];
      sample = { build, workerName, builderTags };
    } finally {
      db.close();
    }

    const built = await buildInto(file, { logs: 'none' });
    out = built.out;
    warnings = built.report.warnings.map((warning) => warning.detail);
    reportSchema = built.report.schema;
  }, BUILD_TIMEOUT);

  it(`names the version it found: "${variant.version}"`, () => {
    expect(reading.description).toBe(`buildbot state.sqlite (${variant.version})`);
  });

  it('reads every build with its steps, logs, properties, stamps and neighbours as the 3.7 file does', () => {
    expect(reading.details).toHaveLength(reference.details.length);
    expect(reading.details).toEqual(variant.expectedDetails(reference.details));
  });

  it('reads the builders as the 3.7 file does, with the tags the layout has', () => {
    expect(reading.builders).toEqual(variant.expectedBuilders(reference.builders));
  });

  it('reads the workers, and each worker\'s builds, from the layout\'s worker table and column', () => {
    expect(reading.workers).toEqual(variant.expectedWorkers(reference.workers));
    expect(reading.workerBuilds).toEqual(reference.workerBuilds);
  });

  it('counts and spans the snapshot as the 3.7 file does', () => {
    expect(reading.summary).toEqual(reference.summary);
  });

  it('reads every sourcestamp\'s changes as the 3.7 file does', () => {
    expect(reading.changes).toEqual(reference.changes);
  });

  it('builds a whole archive without warnings, reporting the version', () => {
    expect(reportSchema).toBe(`buildbot state.sqlite (${variant.version})`);
    expect(warnings).toEqual([]);
  });

  it('links the worker by name on a sampled build page', () => {
    const page = readPage(out!, `build/${sample.build.id}/`);
    const dt = page.querySelectorAll('dl.facts dt').find((element) => text(element) === 'Worker');
    const link = dt?.nextElementSibling?.querySelector('a');
    expect(text(link)).toBe(sample.workerName);
    expect(link?.getAttribute('href')).toBe(`../../worker/${sample.build.workerId}/index.html`);
    // The link leads to a page of the archive.
    expect(text(readPage(out!, `worker/${sample.build.workerId}/`).querySelector('h1'))).toContain(sample.workerName);
  });

  it('shows the sampled build\'s tags and step URLs only where the layout has them', () => {
    const page = readPage(out!, `build/${sample.build.id}/`);
    const dt = page.querySelectorAll('dl.facts dt').find((element) => text(element) === 'Tags');
    const tags = dt?.nextElementSibling?.querySelectorAll('a').map((a) => text(a)) ?? [];
    expect(tags).toEqual(sample.builderTags);
    const expectedUrls = variant.expectedDetails([sample.build])[0]?.steps.flatMap((step) => step.urls.map((url) => url.name));
    expect(page.querySelectorAll('a.step-url').map((a) => text(a))).toEqual(expectedUrls);
  });
});

// ---------------------------------------------------------------------------------------------

/** The first `bytes` bytes of a file. */
function head(file: string, bytes: number): Buffer {
  const buffer = Buffer.alloc(bytes);
  const fd = openSync(file, 'r');
  try {
    return buffer.subarray(0, readSync(fd, buffer, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

/** The CopraError `action` throws; fails the test if it throws nothing or anything else. */
function copraErrorOf(action: () => unknown): CopraError {
  try {
    action();
  } catch (error) {
    if (error instanceof CopraError) return error;
    throw error;
  }
  throw new Error('expected a CopraError, but nothing was thrown');
}

describe('files that are not snapshots', () => {
  const dir = scratchDir('copra-not-a-snapshot-');
  const work = join(dir, 'work');
  mkdirSync(work);
  const open = (file: string) => snapshotRecord(file, work);

  const cases: { name: string; make: (file: string) => void; says: RegExp }[] = [
    { name: 'a text file', make: (file) => writeFileSync(file, 'this is a build log\nnot a database\n'), says: /not an SQLite/ },
    { name: 'an empty file', make: (file) => writeFileSync(file, ''), says: /empty/ },
    {
      name: 'a gzip file',
      make: (file) => writeFileSync(file, gzipSync('-- MySQL dump 10.13\nCREATE TABLE `builds` (`id` int);\n')),
      says: /copra import/,
    },
    {
      name: 'an SQLite database with an unrelated schema',
      make: (file) => {
        const db = new Database(file);
        db.exec("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO recipes VALUES (1, 'bread');");
        db.close();
      },
      says: /neither buildbot's tables .* nor statusdb's/,
    },
    {
      name: 'an SQLite file cut short',
      // An interrupted download: the header promises pages the file does not have.
      make: (file) => writeFileSync(file, head(BUILDBOT_FIXTURE, 8192)),
      says: /is truncated: its header says \d+ bytes, the file has 8192/,
    },
  ];

  it.each(cases)('refuses $name with a CopraError that names the file', ({ name, make, says }) => {
    const file = join(dir, `${name.replaceAll(' ', '-')}.sqlite`);
    make(file);
    const error = copraErrorOf(() => open(file).close());
    expect(error.message).toContain(file);
    expect(error.message).toMatch(says);
  });

  it('refuses a file that does not exist with a CopraError that names it', () => {
    const file = join(dir, 'no-such-state.sqlite');
    expect(copraErrorOf(() => open(file).close()).message).toContain(file);
  });
});

describe('reading a WAL-mode snapshot', () => {
  const dir = scratchDir('copra-wal-');

  it('leaves the snapshot\'s folder as it was: no -wal or -shm appears beside it', () => {
    const folder = join(dir, 'snapshot');
    const work = join(dir, 'work');
    mkdirSync(folder);
    mkdirSync(work);
    const file = join(folder, 'state.sqlite');
    copyFileSync(BUILDBOT_FIXTURE, file);
    expect(head(file, 100)[18]).toBe(2);
    const before = readdirSync(folder);

    const path = readableSnapshotPath(file, work);
    const snapshot = snapshotRecord(file, work);
    try {
      expect(snapshot.summary().builds).toBe(reference.summary.builds);
      expect(buildDetails(snapshot, allBuildIds(snapshot).filter((id) => id <= 20))).toEqual(reference.details.filter((build) => build.id <= 20));
    } finally {
      snapshot.close();
    }

    expect(before).toEqual(['state.sqlite']);
    expect(readdirSync(folder)).toEqual(before);
    expect(dirname(path)).toBe(work);
  });

  it('reads the rows only a live -wal holds, and adds no -shm beside the snapshot', () => {
    // A server's state.sqlite copied while buildbot was writing: the newest rows are in the -wal.
    const live = join(dir, 'live');
    const folder = join(dir, 'copied');
    const work = join(dir, 'copied-work');
    for (const path of [live, folder, work]) mkdirSync(path);
    const liveFile = join(live, 'state.sqlite');
    copyFileSync(BUILDBOT_FIXTURE, liveFile);
    const builderId = Math.max(...reference.builders.map((builder) => builder.id)) + 1;
    const writer = new Database(liveFile);
    try {
      writer.pragma('wal_autocheckpoint = 0');
      writer
        .prepare('INSERT INTO builders (id, name, description, name_hash) VALUES (?, ?, NULL, ?)')
        .run(builderId, 'only in the wal', 'f'.repeat(40));
      copyFileSync(liveFile, join(folder, 'state.sqlite'));
      copyFileSync(`${liveFile}-wal`, join(folder, 'state.sqlite-wal'));
    } finally {
      writer.close();
    }
    const file = join(folder, 'state.sqlite');
    const before = readdirSync(folder).sort();

    const snapshot = snapshotRecord(file, work);
    try {
      expect(snapshot.builders().find((builder) => builder.id === builderId)?.name).toBe('only in the wal');
    } finally {
      snapshot.close();
    }

    expect(before).toEqual(['state.sqlite', 'state.sqlite-wal']);
    expect(readdirSync(folder).sort()).toEqual(before);
  });
});
