import Eleventy from '@11ty/eleventy';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import type { PageSet } from '../pages/plan.ts';

// Eleventy loads eleventy.config.ts with Node's own import(): that needs tsx's loader in this
// process, whoever started it (the CLI, a render worker, the test runner).
register();

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TEMPLATES_DIR = join(ROOT, 'templates');
const CONFIG_PATH = join(ROOT, 'eleventy.config.ts');

/**
 * Renders one window of page models into `outDir` with a fresh Eleventy run: the run holds only
 * this window, so memory stays bounded however large the snapshot is.
 */
export async function renderPages(pages: PageSet, outDir: string): Promise<void> {
  const eleventy = new Eleventy(TEMPLATES_DIR, outDir, {
    configPath: CONFIG_PATH,
    quietMode: true,
    config: (eleventyConfig: { addGlobalData(name: string, data: unknown): void }) => {
      eleventyConfig.addGlobalData('pages', pages);
    },
  });
  // The build reports its own progress; Eleventy's per-run summary would be noise.
  eleventy.disableLogger();
  await eleventy.write();
}
