/**
 * buildbot 3.9+ projects: a page per project (`project/<slug>/`) with its description and its
 * builders as the board shows them, and its codebases. The board groups builders by project.
 */
import type { Project } from '../model/types.ts';
import type { RecordReader } from '../record/reader.ts';
import { type PageUrl, pathSegment } from '../urls.ts';
import { type BoardRow, RECENT_RESULTS, boardOrder, boardRows } from './boardPage.ts';
import type { PageKind } from './kind.ts';
import { type Link, Linker, type PageBase, type Site, pageBase } from './site.ts';

export function projectUrl(slug: string): PageUrl {
  return `project/${pathSegment(slug)}/`;
}

export const projectLink = (project: Project, link: Linker): Link => ({ href: link.to(projectUrl(project.slug)), text: project.name });

export interface ProjectPage extends PageBase {
  name: string;
  /** buildbot's rendering of the description (sanitised by the template), else the description as text. */
  descriptionHtml: string | null;
  description: string | null;
  codebases: string[];
  rows: BoardRow[];
  recentCount: number;
}

/** A page per project. Each shows its builders' last results: every update renders them again. */
export const projectKind: PageKind<{ ids: number[] }> = {
  name: 'project',
  body: 'project',
  folder: 'project',
  plan: ({ site }) => projectParts(site),
  changed: ({ site }) => projectParts(site),
  pageCount: (part) => part.ids.length,
  weight: (part) => part.ids.length,
  describe: (part) => `${part.ids.length} project pages`,
  pages: ({ record, site }, part) => part.ids.map((id) => projectPage(record, site, site.projects.get(id)!)),
};

const projectParts = (site: Site) => (site.projects.size === 0 ? [] : [{ ids: [...site.projects.keys()] }]);

function projectPage(record: RecordReader, site: Site, project: Project): ProjectPage {
  const link = new Linker(projectUrl(project.slug), site);
  const row = boardRows(record, link, site);
  const builders = [...site.builders.values()].filter((builder) => builder.projectId === project.id);
  return {
    ...pageBase(link, site, `Project ${project.name}`, { above: [link.section('builders')] }),
    name: project.name,
    descriptionHtml: project.descriptionHtml,
    description: project.descriptionHtml ? null : project.description,
    codebases: record.db.prepare('SELECT name FROM codebases WHERE projectid = ? ORDER BY name').pluck().all(project.id) as string[],
    rows: builders.map((builder) => row(builder.id)).sort(boardOrder),
    recentCount: RECENT_RESULTS,
  };
}
