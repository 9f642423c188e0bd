/**
 * Eleventy's view of copra: how the templates are laid out and which template language renders
 * them. The pages themselves come from eleventy.ts, which names the template directory (absolute,
 * so copra runs from any working directory) and adds one window of page models as global data
 * (`pages`) to each run. The repository's eleventy.config.ts is this file, for Eleventy's tools.
 *
 * templates/<kind>.njk paginates over `pages.<kind>`, one page each, and only includes
 * `_includes/pages/<kind>.njk`, which extends `_includes/layouts/base.njk` itself: no Eleventy
 * layout pass. `.njk` is copra's own Nunjucks (nunjucks.ts), compiled once per process.
 */
import type { EleventyUserConfig } from '@11ty/eleventy';
import { nunjucksExtension } from './nunjucks.ts';

export default function (eleventyConfig: EleventyUserConfig) {
  eleventyConfig.addExtension('njk', nunjucksExtension);
  // Installed, copra's templates live under node_modules/, which Eleventy skips by default; and
  // the .gitignore of whatever folder copra runs in has nothing to say about them.
  eleventyConfig.ignores.delete('**/node_modules/**');
  eleventyConfig.setUseGitIgnore(false);
  return {
    dir: { includes: '_includes' },
    templateFormats: ['njk'],
  };
}
