import { type TimeView, timeView } from '../model/time.ts';
import type { Change } from '../model/types.ts';
import { webHref } from '../urls.ts';
import { changeUrl } from './changePage.ts';
import { revisionUrl } from './revisionPage.ts';
import type { Linker } from './site.ts';

export interface ChangeView {
  id: number;
  /** The change's own page. */
  href: string;
  /** The revision's page; null without a revision. */
  revisionHref: string | null;
  author: string | null;
  revision: string | null;
  branch: string | null;
  comments: string;
  /** The comment's full length when it was too long to show whole; null otherwise. */
  commentsCut: number | null;
  when: TimeView;
  files: string[];
  revlink: string | null;
  codebase: string | null;
}

/** Longer values are cut where pages show them: a 10 MB commit message would make a 10 MB page. */
export const MAX_SHOWN_CHARACTERS = 100_000;

/** A change as the page `link` is for shows it; `link` notes a comment too long to show whole. */
export function changeView(change: Change, link: Linker): ChangeView {
  const cut = change.comments.length > MAX_SHOWN_CHARACTERS;
  if (cut) link.warn('size', `the comment of change ${change.id} has ${change.comments.length} characters; pages show the first ${MAX_SHOWN_CHARACTERS}`);
  return {
    id: change.id,
    href: link.to(changeUrl(change.id)),
    revisionHref: change.revision ? link.to(revisionUrl(change.revision)) : null,
    author: change.author,
    revision: change.revision,
    branch: change.branch,
    comments: cut ? change.comments.slice(0, MAX_SHOWN_CHARACTERS) : change.comments,
    commentsCut: cut ? change.comments.length : null,
    when: timeView(change.when),
    files: change.files.map(gitUnquoted),
    revlink: webHref(change.revlink),
    codebase: change.codebase,
  };
}

const C_ESCAPES: Record<string, number> = { '\\': 0x5c, '"': 0x22, a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A file name as git quotes it (core.quotePath: bytes outside ASCII as octal escapes, `"…"` around
 * the name, which pollers often strip) decoded to the name people read: `\346\227\245` → `日`.
 * A name without octal escapes, or whose bytes are not UTF-8, is shown as stored.
 */
export function gitUnquoted(name: string): string {
  if (!/\\[0-3][0-7]{2}/.test(name)) return name;
  const quoted = name.length > 1 && name.startsWith('"') && name.endsWith('"') ? name.slice(1, -1) : name;
  const bytes: number[] = [];
  for (let index = 0; index < quoted.length; index++) {
    const char = String.fromCodePoint(quoted.codePointAt(index)!);
    const octal = char === '\\' ? /^[0-3][0-7]{2}/.exec(quoted.slice(index + 1)) : null;
    if (octal) {
      bytes.push(parseInt(octal[0], 8));
      index += 3;
    } else if (char === '\\' && quoted[index + 1]! in C_ESCAPES) {
      bytes.push(C_ESCAPES[quoted[++index]!]!);
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
      index += char.length - 1;
    }
  }
  try {
    return strictUtf8.decode(Uint8Array.from(bytes));
  } catch {
    return name;
  }
}
