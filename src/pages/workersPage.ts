import { type TimeView, timeView } from '../model/time.ts';
import type { RecordReader } from '../record/reader.ts';
import { type PageUrl } from '../urls.ts';
import { RECENT_RESULTS, successRate } from './boardPage.ts';
import { type BuildChip, buildChip } from './buildChips.ts';
import { summaryPageKind } from './kind.ts';
import { type Link, Linker, type PageBase, type Site, pageBase } from './site.ts';

export function workersUrl(): PageUrl {
  return 'workers/';
}

export interface WorkerRow {
  worker: Link;
  /** Its most recently started builds, oldest left. */
  recent: BuildChip[];
  builds: number;
  successRate: string | null;
  /** The worker's most recently started build, and when. */
  last: { build: BuildChip; start: TimeView } | null;
}

export interface WorkersPage extends PageBase {
  /** statusdb calls them slaves. */
  note: string | null;
  recentCount: number;
  rows: WorkerRow[];
}

/** Every worker (statusdb's slaves) with its last build. Every update changes it. */
export const workersKind = summaryPageKind('workers', { folder: 'workers', section: { text: 'Workers', url: workersUrl() } }, 'workers page', ({ record, site }) => workersPage(record, site));

function workersPage(record: RecordReader, site: Site): WorkersPage {
  const link = new Linker(workersUrl(), site);
  const statuses = record.buildStatus('worker', RECENT_RESULTS);
  const rows = [...site.workers.keys()].map((id): WorkerRow => {
    const status = statuses.get(id);
    const last = status?.recent[0];
    return {
      worker: link.worker(id)!,
      recent: (status?.recent ?? []).map((build) => buildChip(build, link)).reverse(),
      builds: status?.builds ?? 0,
      successRate: status ? successRate(status) : null,
      last: last ? { build: buildChip(last, link), start: timeView(last.startedAt, 'not started') } : null,
    };
  });
  return {
    ...pageBase(link, site, 'Workers'),
    note: site.schema === 'statusdb' ? 'statusdb calls them slaves.' : null,
    recentCount: RECENT_RESULTS,
    rows: rows.sort((a, b) => a.worker.text.localeCompare(b.worker.text)),
  };
}
