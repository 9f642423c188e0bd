import type { Change, Sourcestamp } from '../model/types.ts';
import { type RecordReader, withoutStamp } from '../record/reader.ts';
import { IN_JSON, groupBy, jsonIds } from '../record/sql.ts';
import { type PageUrl, pathSegment } from '../urls.ts';
import { type StampBuildsView, readStampBuilds } from './buildChips.ts';
import { type ChangeView, changeView } from './changes.ts';
import { type PageKind, cutByWeight } from './kind.ts';
import { Linker, type PageBase, type Site, pageBase } from './site.ts';

export function revisionUrl(revision: string): PageUrl {
  return `revision/${pathSegment(revision)}/`;
}

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
  body: 'revision',
  folder: 'revision',
  plan: ({ record, options }) => revisionParts(revisions(record), options.buildsPerWindow),
  changed: ({ record, options }) =>
    revisionParts(revisions(record, { changeIds: record.changedChanges(), stampIds: record.changedSourcestamps() }), options.buildsPerWindow),
  pageCount: (part) => part.revisions.length,
  weight: (part) => part.revisions.length,
  describe: (part) => `revisions ${part.revisions[0]?.slice(0, 12)}–${part.revisions.at(-1)?.slice(0, 12)}`,
  pages: ({ record, site }, part) => revisionPages(record, site, part.revisions),
};

const revisionParts = (revisions: readonly string[], budget: number): RevisionPart[] =>
  Array.from(cutByWeight(revisions, () => 1, budget), (run) => ({ revisions: run }));

function revisionPages(record: RecordReader, site: Site, revisions: readonly string[]): RevisionPage[] {
  const changes = groupBy(changesWithRevisions(record, revisions), (change) => change.revision!);
  const stamps = groupBy(sourcestampsWithRevisions(record, revisions), (stamp) => stamp.revision!);
  const stampBuilds = readStampBuilds(record, [...stamps.values()].flat().map((stamp) => stamp.id));
  return revisions.map((revision) => {
    const link = new Linker(revisionUrl(revision), site);
    return {
      ...pageBase(link, site, `Revision ${revision.slice(0, 12)}`, { above: [link.section('changes')] }),
      revision,
      changes: (changes.get(revision) ?? []).map((change) => changeView(change, link)),
      stamps: (stamps.get(revision) ?? []).map((stamp) => ({ ...stampBuilds(stamp.id, stamp, site, link), repository: stamp.repository })),
    };
  });
}

/** Every distinct revision of a change or a sourcestamp, sorted; with ids, only theirs. */
function revisions(record: RecordReader, of?: { changeIds: readonly number[]; stampIds: readonly number[] }): string[] {
  const sql = of
    ? `SELECT revision FROM changes WHERE id ${IN_JSON} UNION SELECT revision FROM sourcestamps WHERE id ${IN_JSON}`
    : 'SELECT revision FROM changes UNION SELECT revision FROM sourcestamps';
  return record.db
    .prepare(`SELECT revision FROM (${sql}) WHERE revision IS NOT NULL AND revision != '' ORDER BY revision`)
    .pluck()
    .all(...(of ? [jsonIds(of.changeIds), jsonIds(of.stampIds)] : [])) as string[];
}

/** Changes with these revisions, ascending. */
function changesWithRevisions(record: RecordReader, revisions: readonly string[]): Change[] {
  return record.changeRows(`SELECT NULL AS stampid, c.* FROM changes c WHERE c.revision ${IN_JSON} ORDER BY c.id`, JSON.stringify(revisions)).map(withoutStamp);
}

/** Sourcestamps with these revisions, ascending. */
function sourcestampsWithRevisions(record: RecordReader, revisions: readonly string[]): Sourcestamp[] {
  return record
    .statement(`SELECT id, branch, revision, repository, project FROM sourcestamps WHERE revision ${IN_JSON} ORDER BY id`)
    .all(JSON.stringify(revisions)) as Sourcestamp[];
}
