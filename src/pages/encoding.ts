import type { PageBase } from './site.ts';

/** What text that was not valid UTF-8 in the snapshot becomes when it is read. */
const REPLACEMENT_CHARACTER = '\uFFFD';

/** Walks the model without allocating: it runs once for every page. */
function holdsReplacement(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(REPLACEMENT_CHARACTER);
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (const item of value) if (holdsReplacement(item)) return true;
    return false;
  }
  for (const key in value) if (holdsReplacement((value as Record<string, unknown>)[key])) return true;
  return false;
}

/**
 * Marks a page whose text was not valid UTF-8 in the record. SQLite hands such bytes over as
 * stored and reading them turns each bad sequence into U+FFFD; no row says which of its columns
 * were damaged, so the page model is searched as a whole, whatever its kind.
 */
export function markUndecodableText(page: PageBase): void {
  if (!holdsReplacement(page)) return;
  page.undecodable = true;
  page.warnings.push({ problem: 'encoding', detail: `page ${page.url || '(home)'} shows text that is not valid UTF-8 as �` });
}
