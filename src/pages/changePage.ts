import type { Snapshot } from '../snapshot/types.ts';
import { urls } from '../urls.ts';
import { type StampBuildsView, readStampBuilds } from './buildChips.ts';
import { type ChangeView, changeView } from './changes.ts';
import { type PageKind, cutByWeight, idSpan } from './kind.ts';
import { Linker, type PageBase, type Site, pageBase } from './site.ts';

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
  template: 'change',
  plan: ({ snapshot, options }) => changeParts(snapshot.changeIds(), options.buildsPerWindow),
  // A change's page shows its stamps' builds: a stamp that changed changes the pages of its changes.
  changed: ({ snapshot, options }) => {
    const ids = new Set([...snapshot.changedChanges(), ...snapshot.changeIds(snapshot.changedSourcestamps())]);
    return changeParts([...ids].sort((a, b) => a - b), options.buildsPerWindow);
  },
  pageCount: (part) => part.ids.length,
  weight: (part) => part.ids.length,
  describe: (part) => `changes ${idSpan(part.ids)}`,
  pages: ({ snapshot, site }, part) => changePages(snapshot, site, part.ids),
};

const changeParts = (ids: readonly number[], budget: number): ChangePart[] => Array.from(cutByWeight(ids, () => 1, budget), (run) => ({ ids: run }));

function changePages(snapshot: Snapshot, site: Site, ids: readonly number[]): ChangePage[] {
  const stampsOf = snapshot.stampsOfChanges(ids);
  const stampBuilds = readStampBuilds(snapshot, [...new Set([...stampsOf.values()].flat().map((stamp) => stamp.id))]);
  return snapshot.changesWithIds(ids).map((change) => {
    const link = new Linker(urls.change(change.id), site);
    const title = [`Change ${change.id}`, change.revision && `(${change.revision.slice(0, 12)})`, change.author && `by ${change.author}`];
    return {
      ...pageBase(link, site, title.filter(Boolean).join(' '), { above: [link.section('changes')] }),
      change: changeView(change, site, link),
      repository: change.repository,
      stamps: (stampsOf.get(change.id) ?? []).map((stamp) => stampBuilds(stamp.id, stamp, site, link)),
    };
  });
}
