import { type ResultView, codeResult } from '../model/results.ts';
import { type TimeView, timeView } from '../model/time.ts';
import type { RecordReader } from '../record/reader.ts';
import { type PageUrl } from '../urls.ts';
import { summaryPageKind } from './kind.ts';
import type { Listing } from './listing.ts';
import { type Link, Linker, type PageBase, type Site, failuresFeed, pageBase } from './site.ts';

/** The home page: the archive's root. */
export function homeUrl(): PageUrl {
  return '';
}

export interface HomePage extends PageBase {
  schema: string;
  /** The archive's title, as the page's heading. */
  heading: string;
  /** What the page says of tables the latest snapshot lacked. */
  problems: string[];
  /** When the first and the last build started; null when no build did. */
  started: { first: TimeView; last: TimeView } | null;
  counts: { label: string; count: number }[];
  results: { result: ResultView; count: number }[];
  listings: Link[];
  builders: Link[];
  workers: Link[];
  masters: Link[];
}

const byText = (a: Link, b: Link) => a.text.localeCompare(b.text);

/** The home page: what the archive holds, with its counts. Every update changes it. */
export const homeKind = summaryPageKind('home', { folder: null }, 'home page', ({ record, site, listings }) => homePage(record, site, listings));

export function homePage(record: RecordReader, site: Site, allListings: Listing[]): HomePage {
  const link = new Linker(homeUrl(), site);
  const summary = record.summary();
  const absent = record.schema.absentTables;
  const lacking = absent.length === 0 ? null : `no ${absent.join(', ')} table${absent.length === 1 ? '' : 's'}`;
  if (lacking) link.warn('table', `the snapshot has ${lacking}; read as empty`);
  return {
    ...pageBase(link, site, site.name, { feeds: [failuresFeed(link)] }),
    schema: record.schema.description,
    heading: site.name,
    problems: lacking ? [`The latest snapshot has ${lacking}: it added none of their rows to the archive.`] : [],
    started:
      summary.firstStart === null || summary.lastStart === null
        ? null
        : { first: timeView(summary.firstStart), last: timeView(summary.lastStart) },
    counts: [
      { label: 'builds', count: summary.builds },
      { label: 'steps', count: summary.steps },
      { label: 'builders', count: summary.builders },
      { label: site.schema === 'statusdb' ? 'slaves' : 'workers', count: summary.workers },
      { label: 'masters', count: summary.masters },
      { label: 'sourcestamps', count: summary.sourcestamps },
      { label: 'changes', count: summary.changes },
    ],
    results: summary.results.map((row) => ({ result: codeResult(row.result), count: row.count })),
    listings: allListings.map((listing) => ({ href: link.listing(listing.key), text: listing.title })),
    builders: [...site.builders.keys()].map((id) => link.builder(id)).sort(byText),
    workers: [...site.workers.keys()].map((id) => link.worker(id)!).sort(byText),
    masters: [...site.masters.keys()].map((id) => link.master(id)!).sort(byText),
  };
}
