/**
 * The log viewer (templates/assets/log.js) in Chromium, on the buildbot fixture's archive: a failed
 * step's log opens at its first error, wholly visible just below the sticky toolbar; n and p walk
 * the errors, `#L10-L20` and shift-click select a range of lines, and the wrap toggle switches how
 * long lines show.
 */
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILDBOT_FIXTURE, fixtureArchive, querySnapshot, readPage } from '../helpers/archive.ts';
import { browserPage } from '../helpers/browser.ts';

describe('the log viewer', () => {
  let out = '';
  beforeAll(async () => {
    out = await fixtureArchive('buildbot');
  });
  const browserTab = browserPage();
  /** A failed step's log with at least three error lines, and those lines' numbers. */
  let log: { url: string; errors: number[] };

  beforeAll(() => {
    const db = querySnapshot(BUILDBOT_FIXTURE);
    const candidates = db
      .prepare('SELECT s.buildid, l.id FROM logs l JOIN steps s ON s.id = l.stepid WHERE s.results = 2 ORDER BY l.num_lines DESC')
      .all() as { buildid: number; id: number }[];
    db.close();
    for (const { buildid, id } of candidates) {
      const url = `build/${buildid}/log/${id}/`;
      const errors = readPage(out, url)
        .querySelectorAll('.log-view pre.log > span.k-error[id]')
        .map((line) => Number(line.getAttribute('id')!.slice(1)));
      if (errors.length >= 3) {
        log = { url, errors };
        return;
      }
    }
    throw new Error('the fixture has no failed step whose log has three error lines');
  });

  const open = async (hash = '') => {
    const page = browserTab();
    await page.goto('about:blank');
    await page.goto(pathToFileURL(`${out}/${log.url}index.html`).href + hash);
    return page;
  };
  const selected = () => browserTab().evaluate(() => [...document.querySelectorAll('pre.log > span.selected')].map((line) => Number(line.id.slice(1))));

  it("opens a failed step's log at its first error", async () => {
    const page = await open();
    expect(await page.evaluate(() => location.hash)).toBe(`#L${log.errors[0]}`);
    expect(await selected()).toEqual([log.errors[0]]);
  });

  it.each([1280, 390])('shows the first error wholly, just below its toolbar, %i px wide', async (width) => {
    const page = browserTab();
    await page.setViewportSize({ width, height: 800 });
    await open();
    const { toolbar, line, viewport } = await page.evaluate((id) => {
      const box = (element: Element) => {
        const { top, bottom } = element.getBoundingClientRect();
        return { top, bottom };
      };
      return { toolbar: box(document.querySelector('.log-tools')!), line: box(document.getElementById(id)!), viewport: innerHeight };
    }, `L${log.errors[0]}`);
    expect(line.top).toBeGreaterThanOrEqual(toolbar.bottom - 1);
    expect(line.top - toolbar.bottom).toBeLessThan(40);
    expect(line.bottom).toBeLessThanOrEqual(viewport);
  });

  it('walks the errors with n and p, and with its buttons', async () => {
    const page = await open();
    await page.keyboard.press('n');
    expect(await page.evaluate(() => location.hash)).toBe(`#L${log.errors[1]}`);
    await page.keyboard.press('n');
    expect(await page.evaluate(() => location.hash)).toBe(`#L${log.errors[2]}`);
    await page.keyboard.press('p');
    expect(await page.evaluate(() => location.hash)).toBe(`#L${log.errors[1]}`);
    await page.getByRole('button', { name: '↑ previous error' }).click();
    expect(await page.evaluate(() => location.hash)).toBe(`#L${log.errors[0]}`);
    await page.getByRole('button', { name: '↓ next error' }).click();
    expect(await page.evaluate(() => location.hash)).toBe(`#L${log.errors[1]}`);
  });

  it('selects the range a link names, and not the first error then', async () => {
    const page = await open('#L3-L5');
    expect(await selected()).toEqual([3, 4, 5]);
    expect(await page.evaluate(() => location.hash)).toBe('#L3-L5');
  });

  it('selects a range with a click on one line number and a shift-click on another', async () => {
    const page = await open('#L1');
    await page.locator('#L2 > a').first().click();
    await page.locator('#L6 > a').first().click({ modifiers: ['Shift'] });
    expect(await page.evaluate(() => location.hash)).toBe('#L2-L6');
    expect(await selected()).toEqual([2, 3, 4, 5, 6]);
  });

  it('switches long lines between wrapped and scrolled', async () => {
    const page = await open();
    const whiteSpace = () => page.evaluate(() => getComputedStyle(document.querySelector('.log-view pre.log')!).whiteSpace);
    expect(await whiteSpace()).toBe('pre-wrap');
    await page.getByRole('button', { name: 'no wrap' }).click();
    expect(await whiteSpace()).toBe('pre');
    await page.getByRole('button', { name: 'wrap', exact: true }).click();
    expect(await whiteSpace()).toBe('pre-wrap');
  });
});
