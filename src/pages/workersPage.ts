import { type TimeView, timeView } from '../model/time.ts';
import type { Snapshot } from '../snapshot/types.ts';
import { urls } from '../urls.ts';
import { successRate } from './boardPage.ts';
import { type BuildChip, buildChip } from './buildChips.ts';
import { summaryPageKind } from './kind.ts';
import { type Link, Linker, type PageBase, type Site, pageBase } from './site.ts';

export interface WorkerRow {
  worker: Link;
  builds: number;
  successRate: string | null;
  /** The worker's most recently started build, and when. */
  last: { build: BuildChip; start: TimeView } | null;
}

export interface WorkersPage extends PageBase {
  heading: string;
  rows: WorkerRow[];
}

/** Every worker (statusdb's slaves) with its last build. Every update changes it. */
export const workersKind = summaryPageKind('workers', 'workers page', ({ snapshot, site }) => workersPage(snapshot, site));

function workersPage(snapshot: Snapshot, site: Site): WorkersPage {
  const link = new Linker(urls.workers(), site);
  const statuses = snapshot.buildStatus('worker', 1);
  const rows = [...site.workers.keys()].map((id): WorkerRow => {
    const status = statuses.get(id);
    const last = status?.recent[0];
    return {
      worker: link.worker(id)!,
      builds: status?.builds ?? 0,
      successRate: status ? successRate(status) : null,
      last: last ? { build: buildChip(last, link), start: timeView(last.startedAt, 'not started') } : null,
    };
  });
  return {
    ...pageBase(link, site, site.schema === 'statusdb' ? 'Slaves' : 'Workers'),
    heading: site.schema === 'statusdb' ? 'Slaves' : 'Workers',
    rows: rows.sort((a, b) => a.worker.text.localeCompare(b.worker.text)),
  };
}
