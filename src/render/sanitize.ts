import sanitize from 'sanitize-html';
import { webHref } from '../urls.ts';

/**
 * HTML logs (buildbot writes them for exceptions) shown as HTML, made inert: no scripts, event
 * handlers, styles that could overlay the page, frames or forms; links only to web addresses.
 */
export function sanitizeLogHtml(html: string): string {
  return sanitize(html, {
    allowedTags: [
      'a', 'b', 'br', 'code', 'div', 'em', 'h1', 'h2', 'h3', 'h4', 'hr', 'i', 'li', 'ol', 'p', 'pre',
      'span', 'strong', 'table', 'tbody', 'td', 'th', 'thead', 'tr', 'ul',
    ],
    allowedAttributes: { a: ['href', 'title'], '*': ['class'] },
    allowedSchemes: ['http', 'https'],
    transformTags: {
      // A relative link or an anchor would lead into the archive, where nothing of the log's is.
      a: (tagName, { href, ...attribs }) => {
        const target = webLink(href);
        return { tagName, attribs: target === null ? attribs : { ...attribs, href: target } };
      },
      // HTML has made <tt> obsolete; <code> shows the same.
      tt: 'code',
    },
    // Tags that are dropped take their text with them where the text is code or styling.
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object'],
  });
}

/** An absolute web address as a valid href (spaces escaped), or null. */
function webLink(href: string | undefined): string | null {
  const url = webHref(href ?? null);
  return url !== null && URL.canParse(url) ? new URL(url).href : null;
}
