import sanitize from 'sanitize-html';

/**
 * HTML logs (buildbot writes them for exceptions) shown as HTML, made inert: no scripts, event
 * handlers, styles that could overlay the page, frames or forms; links only to web addresses.
 */
export function sanitizeLogHtml(html: string): string {
  return sanitize(html, {
    allowedTags: [
      'a', 'b', 'br', 'code', 'div', 'em', 'h1', 'h2', 'h3', 'h4', 'hr', 'i', 'li', 'ol', 'p', 'pre',
      'span', 'strong', 'table', 'tbody', 'td', 'th', 'thead', 'tr', 'tt', 'ul',
    ],
    allowedAttributes: { a: ['href', 'title'], '*': ['class'] },
    allowedSchemes: ['http', 'https'],
    // Tags that are dropped take their text with them where the text is code or styling.
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object'],
  });
}
