/**
 * statusdb's tables are latin1, but buildbot wrote UTF-8 bytes into them, so a dump shows
 * `æ—¥æœ¬èªž` for `日本語`. MySQL's latin1 is really Windows-1252; mapping each character back
 * to its cp1252 byte and reading the bytes as UTF-8 undoes that. Text is repaired only when every
 * character maps and the bytes are valid UTF-8: anything else was never mojibake, and stays.
 */

/** cp1252's 0x80–0x9F block, where it differs from latin1. */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';
const CP1252_BYTE = new Map([...CP1252_HIGH].map((char, index) => [char, 0x80 + index]));
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The byte a character came from, read as cp1252 or (for C1 controls) as latin1. */
function cp1252Byte(char: string): number | undefined {
  const code = char.charCodeAt(0);
  return code <= 0xff ? code : CP1252_BYTE.get(char);
}

export function repairMojibake(text: string): string {
  // Pure ASCII, or characters beyond cp1252: nothing to repair.
  if (!/[\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2122]/.test(text)) return text;
  const bytes: number[] = [];
  for (const char of text) {
    const byte = cp1252Byte(char);
    if (byte === undefined) return text;
    bytes.push(byte);
  }
  try {
    return utf8.decode(Uint8Array.from(bytes));
  } catch {
    return text;
  }
}

/** `repairMojibake` for nullable columns. */
export function repaired<T extends string | null>(text: T): T {
  return (text === null ? null : repairMojibake(text)) as T;
}
