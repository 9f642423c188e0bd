/**
 * copra's Nunjucks, handed to Eleventy as the `njk` template language (eleventy.config.ts).
 *
 * Eleventy's own Nunjucks engine builds an environment per run and compiles a paginated template
 * anew for every page; copra runs Eleventy once per window, so that meant compiling the includes
 * and macros once per window and the page template once per page. Here one environment lives as
 * long as the process: every template compiles once, however many windows it renders.
 */
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { CopraError } from '../errors.ts';
import filters from './filters.ts';

/** copra's templates: beside src/ (or lib/) in the repository and in the installed package. */
export const TEMPLATES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'templates');

/** Environments by templates overlay ('' for none): a process renders one archive, so one in practice. */
const environments = new Map<string, nunjucks.Environment>();

/** A --templates folder, checked before anything is read: its absolute path. */
export function templatesOverlay(dir: string): string {
  const path = resolve(dir);
  if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
    throw new CopraError(`--templates ${dir}: no such folder. It should hold _includes/ (layouts/base.njk, pages/<body>.njk) and assets/ to lay over copra's templates.`);
  }
  return path;
}

/**
 * The environment of a templates overlay (--templates), or of copra's own templates: the overlay's
 * `_includes/` is searched before copra's, so a user's `layouts/base.njk` or `pages/<body>.njk`
 * replaces copra's.
 */
function templateEnvironment(overlay: string | null): nunjucks.Environment {
  let environment = environments.get(overlay ?? '');
  if (!environment) {
    const includes = [...(overlay ? [join(overlay, '_includes')] : []), join(TEMPLATES_DIR, '_includes')];
    environment = new nunjucks.Environment(new nunjucks.FileSystemLoader(includes), { autoescape: true });
    filters(environment);
    environments.set(overlay ?? '', environment);
  }
  return environment;
}

/** Page templates, compiled once per overlay, by overlay, path and text. */
const compiled = new Map<string, nunjucks.Template>();

function compiledTemplate(overlay: string | null, source: string, inputPath: string): nunjucks.Template {
  const key = `${overlay ?? ''}\0${inputPath}\0${source}`;
  let template = compiled.get(key);
  if (!template) compiled.set(key, (template = new nunjucks.Template(source, templateEnvironment(overlay), inputPath, true)));
  return template;
}

/**
 * Eleventy's `addExtension` entry for `.njk` pages. A run's data names the templates overlay of
 * its build (eleventy.ts), so the template is picked when a page renders.
 */
export const nunjucksExtension = {
  // Not Eleventy's compile cache: its keys name the Eleventy run, so with one run per window it
  // compiled every template anew per window and kept each run's pages alive in the cache.
  compileOptions: { cache: false },
  compile(source: string, inputPath: string) {
    return (data: { templatesOverlay?: string | null }) => {
      const page = compiledTemplate(data.templatesOverlay ?? null, source, inputPath).render(data);
      // Nunjucks appends its output piece by piece, leaving a rope of small strings that Eleventy
      // keeps until the run ends; reading a character makes V8 flatten it into one string and
      // lets the pieces die young.
      page.charCodeAt(0);
      return page;
    };
  },
};
