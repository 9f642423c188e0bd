import Database from 'better-sqlite3';
import type { HTMLElement } from 'node-html-parser';
import { existsSync, readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { inflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkHtml } from '../../scripts/vnu.ts';
import { BUILDBOT_FIXTURE, STATUSDB_FIXTURE, buildInto, fixtureArchive, fixtureCopy, querySnapshot, readPage, scratchDir, text } from '../helpers/archive.ts';

interface LogRow {
  id: number;
  buildid: number;
  slug: string;
  type: string;
  num_lines: number;
}

/** A log's lines decoded with nothing but SQL and zlib: the fixture's chunks are raw (0) or zlib (1). */
function storedLines(db: Database.Database, log: LogRow): string[] {
  const chunks = db
    .prepare('SELECT content, compressed FROM logchunks WHERE logid = ? ORDER BY first_line')
    .all(log.id) as { content: Buffer; compressed: number }[];
  const lines = chunks.flatMap((chunk) => {
    expect([0, 1]).toContain(chunk.compressed);
    return (chunk.compressed === 1 ? inflateSync(chunk.content) : chunk.content).toString('utf8').split('\n');
  });
  return log.type === 's' ? lines.map((line) => line.slice(1)) : lines;
}

/** The numbered lines of a log page's full text (failure-summary excerpts excluded). */
function pageLines(page: HTMLElement): { n: number; text: string }[] {
  // Walks children rather than running selectors: this reads 2.7 million lines.
  const fullText = page.getElementsByTagName('pre').filter((pre) => pre.classList.contains('log') && !pre.classList.contains('error-block'));
  const spans = fullText.flatMap((pre) => pre.childNodes.filter((node): node is HTMLElement => (node as HTMLElement).tagName === 'SPAN'));
  return spans.map((span) => {
    const number = span.querySelector('a');
    return { n: Number(span.id.slice(1)), text: span.textContent.slice(number!.textContent.length) };
  });
}

const rawPath = (log: LogRow) => `build/${log.buildid}/log/${log.id}/${log.slug}.txt`;

describe('the logs of the buildbot fixture', () => {
  let out = '';
  beforeAll(async () => {
    out = await fixtureArchive('buildbot');
  });
  let db: Database.Database;
  let logs: LogRow[];

  beforeAll(() => {
    db = querySnapshot(BUILDBOT_FIXTURE);
    logs = db
      .prepare('SELECT l.id, s.buildid, l.slug, l.type, l.num_lines FROM logs l JOIN steps s ON s.id = l.stepid ORDER BY l.id')
      .all() as LogRow[];
  });

  it('have a page and a raw file each, holding exactly the stored lines', () => {
    expect(logs.length).toBeGreaterThan(18000);
    for (const log of logs) {
      const lines = log.num_lines === 0 ? [] : storedLines(db, log);
      expect(lines, `log ${log.id}`).toHaveLength(log.num_lines);
      const raw = readFileSync(join(out, rawPath(log)), 'utf8');
      expect(raw, `raw file of log ${log.id}`).toBe(lines.map((line) => `${line}\n`).join(''));
      // Every page exists; the lines of every third stdio log's page are compared (all of them cost
      // CI 40 s more, and each page is made by the same code), and of every log of another type.
      expect(existsSync(join(out, `build/${log.buildid}/log/${log.id}/index.html`)), `page of log ${log.id}`).toBe(true);
      if (log.type === 'h' || (log.type === 's' && log.id % 3 !== 0)) continue;
      const page = readPage(out, `build/${log.buildid}/log/${log.id}/`);
      expect(pageLines(page), `page of log ${log.id}`).toEqual(lines.map((line, index) => ({ n: index + 1, text: line })));
    }
  });

  it("link each error line of a failed build's page to that same line on its log page", () => {
    const failed = db.prepare('SELECT id FROM builds WHERE results IN (1, 2) ORDER BY id').pluck().all() as number[];
    // Each log page's spans by id, read once: a selector per line walked whole pages again and again.
    const spansById = new Map<string, Map<string, HTMLElement[]>>();
    const spansOf = (url: string) => {
      let spans = spansById.get(url);
      if (!spans) {
        spans = new Map();
        for (const span of readPage(out, url).getElementsByTagName('span')) {
          if (span.id) spans.set(span.id, [...(spans.get(span.id) ?? []), span]);
        }
        spansById.set(url, spans);
      }
      return spans;
    };
    let checked = 0;
    for (const buildId of failed) {
      const url = `build/${buildId}/`;
      for (const line of readPage(out, url).querySelectorAll('section#failures pre.example a')) {
        const href = line.getAttribute('href')!;
        const [file, anchor] = href.split('#');
        const landed = spansOf(normalize(join(url, file!))).get(anchor!) ?? [];
        expect(landed, `${url} → ${href}`).toHaveLength(1);
        // The log's line: its number, then the text the build page shows.
        expect(text(landed[0]), `${url} → ${href}`).toBe(`${anchor!.slice(1)}${text(line)}`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('render HTML logs without anything that could run', () => {
    const htmlLogs = logs.filter((log) => log.type === 'h');
    expect(htmlLogs.length).toBeGreaterThan(0);
    for (const log of htmlLogs) {
      const page = readPage(out, `build/${log.buildid}/log/${log.id}/`);
      const html = page.querySelector('.html-log');
      expect(text(html).length, `log ${log.id}`).toBeGreaterThan(0);
      expect(html!.querySelectorAll('script, style, iframe, object')).toHaveLength(0);
    }
  });
});

/**
 * A small copy of the buildbot fixture (its first builds) with the logs real snapshots have and
 * the recording does not: ANSI colours, an HTML log with script, a deleted log, a corrupt chunk,
 * and a long log with an error in its middle for a small page cap.
 */
describe('logs beyond the recording', () => {
  const dir = scratchDir();
  const copy = fixtureCopy(BUILDBOT_FIXTURE, dir);
  const db = new Database(copy);
  db.exec(`
    DELETE FROM logchunks WHERE logid IN (SELECT l.id FROM logs l JOIN steps s ON s.id = l.stepid WHERE s.buildid > 20);
    DELETE FROM logs WHERE stepid IN (SELECT id FROM steps WHERE buildid > 20);
    DELETE FROM steps WHERE buildid > 20;
    DELETE FROM build_properties WHERE buildid > 20;
    DELETE FROM builds WHERE id > 20;`);
  const step = db.prepare('SELECT id, buildid FROM steps WHERE buildid = 2 ORDER BY number DESC LIMIT 1').get() as {
    id: number;
    buildid: number;
  };
  const addLog = (slug: string, type: string, lines: string[], chunks: { first: number; content: Buffer | null; compressed: number }[]) => {
    const id = db
      .prepare('INSERT INTO logs (name, slug, stepid, complete, num_lines, type) VALUES (?, ?, ?, 1, ?, ?)')
      .run(slug, slug, step.id, lines.length, type).lastInsertRowid as number;
    for (const chunk of chunks) {
      const last = chunks[chunks.indexOf(chunk) + 1]?.first ?? lines.length;
      db.prepare('INSERT INTO logchunks (logid, first_line, last_line, content, compressed) VALUES (?, ?, ?, ?, ?)').run(
        id,
        chunk.first,
        last - 1,
        chunk.content,
        chunk.compressed,
      );
    }
    return id;
  };
  const raw = (lines: string[]) => Buffer.from(lines.join('\n'));
  const ansi = ['o\x1b[31mred words\x1b[0m then plain', 'e\x1b[1;32mbold green\x1b[0m'];
  const ansiLog = addLog('ansi', 's', ansi, [{ first: 0, content: raw(ansi), compressed: 0 }]);
  const webLink = 'https://ci.example.org/run 7';
  const html = [
    '<p onclick="alert(1)" class="error log-tools r-success">kept text</p><script>alert(2)</script>',
    '<a href="javascript:alert(3)">link</a><img src=x onerror=alert(4)>',
    `<p><tt>make check</tt>: <a href="notes.html">notes</a>, <a href="#top">top</a>, <a href="${webLink}">the run</a></p>`,
  ];
  const htmlLog = addLog('html', 'h', html, [{ first: 0, content: raw(html), compressed: 0 }]);
  const deletedLog = addLog('janitored', 'd', ['x', 'y', 'z'], []);
  const long = Array.from({ length: 120 }, (_, i) => (i === 60 ? 'ocompile.c:1: error: it broke' : `oline ${i + 1}`));
  const longLog = addLog('long', 's', long, [
    { first: 0, content: raw(long.slice(0, 40)), compressed: 0 },
    { first: 40, content: Buffer.from('not zlib at all'), compressed: 1 },
    { first: 50, content: raw(long.slice(50)), compressed: 0 },
  ]);
  db.prepare('UPDATE steps SET results = 2 WHERE id = ?').run(step.id);
  db.close();

  let out: string;
  const logPage = (id: number) => readPage(out, `build/${step.buildid}/log/${id}/`);
  beforeAll(async () => {
    ({ out } = await buildInto(copy, { logPageLines: 20 }));
  });

  it('renders ANSI colours as styled text, without escape codes', () => {
    const page = logPage(ansiLog);
    expect(text(page.querySelector('pre.log span.ansi-31'))).toBe('red words');
    expect(page.querySelector('pre.log span.ansi-32.ansi-bold')).not.toBeNull();
    expect(page.querySelector('pre.log .s-e')).not.toBeNull();
    expect(page.toString()).not.toContain('\x1b');
  });

  it('keeps an HTML log readable and inert', () => {
    const html = logPage(htmlLog).querySelector('.html-log')!;
    expect(text(html)).toContain('kept text');
    expect(html.querySelectorAll('script, img')).toHaveLength(0);
    expect(html.toString()).not.toMatch(/onclick|onerror|javascript:/i);
    // Twisted's classes stay; copra's own would let the log pose as the page around it.
    expect(html.querySelector('p')!.getAttribute('class')).toBe('error');
  });

  it('links an HTML log only to web addresses, as valid URLs', () => {
    const links = logPage(htmlLog).querySelectorAll('.html-log a');
    expect(links.map((a) => a.getAttribute('href') ?? null)).toEqual([null, null, null, new URL(webLink).href]);
  });

  it('says a janitored log was deleted, on its page and its step', () => {
    expect(text(logPage(deletedLog).querySelector('.deleted'))).toContain('deleted');
    expect(text(readPage(out, `build/${step.buildid}/`).querySelector('table.steps'))).toContain('janitored (deleted)');
    expect(existsSync(join(out, `build/${step.buildid}/log/${deletedLog}/janitored.txt`))).toBe(false);
  });

  it('caps a long page to head, errors and tail, marks unreadable lines, and keeps everything in the raw file', () => {
    const page = logPage(longLog);
    const shown = pageLines(page).map((line) => line.n);
    expect(shown.slice(0, 10)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(shown).toContain(61);
    expect(shown.slice(-10)).toEqual([111, 112, 113, 114, 115, 116, 117, 118, 119, 120]);
    expect(text(page.querySelector('pre.log span#L61'))).toContain('error: it broke');
    expect(page.querySelectorAll('.omitted').length).toBeGreaterThan(0);
    expect(text(page.querySelector('.log-facts'))).toContain('10 unreadable');
    const rawText = readFileSync(join(out, `build/${step.buildid}/log/${longLog}/long.txt`), 'utf8').split('\n');
    expect(rawText).toHaveLength(121);
    expect(rawText[60]).toBe('compile.c:1: error: it broke');
    expect(rawText[45]).toMatch(/could not be read: corrupt zlib chunk/);
  });

  it('gives these logs and their build valid HTML pages', async () => {
    const pages = [`build/${step.buildid}/index.html`, ...[ansiLog, htmlLog, deletedLog, longLog].map((id) => `build/${step.buildid}/log/${id}/index.html`)];
    expect(await checkHtml(pages.map((page) => join(out, page)))).toEqual([]);
  });

  it('leads the build page with the failed step\'s error line, linking into the log', () => {
    const failures = readPage(out, `build/${step.buildid}/`).querySelector('section#failures');
    const error = failures!.querySelectorAll('pre.example a').find((line) => text(line) === 'compile.c:1: error: it broke');
    const href = error!.getAttribute('href')!;
    expect(normalize(join(`build/${step.buildid}/`, href))).toBe(`build/${step.buildid}/log/${longLog}/index.html#L61`);
  });
});

describe('statusdb logs', () => {
  it('link a log_url property, and otherwise say logs were not kept', async () => {
    const copy = fixtureCopy(STATUSDB_FIXTURE, scratchDir());
    const db = new Database(copy);
    const property = db
      .prepare("INSERT INTO properties (name, source, value) VALUES ('log_url', 'buildbot', ?)")
      .run(JSON.stringify('http://stage.mozilla.org/logs/build-1.txt.gz')).lastInsertRowid;
    db.prepare('INSERT INTO build_properties (property_id, build_id) VALUES (?, 1)').run(property);
    db.close();
    const { out } = await buildInto(copy);
    const logLink = readPage(out, 'build/1/').querySelector('a[href="http://stage.mozilla.org/logs/build-1.txt.gz"]');
    expect(logLink).not.toBeNull();
    expect(text(readPage(out, 'build/2/'))).toContain('Logs were not kept');
  });
});
