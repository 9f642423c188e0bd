import { join } from 'node:path';

export const REPO = join(import.meta.dirname, '..', '..');
export const BUILDBOT_FIXTURE = join(REPO, 'data', 'buildbot-3.7-gecko-mini.sqlite');
export const STATUSDB_FIXTURE = join(REPO, 'test', 'fixtures', 'statusdb-gecko-mini.sqlite');
export const BUILDBOT4_FIXTURE = join(REPO, 'test', 'fixtures', 'buildbot-4.3.0-gecko-mini.sqlite');
