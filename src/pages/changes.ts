import { type TimeView, timeView } from '../model/time.ts';
import type { Change } from '../model/types.ts';
import { webHref } from '../urls.ts';
import type { Site } from './site.ts';

export interface ChangeView {
  author: string | null;
  revision: string | null;
  branch: string | null;
  comments: string;
  /** The comment's full length when it was too long to show whole; null otherwise. */
  commentsCut: number | null;
  when: TimeView;
  files: string[];
  revlink: string | null;
}

/** Longer values are cut where pages show them: a 10 MB commit message would make a 10 MB page. */
export const MAX_SHOWN_CHARACTERS = 100_000;

/** A change as pages show it; `site` is told of a comment too long to show whole. */
export function changeView(change: Change, site: Site): ChangeView {
  const cut = change.comments.length > MAX_SHOWN_CHARACTERS;
  if (cut) site.warnings.add('size', `the comment of change ${change.id} has ${change.comments.length} characters; pages show the first ${MAX_SHOWN_CHARACTERS}`);
  return {
    author: change.author,
    revision: change.revision,
    branch: change.branch,
    comments: cut ? change.comments.slice(0, MAX_SHOWN_CHARACTERS) : change.comments,
    commentsCut: cut ? change.comments.length : null,
    when: timeView(change.when),
    files: change.files,
    revlink: webHref(change.revlink),
  };
}
