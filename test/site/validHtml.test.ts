/**
 * The pages are valid HTML, as the Nu HTML checker reads them: one page of every kind of each
 * fixture archive (of the buildbot 4.3 one, the pages only it has), the build pages of every result, the log pages of every log type, and a sample
 * of the build and log pages, in one run of the checker per archive.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkHtml } from '../../scripts/vnu.ts';
import { ALL_FIXTURES, archiveFiles, fixtureArchive, kindOf, pagesToCheck, querySnapshot } from '../helpers/archive.ts';

/** Build pages, and log pages, checked beyond those chosen for what they show. */
const SAMPLE = 100;

/** `count` items spread evenly over `items`. */
const spread = <T>(items: readonly T[], count: number) => items.filter((_, index) => index % Math.ceil(items.length / count) === 0);

describe.each(ALL_FIXTURES)('the pages of the $name fixture archive', ({ file, archive }) => {
  let out = '';
  beforeAll(async () => {
    out = await fixtureArchive(archive);
  });

  it('are valid HTML: one of every kind, the builds of every result, the logs of every type and a sample', async () => {
    const pages = archiveFiles(out).filter((path) => path.endsWith('.html') && !path.startsWith('.copra/'));

    const db = querySnapshot(file);
    const statusdb = file.includes('statusdb');
    const buildOfEachResult = db
      .prepare(statusdb ? 'SELECT min(id) FROM builds GROUP BY result' : 'SELECT min(id) FROM builds GROUP BY results')
      .pluck()
      .all() as number[];
    // The buildbot 4.3 archive is built without log pages (ARCHIVE_OPTIONS).
    const logOfEachType = statusdb || archive === 'buildbot4'
      ? []
      : (db
          .prepare('SELECT s.buildid, min(l.id) AS id FROM logs l JOIN steps s ON s.id = l.stepid GROUP BY l.type')
          .all() as { buildid: number; id: number }[]);
    db.close();

    const checked = [
      ...new Set([
        ...pagesToCheck(archive, out, pages),
        ...buildOfEachResult.map((id) => `build/${id}/index.html`),
        ...logOfEachType.map((log) => `build/${log.buildid}/log/${log.id}/index.html`),
        ...spread(pages.filter((page) => kindOf(page) === 'build/#/index.html'), SAMPLE),
        ...spread(pages.filter((page) => kindOf(page) === 'build/#/log/#/index.html'), SAMPLE),
      ]),
    ].map((page) => join(out, page));
    // Failed builds' pages lead with their failures; a log's failure summary is made from logs:
    // where the snapshot has logs, pages with one are checked.
    const html = checked.map((page) => readFileSync(page, 'utf8'));
    expect(html.some((page) => page.includes('id="failures"'))).toBe(true);
    expect(html.some((page) => page.includes('<section class="failure-summary">'))).toBe(logOfEachType.length > 0);

    const errors = await checkHtml(checked);
    expect(errors.map((error) => `${error.file.slice(out.length + 1)}:${error.line}: ${error.message}`)).toEqual([]);
  });
});
