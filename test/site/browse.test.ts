/**
 * The ways people browse CI history, checked against the test's own SQL over each fixture: the
 * builder board, the workers page, changes, revisions, feeds and badges.
 */
import type Database from 'better-sqlite3';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { FIXTURES, querySnapshot, readPage, text } from '../helpers/archive.ts';

const RESULT_WORDS: Record<number, string> = { 0: 'success', 1: 'warnings', 2: 'failure', 3: 'skipped', 4: 'exception', 5: 'retry', 6: 'cancelled' };

/** The schema's names for what the tests ask, so one query reads both fixtures. */
function columns(statusdb: boolean) {
  return statusdb
    ? { builds: 'builds', builder: 'builder_id', worker: 'slave_id', result: 'result', start: 'starttime', number: 'buildnumber', workers: 'slaves' }
    : { builds: 'builds', builder: 'builderid', worker: 'workerid', result: 'results', start: 'started_at', number: 'number', workers: 'workers' };
}

/** The id in a link such as `../builder/12/index.html`. */
const linkedId = (href: string | undefined, kind: string) => Number(new RegExp(`${kind}/(\\d+)/`).exec(href ?? '')?.[1]);

describe.each(FIXTURES)('browsing the $name fixture archive', ({ file, archive }) => {
  const out = inject('archives')[archive];
  const statusdb = file.includes('statusdb');
  const c = columns(statusdb);
  let db: Database.Database;

  beforeAll(() => {
    db = querySnapshot(file);
    return () => db.close();
  });

  it("shows every builder on the board once per tag, with its last finished build's result, its recent builds and its build count", () => {
    const builders = db.prepare('SELECT id FROM builders ORDER BY id').pluck().all() as number[];
    const lastFinished = db.prepare(
      `SELECT id, ${c.result} AS result FROM ${c.builds} WHERE ${c.builder} = ? AND ${c.result} IS NOT NULL ORDER BY ${c.start} DESC, id DESC LIMIT 1`,
    );
    const recent = db.prepare(`SELECT id FROM ${c.builds} WHERE ${c.builder} = ? ORDER BY ${c.start} DESC, id DESC LIMIT 20`).pluck();
    const counts = db.prepare(
      `SELECT count(*) AS builds, count(${c.result}) AS finished, count(*) FILTER (WHERE ${c.result} = 0) AS successes FROM ${c.builds} WHERE ${c.builder} = ?`,
    );
    const tagCount = db.prepare(
      statusdb ? 'SELECT 1' : 'SELECT max(1, count(*)) FROM builders_tags WHERE builderid = ?',
    ).pluck();

    const rows = readPage(out, 'builders/').querySelectorAll('table.board tbody tr');
    const shown = new Map<number, typeof rows>();
    for (const row of rows) {
      const id = linkedId(row.querySelector('td.name a')?.getAttribute('href'), 'builder');
      shown.set(id, [...(shown.get(id) ?? []), row]);
    }
    expect([...shown.keys()].sort((a, b) => a - b)).toEqual(builders);
    for (const id of builders) {
      const expectedTags = statusdb ? 1 : (tagCount.get(id) as number);
      expect(shown.get(id), `rows of builder ${id}`).toHaveLength(expectedTags);
      const row = shown.get(id)![0]!;
      const last = lastFinished.get(id) as { id: number; result: number } | undefined;
      const lastLink = row.querySelector('td.last a');
      if (last) {
        expect(text(lastLink)).toBe(RESULT_WORDS[last.result]);
        expect(linkedId(lastLink?.getAttribute('href'), 'build')).toBe(last.id);
      } else expect(lastLink).toBeNull();
      const strip = row.querySelectorAll('.strip a').map((link) => linkedId(link.getAttribute('href'), 'build'));
      expect(strip, `recent builds of builder ${id}`).toEqual(recent.all(id));
      const count = counts.get(id) as { builds: number; finished: number; successes: number };
      const cells = row.querySelectorAll('td.number');
      expect(text(cells[1]).replace(/,/g, '')).toBe(String(count.builds));
      expect(text(cells[0])).toBe(count.finished ? `${Math.floor((100 * count.successes) / count.finished)} %` : '–');
    }
  });

  it('lists every worker with its build count and its most recently started build', () => {
    const workers = db.prepare(`SELECT id FROM ${c.workers} ORDER BY id`).pluck().all() as number[];
    const newest = db.prepare(`SELECT id FROM ${c.builds} WHERE ${c.worker} = ? ORDER BY ${c.start} DESC, id DESC LIMIT 1`).pluck();
    const count = db.prepare(`SELECT count(*) FROM ${c.builds} WHERE ${c.worker} = ?`).pluck();
    const rows = readPage(out, 'workers/').querySelectorAll('table.board tbody tr');
    expect(rows.map((row) => linkedId(row.querySelector('td.name a')?.getAttribute('href'), 'worker')).sort((a, b) => a - b)).toEqual(workers);
    for (const row of rows) {
      const id = linkedId(row.querySelector('td.name a')?.getAttribute('href'), 'worker');
      const newestId = newest.get(id) as number | undefined;
      expect(linkedId(row.querySelector('td[data-label="Last build"] a')?.getAttribute('href'), 'build') || undefined).toBe(newestId);
      expect(text(row.querySelector('td[data-label="Builds"]')).replace(/,/g, '')).toBe(String(count.get(id)));
    }
  });
});
