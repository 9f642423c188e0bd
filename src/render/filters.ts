/**
 * Formatting filters for templates: presentation only, never data lookups. `logLines` and
 * `sanitizeHtml` escape or clean what they are given themselves; templates mark only their output
 * safe.
 */
import type { LineView } from '../pages/logView.ts';
import { logLinesHtml } from './logLines.ts';
import { sanitizeLogHtml } from './sanitize.ts';

const thousands = new Intl.NumberFormat('en-US');

export default function filters(eleventyConfig: { addFilter(name: string, filter: (...args: never[]) => unknown): void }) {
  /** 1234567 → "1,234,567". */
  eleventyConfig.addFilter('thousands', (count: number) => thousands.format(count));
  /** "3cae0f590f0a46ac…" → "3cae0f590f0a": revisions as people quote them. */
  eleventyConfig.addFilter('shortRevision', (revision: string | null) => (revision ?? '').slice(0, 12));
  /** Numbered, anchored log lines, escaped. */
  eleventyConfig.addFilter('logLines', (lines: LineView[], anchored = true) => logLinesHtml(lines, anchored));
  /** Text without the characters XML 1.0 cannot hold (controls, lone surrogates): for feeds. */
  eleventyConfig.addFilter('xmlText', (text: string) => text.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD'));
  /** An HTML log, made inert. */
  eleventyConfig.addFilter('sanitizeHtml', (html: string) => sanitizeLogHtml(html));
}
