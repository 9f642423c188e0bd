import { badgeKind } from './badge.ts';
import { boardKind } from './boardPage.ts';
import { buildKind } from './buildPage.ts';
import { changeKind } from './changePage.ts';
import { changesListingKind } from './changesListing.ts';
import { consoleKind, consolesKind } from './consolePage.ts';
import { builderKind, masterKind, workerKind } from './entityPage.ts';
import { builderFeedKind, failuresFeedKind } from './feeds.ts';
import { failureKind, failuresKind } from './failurePage.ts';
import { homeKind } from './homePage.ts';
import type { PageKind } from './kind.ts';
import { listingKind } from './listing.ts';
import { logKind } from './logPage.ts';
import { notFoundKind } from './notFoundPage.ts';
import { projectKind } from './projectPage.ts';
import { revisionKind } from './revisionPage.ts';
import { searchKind } from './searchPage.ts';
import { sourceKind } from './sourcePage.ts';
import { testKind, testsKind } from './testPage.ts';
import { workersKind } from './workersPage.ts';

/**
 * Every kind of page, in the order windows render them; the kinds that are sections of the
 * archive appear in every page's header in this order. A new kind of page is one more entry.
 */
export const KINDS: readonly PageKind[] = [
  homeKind,
  boardKind,
  failuresKind,
  testsKind,
  buildKind,
  logKind,
  sourceKind,
  listingKind,
  builderKind,
  workerKind,
  masterKind,
  badgeKind,
  builderFeedKind,
  failuresFeedKind,
  consolesKind,
  consoleKind,
  changesListingKind,
  changeKind,
  revisionKind,
  failureKind,
  testKind,
  workersKind,
  projectKind,
  searchKind,
  notFoundKind,
] as PageKind[];
