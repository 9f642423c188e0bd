import { describe, expect, it } from 'vitest';
import { repairMojibake } from '../../src/snapshot/mojibake.ts';

/** What MySQL shows for UTF-8 bytes stored in a latin1 (really cp1252) column. */
function asMojibake(text: string): string {
  const decoder = ['€', '\u0081', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u008d', 'Ž', '\u008f', '\u0090', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u009d', 'ž', 'Ÿ'];
  return [...Buffer.from(text, 'utf8')].map((byte) => (byte >= 0x80 && byte < 0xa0 ? decoder[byte - 0x80] : String.fromCharCode(byte))).join('');
}

describe('repairMojibake', () => {
  it.each(['日本語', 'Müller <mueller@example.org>', '“quotes” – and — dashes €', 'Ünïcödé in a path/名前.txt'])(
    'restores %s from its mojibake',
    (text) => {
      const broken = asMojibake(text);
      expect(broken).not.toBe(text);
      expect(repairMojibake(broken)).toBe(text);
    },
  );

  it.each(['plain ascii', 'naïve café', 'Ærøskøbing', '日本語 already right', 'a lone Ã at the end Ã'])(
    'keeps %s, which does not round-trip, as it is',
    (text) => {
      expect(repairMojibake(text)).toBe(text);
    },
  );
});
