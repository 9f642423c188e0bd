import { type TimeView, timeView } from '../model/time.ts';
import type { Change, Sourcestamp } from '../model/types.ts';
import { type RecordReader, withoutStamp } from '../record/reader.ts';
import { IN_JSON, groupBy, jsonIds } from '../record/sql.ts';
import { type PageUrl, pathSegment } from '../urls.ts';
import { type StampBuildsView, readStampBuilds } from './buildChips.ts';
import { type ChangeView, changeView } from './changes.ts';
import { type PageKind, cutByWeight } from './kind.ts';
import { type Link, Linker, type PageBase, type Site, pageBase } from './site.ts';

export function revisionUrl(revision: string): PageUrl {
  return `revision/${pathSegment(revision)}/`;
}

export interface RevisionPage extends PageBase {
  revision: string;
  /** Changes with this revision: usually one, one per branch where it was merged. */
  changes: ChangeView[];
  /** Every sourcestamp with this revision, with its first builds by platform. */
  stamps: (StampBuildsView & { repository: string | null; codebase: string | null })[];
  /** The revision as a commit of a buildbot 4.3 codebase, with the revisions before and after it. */
  commits: CommitView[];
}

export interface CommitView {
  codebase: string;
  author: string | null;
  when: TimeView;
  parent: Link | null;
  children: Link[];
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
    revisionParts(
      revisions(record, { changeIds: record.changedChanges(), stampIds: record.changedSourcestamps(), commitIds: changedCommits(record) }),
      options.buildsPerWindow,
    ),
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
  const commits = groupBy(commitsWithRevisions(record, revisions), (commit) => commit.revision);
  return revisions.map((revision) => {
    const link = new Linker(revisionUrl(revision), site);
    return {
      ...pageBase(link, site, `Revision ${revision.slice(0, 12)}`, { above: [link.section('changes')] }),
      revision,
      changes: (changes.get(revision) ?? []).map((change) => changeView(change, link)),
      stamps: (stamps.get(revision) ?? []).map((stamp) => ({ ...stampBuilds(stamp.id, stamp, site, link), repository: stamp.repository, codebase: stamp.codebase })),
      commits: (commits.get(revision) ?? []).map((commit) => ({
        codebase: commit.codebase,
        author: commit.author,
        when: timeView(commit.when),
        parent: commit.parent ? { href: link.to(revisionUrl(commit.parent)), text: commit.parent } : null,
        children: (JSON.parse(commit.children) as string[]).map((child) => ({ href: link.to(revisionUrl(child)), text: child })),
      })),
    };
  });
}

/**
 * Every distinct revision of a change, a sourcestamp or a codebase's commit, sorted; with ids,
 * only theirs (and a commit's parent, whose page lists it among its children).
 */
function revisions(record: RecordReader, of?: { changeIds: readonly number[]; stampIds: readonly number[]; commitIds: readonly number[] }): string[] {
  const sql = of
    ? `SELECT revision FROM changes WHERE id ${IN_JSON} UNION SELECT revision FROM sourcestamps WHERE id ${IN_JSON}
       UNION SELECT c.revision FROM codebase_commits c WHERE c.id ${IN_JSON}
       UNION SELECT p.revision FROM codebase_commits c JOIN codebase_commits p ON p.id = c.parent_commitid WHERE c.id ${IN_JSON}`
    : 'SELECT revision FROM changes UNION SELECT revision FROM sourcestamps UNION SELECT revision FROM codebase_commits';
  return record.db
    .prepare(`SELECT revision FROM (${sql}) WHERE revision IS NOT NULL AND revision != '' ORDER BY revision`)
    .pluck()
    .all(...(of ? [jsonIds(of.changeIds), jsonIds(of.stampIds), jsonIds(of.commitIds), jsonIds(of.commitIds)] : [])) as string[];
}

/** Commits the last update added or changed. */
const changedCommits = (record: RecordReader) =>
  record.db.prepare("SELECT id FROM delta WHERE tbl = 'codebase_commits' ORDER BY id").pluck().all() as number[];

/** Codebase commits with these revisions: their codebase, parent's revision, children's revisions (a JSON list). */
function commitsWithRevisions(record: RecordReader, revisions: readonly string[]) {
  return record
    .statement(
      `SELECT c.revision, coalesce(cb.name, 'codebase ' || c.codebaseid) AS codebase, c.author, c.when_timestamp AS "when", p.revision AS parent,
         (SELECT json_group_array(k.revision) FROM (SELECT revision FROM codebase_commits WHERE parent_commitid = c.id ORDER BY id) k) AS children
       FROM codebase_commits c LEFT JOIN codebases cb ON cb.id = c.codebaseid LEFT JOIN codebase_commits p ON p.id = c.parent_commitid
       WHERE c.revision ${IN_JSON} ORDER BY c.id`,
    )
    .all(JSON.stringify(revisions)) as { revision: string; codebase: string; author: string | null; when: number | null; parent: string | null; children: string }[];
}

/** Changes with these revisions, ascending. */
function changesWithRevisions(record: RecordReader, revisions: readonly string[]): Change[] {
  return record.changeRows(`SELECT NULL AS stampid, c.* FROM changes c WHERE c.revision ${IN_JSON} ORDER BY c.id`, JSON.stringify(revisions)).map(withoutStamp);
}

/** Sourcestamps with these revisions, ascending. */
function sourcestampsWithRevisions(record: RecordReader, revisions: readonly string[]): Sourcestamp[] {
  return record
    .statement(`SELECT id, branch, revision, repository, project, codebase FROM sourcestamps WHERE revision ${IN_JSON} ORDER BY id`)
    .all(JSON.stringify(revisions)) as Sourcestamp[];
}
