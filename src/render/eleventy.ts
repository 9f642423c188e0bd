import Eleventy from '@11ty/eleventy';
import type { EleventyRunConfig } from '@11ty/eleventy';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PageSet } from '../pages/plan.ts';
import { siblingModule } from './modules.ts';
import { TEMPLATES_DIR } from './nunjucks.ts';

const CONFIG_PATH = siblingModule('eleventyConfig', import.meta.url);
// Eleventy loads its configuration with Node's own import(): TypeScript needs tsx's loader in this
// process, whoever started it (the CLI, a render worker, the test runner).
if (CONFIG_PATH.endsWith('.ts')) (await import('tsx/esm/api')).register();

/**
 * An Eleventy run over one window of page models, with the templates overlay of its build: the
 * overlay travels with the run's data, so no two builds in one process share it by accident.
 */
function eleventyRun(pages: PageSet, outDir: string, templatesOverlay: string | null): Eleventy {
  const eleventy = new Eleventy(TEMPLATES_DIR, outDir, {
    configPath: CONFIG_PATH,
    quietMode: true,
    config: (eleventyConfig: EleventyRunConfig) => {
      eleventyConfig.addGlobalData('pages', pages);
      eleventyConfig.addGlobalData('templatesOverlay', templatesOverlay);
    },
  });
  // The build reports its own progress; Eleventy's per-run summary would be noise.
  eleventy.disableLogger();
  return eleventy;
}

/**
 * Renders one window of page models into `outDir` with a fresh Eleventy run: the run holds only
 * this window, so memory stays bounded however large the snapshot is.
 */
export async function renderPages(pages: PageSet, outDir: string, templatesOverlay: string | null): Promise<void> {
  const [, written] = await eleventyRun(pages, outDir, templatesOverlay).write();
  // Eleventy skips templates it is told to ignore without a word: a page missing here would be
  // missing from the archive.
  if (written.length !== pages.length) {
    throw new Error(`Eleventy wrote ${written.length} of ${pages.length} pages from the templates in ${TEMPLATES_DIR}`);
  }
}

/** Renders page models as `renderPages` does, writing nothing: the bytes of each page. */
export async function renderedSizes(pages: PageSet, templatesOverlay: string | null): Promise<number[]> {
  // Eleventy wants an output folder even when it writes none: one that is never made.
  const rendered = await eleventyRun(pages, join(tmpdir(), 'copra-not-written'), templatesOverlay).toJSON();
  return rendered.map((page) => Buffer.byteLength(page.content));
}
