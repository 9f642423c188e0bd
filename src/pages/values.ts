/**
 * A property's stored JSON as a person reads it: strings without quotes, numbers and booleans as
 * written, lists and objects indented. Text that is not JSON (`json` false) is shown as stored.
 */
export function readableProperty(stored: string): { text: string; json: boolean } {
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    return { text: stored, json: false };
  }
  if (typeof value === 'string') return { text: value, json: true };
  if (value !== null && typeof value === 'object') return { text: JSON.stringify(value, null, 2), json: true };
  return { text: String(value), json: true };
}

/** A sourcestamp's branch as every page names it; the one name for stamps without one. */
export const branchName = (branch: string | null): string => branch ?? 'no branch';
