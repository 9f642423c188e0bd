// Eleventy's configuration for copra lives in src/render/eleventyConfig.ts, which copra's renderer
// loads compiled (lib/) or from source: this file serves Eleventy's own tools in the repository.
export { default } from './src/render/eleventyConfig.ts';
