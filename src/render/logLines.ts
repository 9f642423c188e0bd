import type { LineView } from '../pages/logView.ts';
import { ansiToHtml, escapeHtml } from './ansi.ts';

/**
 * Log lines as compact HTML for a `<pre>`: logs run to millions of lines, so this is plain string
 * building rather than a template include per line. Each line is numbered and anchored (`#L12`);
 * its stream and error/warning kind are classes (styled so they read without colour too).
 */
export function logLinesHtml(lines: readonly LineView[], anchored = true): string {
  let html = '';
  for (const line of lines) {
    const classes = [line.stream && line.stream !== 'o' ? `s-${line.stream}` : '', line.kind ? `k-${line.kind}` : '']
      .filter(Boolean)
      .join(' ');
    const href = escapeHtml(line.href ?? `#L${line.n}`);
    const text = line.missing === null ? ansiToHtml(line.text) : `<i class="missing">[line could not be read: ${escapeHtml(line.missing)}]</i>`;
    // Excerpts (failure summaries) link to the lines but do not claim their anchors. Line numbers
    // stay links, out of the Tab order: a long log would be thousands of stops.
    const id = anchored ? ` id="L${line.n}"` : '';
    html += `<span${id}${classes ? ` class="${classes}"` : ''}><a href="${href}" tabindex="-1">${line.n}</a>${text}</span>`;
  }
  return html;
}
