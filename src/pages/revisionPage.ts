import type { Snapshot } from '../snapshot/types.ts';
import { groupBy } from '../snapshot/sql.ts';
import { urls } from '../urls.ts';
import { type StampBuildsView, readStampBuilds } from './buildChips.ts';
import { type ChangeView, changeView } from './changes.ts';
import { type PageKind, cutByWeight } from './kind.ts';
import { Linker, type PageBase, type Site, pageBase } from './site.ts';

export interface RevisionPage extends PageBase {
  revision: string;
  /** Changes with this revision: usually one, one per branch where it was merged. */
  changes: ChangeView[];
  /** Every sourcestamp with this revision, with its first builds by platform. */
  stamps: (StampBuildsView & { repository: string | null })[];
}

/** Some revisions, sorted. */
export interface RevisionPart {
  revisions: string[];
}

/** A page per revision of a change or a sourcestamp: buildbot's "builds for a revision". */
export const revisionKind: PageKind<RevisionPart> = {
  name: 'revision',
  template: 'revision',
  plan: ({ snapshot, options }) => revisionParts(snapshot.revisions(), options.buildsPerWindow),
  changed: ({ snapshot, options }) =>
    revisionParts(snapshot.revisions({ changeIds: snapshot.changedChanges(), stampIds: snapshot.changedSourcestamps() }), options.buildsPerWindow),
  pageCount: (part) => part.revisions.length,
  weight: (part) => part.revisions.length,
  describe: (part) => `revisions ${part.revisions[0]?.slice(0, 12)}–${part.revisions.at(-1)?.slice(0, 12)}`,
  pages: ({ snapshot, site }, part) => revisionPages(snapshot, site, part.revisions),
};

const revisionParts = (revisions: readonly string[], budget: number): RevisionPart[] =>
  Array.from(cutByWeight(revisions, () => 1, budget), (run) => ({ revisions: run }));

function revisionPages(snapshot: Snapshot, site: Site, revisions: readonly string[]): RevisionPage[] {
  const changes = groupBy(snapshot.changesWithRevisions(revisions), (change) => change.revision!);
  const stamps = groupBy(snapshot.sourcestampsWithRevisions(revisions), (stamp) => stamp.revision!);
  const stampBuilds = readStampBuilds(snapshot, [...stamps.values()].flat().map((stamp) => stamp.id));
  return revisions.map((revision) => {
    const link = new Linker(urls.revision(revision), site);
    return {
      ...pageBase(link, site, `Revision ${revision.slice(0, 12)}`, { above: [link.section('changes')] }),
      revision,
      changes: (changes.get(revision) ?? []).map((change) => changeView(change, site, link)),
      stamps: (stamps.get(revision) ?? []).map((stamp) => ({ ...stampBuilds(stamp.id, stamp, site, link), repository: stamp.repository })),
    };
  });
}
