/** Formatting filters for templates: presentation only, never data lookups. */

const thousands = new Intl.NumberFormat('en-US');

export default function filters(eleventyConfig: { addFilter(name: string, filter: (...args: never[]) => unknown): void }) {
  /** 1234567 → "1,234,567". */
  eleventyConfig.addFilter('thousands', (count: number) => thousands.format(count));
  /** "3cae0f590f0a46ac…" → "3cae0f590f0a": revisions as people quote them. */
  eleventyConfig.addFilter('shortRevision', (revision: string | null) => (revision ?? '').slice(0, 12));
}
