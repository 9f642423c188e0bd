import type { Sourcestamp } from '../model/types.ts';
import type { RecordReader } from '../record/reader.ts';
import { IN_JSON, groupBy, jsonIds } from '../record/sql.ts';
import { type PageUrl } from '../urls.ts';
import { type StampBuildsView, readStampBuilds } from './buildChips.ts';
import { type ChangeView, changeView } from './changes.ts';
import { type PageKind, cutByWeight, idSpan } from './kind.ts';
import { Linker, type PageBase, type Site, pageBase } from './site.ts';

export function changeUrl(id: number): PageUrl {
  return `change/${id}/`;
}

export interface ChangePage extends PageBase {
  change: ChangeView;
  repository: string | null;
  /** Every sourcestamp holding the change, with its first builds. */
  stamps: StampBuildsView[];
}

/** Some changes, by id: each page reads the first builds of the change's sourcestamps. */
export interface ChangePart {
  ids: number[];
}

/** A page per change: who, when, what, and the builds of every sourcestamp that holds it. */
export const changeKind: PageKind<ChangePart> = {
  name: 'change',
  body: 'change',
  folder: 'change',
  plan: ({ record, options }) => changeParts(record.changeIds(), options.buildsPerWindow),
  // A change's page shows its stamps' builds: a stamp that changed changes the pages of its changes.
  changed: ({ record, options }) => {
    const ids = new Set([...record.changedChanges(), ...record.changeIds(record.changedSourcestamps())]);
    return changeParts([...ids].sort((a, b) => a - b), options.buildsPerWindow);
  },
  pageCount: (part) => part.ids.length,
  weight: (part) => part.ids.length,
  describe: (part) => `changes ${idSpan(part.ids)}`,
  pages: ({ record, site }, part) => changePages(record, site, part.ids),
};

const changeParts = (ids: readonly number[], budget: number): ChangePart[] => Array.from(cutByWeight(ids, () => 1, budget), (run) => ({ ids: run }));

function changePages(record: RecordReader, site: Site, ids: readonly number[]): ChangePage[] {
  const stampsOf = stampsOfChanges(record, ids);
  const stampBuilds = readStampBuilds(record, [...new Set([...stampsOf.values()].flat().map((stamp) => stamp.id))]);
  return record.changesWithIds(ids).map((change) => {
    const link = new Linker(changeUrl(change.id), site);
    const title = [`Change ${change.id}`, change.revision && `(${change.revision.slice(0, 12)})`, change.author && `by ${change.author}`];
    return {
      ...pageBase(link, site, title.filter(Boolean).join(' '), { above: [link.section('changes')] }),
      change: changeView(change, link),
      repository: change.repository,
      stamps: (stampsOf.get(change.id) ?? []).map((stamp) => stampBuilds(stamp.id, stamp, site, link)),
    };
  });
}

/** The sourcestamps holding each of these changes, ascending. */
function stampsOfChanges(record: RecordReader, changeIds: readonly number[]): Map<number, Sourcestamp[]> {
  const rows = record
    .statement(
      `SELECT sc.changeid, s.id, s.branch, s.revision, s.repository, s.project, s.codebase
       FROM stamp_changes sc JOIN sourcestamps s ON s.id = sc.sourcestampid
       WHERE sc.changeid ${IN_JSON} ORDER BY sc.changeid, s.id`,
    )
    .all(jsonIds(changeIds)) as (Sourcestamp & { changeid: number })[];
  const byChange = groupBy(rows, (row) => row.changeid);
  return new Map([...byChange].map(([changeId, stamps]) => [changeId, stamps.map(({ changeid: _, ...stamp }) => stamp)]));
}
