/**
 * Eleventy's view of copra: how the templates are laid out and which filters they may use. The
 * pages themselves come from `src/render/eleventy.ts`, which names the template directory
 * (absolute, so copra runs from any working directory) and adds one window of page models as global
 * data (`pages`) to each run.
 *
 * templates/<kind>.njk paginates over `pages.<kind>`, one page each, and only includes
 * `_includes/pages/<kind>.njk`: Eleventy 3.1 compiles a paginated template anew for every page,
 * while an include is compiled once per run.
 */
import filters from './src/render/filters.ts';

export default function (eleventyConfig: { addPlugin(plugin: unknown): void }) {
  eleventyConfig.addPlugin(filters);
  return {
    dir: { includes: '_includes', layouts: '_includes/layouts' },
    templateFormats: ['njk'],
    htmlTemplateEngine: 'njk',
  };
}
