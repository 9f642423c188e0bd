import Eleventy from '@11ty/eleventy';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import type { EleventyRunConfig } from '@11ty/eleventy';
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
    config: (eleventyConfig: EleventyRunConfig) => {
      eleventyConfig.addGlobalData('pages', pages);
      // Eleventy warns on the console when one filter takes a large share of a run; for copra's
      // log lines that is by design, and the build reports its own timings.
      eleventyConfig.benchmarkManager.get('Configuration').setIsVerbose(false);
    },
  });
  // The build reports its own progress; Eleventy's per-run summary would be noise.
  eleventy.disableLogger();
  await eleventy.write();
}
