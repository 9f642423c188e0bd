import sanitize from 'sanitize-html';
import { webHref } from '../urls.ts';

/**
 * The classes of the failure pages Twisted formats, which is what buildbot's HTML logs are. Any
 * other class is dropped: one of copra's own (`r-success`, `log-tools`) would let a log dress up
 * as the archive's results or pin itself over the page.
 */
const TWISTED_FAILURE_CLASSES = [
  'error', 'stackTrace', 'frame', 'firstFrame', 'location', 'function', 'snippet', 'snippetLine',
  'snippetHighlightLine', 'lineno', 'code', 'variables', 'variableClass', 'dict', 'dictKey', 'dictValue',
  'instance', 'instanceName', 'instanceVariables', 'instanceVariable',
];

/**
 * HTML logs (buildbot writes them for exceptions) shown as HTML, made inert: no scripts, event
 * handlers, styles or classes that could overlay the page, frames or forms; links only to web
 * addresses.
 */
export function sanitizeLogHtml(html: string): string {
  return sanitize(html, {
    allowedTags: [
      'a', 'b', 'br', 'code', 'div', 'em', 'h1', 'h2', 'h3', 'h4', 'hr', 'i', 'li', 'ol', 'p', 'pre',
      'span', 'strong', 'table', 'tbody', 'td', 'th', 'thead', 'tr', 'ul',
    ],
    allowedAttributes: { a: ['href', 'title'] },
    allowedClasses: { '*': TWISTED_FAILURE_CLASSES },
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
