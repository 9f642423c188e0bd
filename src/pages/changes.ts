import { formatTime } from '../model/time.ts';
import type { Change } from '../model/types.ts';

export interface ChangeView {
  author: string | null;
  revision: string | null;
  branch: string | null;
  comments: string;
  when: string | null;
  files: string[];
  revlink: string | null;
}

export function changeView(change: Change): ChangeView {
  return {
    author: change.author,
    revision: change.revision,
    branch: change.branch,
    comments: change.comments,
    when: formatTime(change.when),
    files: change.files,
    revlink: safeRevlink(change.revlink),
  };
}

/** Only web links become links: a stored `javascript:` URL must not run. */
function safeRevlink(revlink: string | null): string | null {
  return revlink !== null && /^https?:\/\//i.test(revlink) ? revlink : null;
}
