/**
 * The plain, schema-independent records every snapshot adapter returns. Times are unix seconds
 * (UTC) or null; result codes are kept as stored (null, 0–6 or anything else) and named only by
 * `model/results.ts`.
 */

export type SchemaKind = 'buildbot' | 'statusdb';

export interface SchemaInfo {
  kind: SchemaKind;
  /** What was found, for people: "buildbot state.sqlite (alembic 059)". */
  description: string;
  /** Tables of the schema the snapshot lacks, read as empty (see SnapshotTables). */
  absentTables: string[];
}

export interface Builder {
  id: number;
  name: string;
  description: string | null;
  /** buildbot tags; statusdb's single category. */
  tags: string[];
  /** Its project (buildbot 3.9+), or null. */
  projectId: number | null;
}

export interface Worker {
  id: number;
  name: string;
  /** Why an admin paused it (buildbot 4), or null. */
  pauseReason: string | null;
}

/** A buildbot 3.9+ project: builders grouped under a name, with a description buildbot rendered to HTML. */
export interface Project {
  id: number;
  name: string;
  slug: string;
  description: string | null;
  descriptionHtml: string | null;
}

export interface Master {
  id: number;
  name: string;
  url: string | null;
}

export interface Property {
  name: string;
  /** The stored JSON text. */
  value: string;
  source: string;
}

export interface LogRef {
  id: number;
  name: string;
  slug: string;
  type: string;
  numLines: number;
}

/** A log with the step and build it belongs to: what a log page needs besides its lines. */
export interface LogInfo extends LogRef {
  buildId: number;
  builderId: number;
  buildNumber: number;
  stepNumber: number;
  stepName: string;
  stepResult: number | null;
  stepStartedAt: number | null;
  stepCompleteAt: number | null;
}

export interface Step {
  id: number;
  number: number;
  name: string;
  startedAt: number | null;
  completeAt: number | null;
  result: number | null;
  /** buildbot's state_string; statusdb's description words joined. */
  description: string;
  hidden: boolean;
  urls: { name: string; url: string }[];
  /** `urls_json` was not the JSON list buildbot writes: no URLs could be read. */
  urlsUnreadable: boolean;
  logs: LogRef[];
  /** When it got its locks (buildbot 4), or null. */
  locksAcquiredAt: number | null;
}

export interface Change {
  id: number;
  author: string | null;
  revision: string | null;
  branch: string | null;
  comments: string;
  when: number | null;
  repository: string | null;
  /** buildbot's codebase, where the master names one. */
  codebase: string | null;
  revlink: string | null;
  files: string[];
}

export interface Sourcestamp {
  id: number;
  branch: string | null;
  revision: string | null;
  repository: string | null;
  project: string | null;
  /** buildbot's codebase, where the master names one. */
  codebase: string | null;
}

/** A build as its own page shows it: the row and everything hanging off it. */
export interface Build {
  id: number;
  number: number;
  builderId: number;
  workerId: number | null;
  masterId: number | null;
  startedAt: number | null;
  completeAt: number | null;
  result: number | null;
  stateString: string;
  reason: string | null;
  /** statusdb's `lost`: the master restarted under the build. */
  lost: boolean;
  sourcestampIds: number[];
  /** The build whose step triggered it. */
  parent: BuildRef | null;
  /** Its build request (null where none was archived). */
  buildRequestId: number | null;
}

/** Another build, as a page names it: its builder and number. */
export interface BuildRef {
  id: number;
  builderId: number;
  number: number;
}

export interface BuildDetail extends Build {
  steps: Step[];
  properties: Property[];
  /** Builds its steps triggered. */
  triggered: BuildRef[];
  /** Builds of the same build request: the one it ran again (a retry), the one that ran it again. */
  rerunOf: BuildRef | null;
  rerunAs: BuildRef | null;
  /** The build it is a rebuild of (buildbot 4's "rebuild" button), and the builds that rebuilt it. */
  rebuildOf: BuildRef | null;
  rebuiltAs: BuildRef[];
  /** Seconds it waited for locks (buildbot 4), or null where not recorded. */
  locksDuration: number | null;
  /** Whether its test results and build data are as a snapshot gave them (not archived before copra kept them). */
  extrasRead: boolean;
  previousBuildId: number | null;
  nextBuildId: number | null;
  /** Other builds of the builder with the same number (a number should be used once). */
  sameNumberIds: number[];
}

/** One build as listings show it: enough for a coloured, labelled link. */
export interface BuildSummary {
  id: number;
  number: number;
  builderId: number;
  result: number | null;
  startedAt: number | null;
  completeAt: number | null;
  lost: boolean;
}

/** What a row of a builder's (worker's, master's) builds says besides the build itself. */
export interface BuildFacts {
  workerId: number | null;
  /** The revision of the build's first sourcestamp. */
  revision: string | null;
  /** For a build with warnings, failure or exception: its first step with the same result. */
  failedStep: string | null;
}

/** A builder's (worker's, master's) builds at a glance. */
export interface BuildStatus {
  builds: number;
  /** Builds with a result. */
  finished: number;
  /** Builds whose result is success. */
  successes: number;
  /** The most recently started builds, newest first. */
  recent: BuildSummary[];
  /** The most recently started build that has a result. */
  lastFinished: BuildSummary | null;
}

export interface SnapshotSummary {
  builds: number;
  builders: number;
  workers: number;
  masters: number;
  changes: number;
  sourcestamps: number;
  steps: number;
  firstStart: number | null;
  lastStart: number | null;
  /** Build counts by stored result code; the key is the code, or "null". */
  results: { result: number | null; count: number }[];
}
