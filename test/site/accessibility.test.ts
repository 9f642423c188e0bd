/**
 * axe-core in Chromium over one page of every kind of each fixture archive (of the buildbot 4.3
 * one, the pages only it has), served over HTTP as a visitor meets them: the longest log, the builders board and the search page showing results
 * included. WCAG 2.0 and 2.1, levels A and AA, no rule disabled and no element left out: contrast,
 * names, landmarks and focus are part of every page.
 */
import { createRequire } from 'node:module';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_FIXTURES, archiveFiles, pagesToCheck, querySnapshot } from '../helpers/archive.ts';
import { browserPage, servedFixture } from '../helpers/browser.ts';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const WCAG_2_A_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

interface Violation {
  rule: string;
  nodes: number;
  first: string;
}

describe.each(ALL_FIXTURES)('the $name fixture archive in axe-core', ({ file, archive }) => {
  const served = servedFixture(archive);
  const browserTab = browserPage();

  it('finds no WCAG 2 A or AA violation on a page of any kind, the longest log and search results included', async () => {
    const { out, base } = served();
    const pages = archiveFiles(out).filter((path) => path.endsWith('.html') && !path.startsWith('.copra/'));
    const logs = pages.filter((path) => /^build\/\d+\/log\/\d+\/index\.html$/.test(path));
    const longestLog = logs.reduce<string | null>((longest, path) => (longest === null || statSync(join(out, path)).size > statSync(join(out, longest)).size ? path : longest), null);
    const db = querySnapshot(file);
    const builder = db.prepare('SELECT name FROM builders ORDER BY id LIMIT 1').pluck().get() as string;
    db.close();
    const checked = [...new Set([...pagesToCheck(archive, out, pages), 'builders/index.html', ...(longestLog ? [longestLog] : [])])];

    const page = browserTab();
    await page.setViewportSize({ width: 1280, height: 900 });
    const audit = async (): Promise<Violation[]> => {
      await page.addScriptTag({ path: AXE });
      return page.evaluate(async (tags) => {
        const { violations } = await (window as unknown as { axe: typeof import('axe-core') }).axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
        return violations.map((violation) => ({ rule: violation.id, nodes: violation.nodes.length, first: `${violation.nodes[0]?.target.join(' ')}: ${violation.nodes[0]?.failureSummary}` }));
      }, WCAG_2_A_AA);
    };
    const found: Record<string, Violation[]> = {};
    for (const path of checked) {
      await page.goto(`${base}${path}`);
      const violations = await audit();
      if (violations.length > 0) found[path] = violations;
    }
    await page.goto(`${base}search/index.html?q=${encodeURIComponent(builder)}&scope=all`);
    await page.waitForSelector('#search-results li', { timeout: 20_000 });
    const searchViolations = await audit();
    if (searchViolations.length > 0) found['search/index.html?q=…'] = searchViolations;

    expect(checked.length).toBeGreaterThan(8);
    expect(found).toEqual({});
  });
});
