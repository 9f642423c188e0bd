import { type TimeView, timeView } from '../model/time.ts';
import type { Change } from '../model/types.ts';
import { webHref } from '../urls.ts';

export interface ChangeView {
  author: string | null;
  revision: string | null;
  branch: string | null;
  comments: string;
  when: TimeView;
  files: string[];
  revlink: string | null;
}

export function changeView(change: Change): ChangeView {
  return {
    author: change.author,
    revision: change.revision,
    branch: change.branch,
    comments: change.comments,
    when: timeView(change.when),
    files: change.files,
    revlink: webHref(change.revlink),
  };
}
