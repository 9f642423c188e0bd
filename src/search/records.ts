/**
 * What the archive's search finds, as Pagefind custom records. Records are small on purpose: a
 * visitor downloads metadata for every record of an index before the first result, so builds are
 * not records (they are found as "builder + number" through per-builder lookup files instead).
 */
import type { CustomRecord } from 'pagefind';
import { timeView } from '../model/time.ts';
import type { Change } from '../model/types.ts';
import { changeUrl } from '../pages/changePage.ts';
import { gitUnquoted } from '../pages/changes.ts';
import { builderUrl, masterUrl, workerUrl } from '../pages/entityPage.ts';
import { failureUrl } from '../pages/failurePage.ts';
import type { Site } from '../pages/site.ts';
import { testTitle, testKey, testUrl } from '../pages/testPage.ts';
import type { RecordReader } from '../record/reader.ts';
import { outputPath } from '../urls.ts';

const LANGUAGE = 'en';

/**
 * Which part of the search a record belongs to, as a filter: the search page loads every index
 * into one Pagefind instance (one runtime to download) and searches each scope through it.
 */
export type SearchScopeName = 'names' | 'changes' | 'failures';
const scope = (name: SearchScopeName) => ({ scope: [name] });
/** Words of a commit message worth indexing; the rest is on the page. */
const COMMENT_CHARACTERS = 2000;

/** Builders (with their tags or category), workers and masters. */
export function nameRecords(site: Site): CustomRecord[] {
  const builders = [...site.builders.values()].map(
    (builder): CustomRecord => ({
      url: outputPath(builderUrl(builder.id)),
      content: [builder.name, builder.description ?? '', ...builder.tags].join(' '),
      language: LANGUAGE,
      meta: { title: builder.name, kind: 'builder', tags: builder.tags.join(', ') },
      filters: { ...scope('names'), kind: ['builder'], ...(builder.tags.length > 0 ? { [site.tagWord]: builder.tags } : {}) },
    }),
  );
  const workers = [...site.workers.values()].map(
    (worker): CustomRecord => ({
      url: outputPath(workerUrl(worker.id)),
      content: worker.name,
      language: LANGUAGE,
      meta: { title: worker.name, kind: site.schema === 'statusdb' ? 'slave' : 'worker' },
      filters: { ...scope('names'), kind: ['worker'] },
    }),
  );
  const masters = [...site.masters.values()].map(
    (master): CustomRecord => ({
      url: outputPath(masterUrl(master.id)),
      content: [master.name, master.url ?? ''].join(' '),
      language: LANGUAGE,
      meta: { title: master.name, kind: 'master' },
      filters: { ...scope('names'), kind: ['master'] },
    }),
  );
  return [...builders, ...workers, ...masters];
}

/**
 * A change, found on its own page by revision, author, branch, message or file. Pagefind
 * matches word prefixes, so the 7–12 character revisions people paste find the full one.
 */
export function changeRecord(change: Change): CustomRecord {
  const revision = change.revision ?? '';
  return {
    url: outputPath(changeUrl(change.id)),
    // File names as people read them (git quotes bytes beyond ASCII: `\346\227\245` is `日`).
    content: [revision, change.author ?? '', change.branch ?? '', change.comments.slice(0, COMMENT_CHARACTERS), ...change.files.map(gitUnquoted)].join('\n'),
    language: LANGUAGE,
    meta: {
      title: `${revision.slice(0, 12) || `change ${change.id}`} · ${change.author ?? 'unknown author'}`,
      kind: 'change',
      branch: change.branch ?? '',
      revision,
      author: change.author ?? '',
      date: change.when === null ? '' : timeView(change.when).text,
    },
    filters: { ...scope('changes'), ...(change.branch ? { branch: [change.branch] } : {}) },
    // Changes come newest first: an author's, a word's.
    sort: { when: String(change.when ?? 0).padStart(12, '0') },
  };
}

/**
 * Failure signatures, by their text: a line pasted from a build's log, normalized the same way
 * in the browser, finds the failure's page.
 */
export function failureRecords(record: RecordReader): CustomRecord[] {
  const rows = record.db.prepare('SELECT key, text, source FROM signatures WHERE builds > 0 ORDER BY key').all() as { key: string; text: string; source: string }[];
  return rows.map(({ key, text, source }) => ({
    url: outputPath(failureUrl(key)),
    content: text,
    language: LANGUAGE,
    meta: { title: text.length > 120 ? `${text.slice(0, 120)}…` : text, kind: source === 'log' ? 'failure' : 'failed step' },
    filters: scope('failures'),
  }));
}

/** Tests (buildbot's test results), by name and code path: a pasted test name finds its page. */
export function testRecords(record: RecordReader): CustomRecord[] {
  const rows = record.db.prepare('SELECT DISTINCT name, code_path AS codePath FROM test_results ORDER BY name, code_path').all() as { name: string | null; codePath: string | null }[];
  return rows.map(({ name, codePath }) => ({
    url: outputPath(testUrl(testKey(name, codePath))),
    content: [name ?? '', codePath ?? ''].join(' '),
    language: LANGUAGE,
    meta: { title: testTitle(name, codePath), kind: 'test' },
    filters: { ...scope('names'), kind: ['test'] },
  }));
}

/** How many tests the record has results of: a new one is a new search record. */
export const testCount = (record: RecordReader) => record.db.prepare('SELECT count(*) FROM (SELECT DISTINCT name, code_path FROM test_results)').pluck().get() as number;
