/**
 * The pages as a visitor sees them in Chromium, on a desktop and on a phone: one page of every
 * kind of each fixture archive (of the buildbot 4.3 one, the pages only it has), plus the build pages with the most steps and properties and the
 * search page showing results. No page scrolls sideways (long words wrap; only a log's box and the
 * console's may scroll), and every table's header cells sit over the columns of its rows (a cell
 * spanning columns over all of them). On a phone, the console shows results on its first screen.
 */
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALL_FIXTURES, archiveFiles, pagesToCheck, querySnapshot } from '../helpers/archive.ts';
import { browserPage, servedFixture } from '../helpers/browser.ts';

const WIDTHS = [1280, 390];

/** What the page shows wrong: how far it scrolls sideways, and header cells off their columns. */
function layoutFaults(): { sideways: number; offColumn: string[] } {
  const root = document.documentElement;
  const offColumn: string[] = [];
  for (const [index, table] of [...document.querySelectorAll('table')].entries()) {
    const headerRows = table.tHead ? [...table.tHead.rows] : table.rows[0] && !table.rows[0].querySelector('td') ? [table.rows[0]] : [];
    // Each header cell with the columns it spans, rows spanned from above taken into account.
    const occupied: boolean[][] = [];
    const cells: { cell: HTMLTableCellElement; first: number; last: number }[] = [];
    headerRows.forEach((row, rowIndex) => {
      let column = 0;
      for (const cell of row.cells) {
        while (occupied[rowIndex]?.[column]) column++;
        for (let spanned = rowIndex; spanned < rowIndex + cell.rowSpan; spanned++) {
          for (let c = column; c < column + cell.colSpan; c++) (occupied[spanned] ??= [])[c] = true;
        }
        cells.push({ cell, first: column, last: column + cell.colSpan - 1 });
        column += cell.colSpan;
      }
    });
    const columns = Math.max(0, ...cells.map(({ last }) => last + 1));
    const body = [...table.rows].find((row) => !headerRows.includes(row) && row.cells.length === columns);
    // A header a narrow screen hides (its rows then stack) sits over nothing.
    if (!body || headerRows[0]!.getClientRects().length === 0) continue;
    for (const { cell, first, last } of cells) {
      const above = cell.getBoundingClientRect();
      const left = body.cells[first]!.getBoundingClientRect().left;
      const right = body.cells[last]!.getBoundingClientRect().right;
      if (Math.abs(above.left - left) > 1 || Math.abs(above.right - right) > 1) {
        offColumn.push(`table ${index} (${table.className}) columns ${first}–${last} "${cell.textContent?.trim()}"`);
      }
    }
  }
  return { sideways: root.scrollWidth - root.clientWidth, offColumn };
}

describe.each(ALL_FIXTURES)('the layout of the $name fixture archive', ({ file, archive }) => {
  const served = servedFixture(archive);
  const browserTab = browserPage();

  it.each(WIDTHS)('neither scrolls sideways nor moves a header off its column, %i px wide', async (width) => {
    const pages = archiveFiles(served().out).filter((path) => path.endsWith('.html') && !path.startsWith('.copra/'));
    const db = querySnapshot(file);
    const statusdb = file.includes('statusdb');
    // The widest build pages: the most steps, the most properties.
    const widest = db
      .prepare(
        statusdb
          ? `SELECT id FROM (SELECT build_id AS id, count(*) AS n FROM steps GROUP BY build_id ORDER BY n DESC LIMIT 1)
             UNION SELECT id FROM (SELECT build_id AS id, count(*) AS n FROM build_properties GROUP BY build_id ORDER BY n DESC LIMIT 1)`
          : `SELECT id FROM (SELECT buildid AS id, count(*) AS n FROM steps GROUP BY buildid ORDER BY n DESC LIMIT 1)
             UNION SELECT id FROM (SELECT buildid AS id, max(length(value)) AS n FROM build_properties GROUP BY buildid ORDER BY n DESC LIMIT 1)`,
      )
      .pluck()
      .all() as number[];
    db.close();
    const checked = [...new Set([...pagesToCheck(archive, served().out, pages), ...widest.map((id) => `build/${id}/index.html`)])];

    const page = browserTab();
    await page.setViewportSize({ width, height: 900 });
    const faults: Record<string, ReturnType<typeof layoutFaults>> = {};
    for (const path of checked) {
      await page.goto(pathToFileURL(`${served().out}/${path}`).href);
      const found = await page.evaluate(layoutFaults);
      if (found.sideways > 0 || found.offColumn.length > 0) faults[path] = found;
    }
    expect(checked.length).toBeGreaterThan(8);
    expect(faults).toEqual({});
  });

  it.each(WIDTHS)('shows search results without scrolling sideways, %i px wide', async (width) => {
    const db = querySnapshot(file);
    const who = file.includes('statusdb') ? 'who' : 'author';
    const author = db.prepare(`SELECT ${who} FROM changes WHERE ${who} LIKE '%<%' GROUP BY ${who} ORDER BY count(*) DESC LIMIT 1`).pluck().get() as string;
    db.close();
    const page = browserTab();
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${served().base}search/index.html?q=${encodeURIComponent(author.split('<')[0]!.trim())}&scope=all`);
    await page.waitForSelector('#search-results li', { timeout: 20_000 });
    expect(await page.evaluate(layoutFaults)).toEqual({ sideways: 0, offColumn: [] });
  });

  it("shows results on the console's first screen of a phone", async () => {
    const page = browserTab();
    await page.setViewportSize({ width: 390, height: 844 });
    const consoles = archiveFiles(served().out).filter((path) => /^console\/[^/]+\/index\.html$/.test(path));
    expect(consoles.length).toBeGreaterThan(0);
    for (const path of consoles) {
      await page.goto(pathToFileURL(`${served().out}/${path}`).href);
      const firstResult = await page.locator('table.console td.cell a.build').first().boundingBox();
      expect(firstResult, path).not.toBeNull();
      expect(firstResult!.y + firstResult!.height, path).toBeLessThanOrEqual(844);
      expect(firstResult!.x + firstResult!.width, path).toBeLessThanOrEqual(390);
    }
  });
});
