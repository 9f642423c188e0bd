import { parseJsonOr } from '../snapshot/sql.ts';

/**
 * A property's stored JSON as a person reads it: strings without quotes, numbers and booleans as
 * written, lists and objects indented. Text that is not JSON is shown as stored.
 */
export function readableJson(json: string): string {
  const value = parseJsonOr(json, json);
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') return JSON.stringify(value, null, 2);
  return String(value);
}

/** Whether stored text is JSON, as property values should be. */
export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
