/**
 * The pages as a visitor sees them in Chromium, on a desktop and on a phone: one page of every
 * kind of both fixture archives, plus the build pages with the most steps and properties. No page
 * scrolls sideways (long words wrap; only a log's box may scroll), and every table's header cells
 * sit over the columns of its rows (a cell spanning columns over all of them).
 */
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, archiveFiles, fixtureArchive, oneOfEachKind, querySnapshot } from '../helpers/archive.ts';
import { browserPage } from '../helpers/browser.ts';

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

describe.each(FIXTURES)('the layout of the $name fixture archive', ({ file, archive }) => {
  let out = '';
  beforeAll(async () => {
    out = await fixtureArchive(archive);
  });
  const browserTab = browserPage();

  it.each(WIDTHS)('neither scrolls sideways nor moves a header off its column, %i px wide', async (width) => {
    const pages = archiveFiles(out).filter((path) => path.endsWith('.html') && !path.startsWith('.copra/'));
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
    const checked = [...new Set([...oneOfEachKind(pages), ...widest.map((id) => `build/${id}/index.html`)])];

    const page = browserTab();
    await page.setViewportSize({ width, height: 900 });
    const faults: Record<string, ReturnType<typeof layoutFaults>> = {};
    for (const path of checked) {
      await page.goto(pathToFileURL(`${out}/${path}`).href);
      const found = await page.evaluate(layoutFaults);
      if (found.sideways > 0 || found.offColumn.length > 0) faults[path] = found;
    }
    expect(checked.length).toBeGreaterThan(8);
    expect(faults).toEqual({});
  });
});
