/**
 * Writes a generated history as a buildbot 3.7 `state.sqlite` (alembic 059), shaped like
 * data/buildbot-3.7-gecko-mini.sqlite: every change has its own sourcestamp; a push's
 * sourcestamps of the history become buildsets on the stamp of the push's last change
 * (nightlies and forced builds share one revision-less stamp per branch); one build request per
 * build; properties per build as JSON; step logs as chunks.
 */
import { createHash } from 'node:crypto';
import type { Farm } from './farm.ts';
import { type GeneratedBuild, HISTORY_END, type HistoryWriter, type Push, type Stamp } from './history.ts';
import { logChunks, stepLogs } from './logs.ts';
import type { Random } from './random.ts';
import type { RowBuffer, SnapshotFile } from './sqlite.ts';

const ALEMBIC_VERSION = '059';
const WORKER_INFO = JSON.stringify({
  admin: 'RelEng <release@mozilla.com>\n',
  host: 'Mozilla build farm\n',
  access_uri: null,
  version: '3.7.0',
});

export class BuildbotWriter implements HistoryWriter {
  private readonly alembic: RowBuffer;
  private readonly masters: RowBuffer;
  private readonly workers: RowBuffer;
  private readonly builders: RowBuffer;
  private readonly tags: RowBuffer;
  private readonly buildersTags: RowBuffer;
  private readonly sourcestamps: RowBuffer;
  private readonly changes: RowBuffer;
  private readonly changeFiles: RowBuffer;
  private readonly changeProperties: RowBuffer;
  private readonly buildsets: RowBuffer;
  private readonly buildsetProperties: RowBuffer;
  private readonly buildsetSourcestamps: RowBuffer;
  private readonly buildrequests: RowBuffer;
  private readonly claims: RowBuffer;
  private readonly builds: RowBuffer;
  private readonly steps: RowBuffer;
  private readonly buildProperties: RowBuffer;
  private readonly logs: RowBuffer;
  private readonly chunks: RowBuffer;
  /** The revision-less stamp of each branch: buildbot's ss_hash makes them one row each. */
  private readonly branchStamps = new Map<string | null, number>();

  constructor(
    file: SnapshotFile,
    /** A stream of its own for logs, so log volume never shifts the history's random choices. */
    private readonly logRandom: Random,
  ) {
    this.alembic = file.table('alembic_version', ['version_num']);
    this.masters = file.table('masters', ['id', 'name', 'name_hash', 'active', 'last_active']);
    this.workers = file.table('workers', ['id', 'name', 'info', 'paused', 'graceful']);
    this.builders = file.table('builders', ['id', 'name', 'description', 'name_hash']);
    this.tags = file.table('tags', ['id', 'name', 'name_hash']);
    this.buildersTags = file.table('builders_tags', ['id', 'builderid', 'tagid']);
    this.sourcestamps = file.table('sourcestamps', [
      'id', 'ss_hash', 'branch', 'revision', 'patchid', 'repository', 'codebase', 'project', 'created_at',
    ]);
    this.changes = file.table('changes', [
      'changeid', 'author', 'committer', 'comments', 'branch', 'revision', 'revlink', 'when_timestamp', 'category',
      'repository', 'codebase', 'project', 'sourcestampid', 'parent_changeids',
    ]);
    this.changeFiles = file.table('change_files', ['changeid', 'filename']);
    this.changeProperties = file.table('change_properties', ['changeid', 'property_name', 'property_value']);
    this.buildsets = file.table('buildsets', [
      'id', 'external_idstring', 'reason', 'submitted_at', 'complete', 'complete_at', 'results', 'parent_buildid',
      'parent_relationship',
    ]);
    this.buildsetProperties = file.table('buildset_properties', ['buildsetid', 'property_name', 'property_value']);
    this.buildsetSourcestamps = file.table('buildset_sourcestamps', ['id', 'buildsetid', 'sourcestampid']);
    this.buildrequests = file.table('buildrequests', [
      'id', 'buildsetid', 'builderid', 'priority', 'complete', 'results', 'submitted_at', 'complete_at', 'waited_for',
    ]);
    this.claims = file.table('buildrequest_claims', ['brid', 'masterid', 'claimed_at']);
    this.builds = file.table('builds', [
      'id', 'number', 'builderid', 'buildrequestid', 'workerid', 'masterid', 'started_at', 'complete_at', 'state_string',
      'results',
    ]);
    this.steps = file.table('steps', [
      'id', 'number', 'name', 'buildid', 'started_at', 'complete_at', 'state_string', 'results', 'urls_json', 'hidden',
    ]);
    this.buildProperties = file.table('build_properties', ['buildid', 'name', 'value', 'source']);
    this.logs = file.table('logs', ['id', 'name', 'slug', 'stepid', 'complete', 'num_lines', 'type']);
    this.chunks = file.table('logchunks', ['logid', 'first_line', 'last_line', 'content', 'compressed']);
  }

  writeFarm(farm: Farm): void {
    this.alembic.add(ALEMBIC_VERSION);
    for (const master of farm.masters) {
      const name = `${master.name}:/builds/buildbot/master`;
      this.masters.add(master.id, name, sha1(name), 0, HISTORY_END);
    }
    for (const slave of farm.slaves) this.workers.add(slave.id, slave.name, WORKER_INFO, 0, 0);
    const tagIds = new Map<string, number>();
    const tagId = (name: string) => {
      let id = tagIds.get(name);
      if (id === undefined) {
        id = tagIds.size + 1;
        tagIds.set(name, id);
        this.tags.add(id, name, sha1(name));
      }
      return id;
    };
    for (const builder of farm.builders) {
      this.builders.add(builder.id, builder.name, null, sha1(builder.name));
      // Tags as the fixture's builders have them: branch, platform, kind of builder.
      for (const tag of [builder.branch, builder.platform.property, builder.kind.kindClass]) {
        this.buildersTags.add(this.buildersTags.count + 1, builder.id, tagId(tag));
      }
    }
  }

  writePush(push: Push, stamps: readonly Stamp[]): void {
    let pushStamp = 0;
    for (const change of push.changes) {
      pushStamp = this.sourcestamp(push.branch, change.revision, change.when);
      const repository = repositoryOf(push.branch);
      this.changes.add(
        change.id,
        change.who,
        null,
        change.comments,
        change.branch,
        change.revision,
        change.revision ? `${repository}/rev/${change.revision}` : null,
        change.when,
        change.locale ? `l10n repack ${change.locale}` : null,
        repository,
        '',
        push.branch ?? '',
        pushStamp,
        null,
      );
      for (const file of change.files) this.changeFiles.add(change.id, file.path);
      if (change.locale) this.changeProperties.add(change.id, 'locale', JSON.stringify([change.locale, 'Change']));
    }
    if (push.changes.length === 0) pushStamp = this.branchStamp(push.branch, push.time);
    for (const stamp of stamps) {
      // Written before its builds: completion is approximated, copra reads builds, not buildsets.
      this.buildsets.add(stamp.id, null, push.reason, push.time, 1, push.time + 3600, 0, null, null);
      this.buildsetProperties.add(stamp.id, 'scheduler', JSON.stringify([push.scheduler, 'Scheduler']));
      this.buildsetSourcestamps.add(this.buildsetSourcestamps.count + 1, stamp.id, pushStamp);
    }
  }

  writeBuild(build: GeneratedBuild): void {
    const { builder, stamp } = build;
    const finished = build.end !== null;
    // One request per build, with the build's id.
    this.buildrequests.add(build.id, stamp.id, builder.id, 0, finished ? 1 : 0, build.result, stamp.push.time, build.end, 0);
    this.claims.add(build.id, builder.masterId, build.start);
    this.builds.add(
      build.id,
      build.number,
      builder.id,
      build.id,
      build.slaveId,
      builder.masterId,
      build.start,
      build.end,
      build.stateString,
      build.result,
    );
    const builddir = `/builds/slave/${builder.name.replace(/[^A-Za-z0-9.-]+/g, '_')}`;
    for (const step of build.steps) {
      this.steps.add(step.id, step.number, step.name, build.id, step.start, step.end, step.words.join(' '), step.result, '[]', 0);
      for (const log of stepLogs(this.logRandom, step, builddir)) {
        const logId = this.logs.count + 1;
        this.logs.add(logId, log.name, log.slug, step.id, log.complete ? 1 : 0, log.lines.length, log.type);
        for (const chunk of logChunks(this.logRandom, log.lines)) {
          this.chunks.add(logId, chunk.firstLine, chunk.lastLine, chunk.content, chunk.compressed);
        }
      }
    }
    for (const property of build.properties) this.buildProperties.add(build.id, property.name, property.value, property.source);
  }

  private sourcestamp(branch: string | null, revision: string | null, createdAt: number): number {
    const id = this.sourcestamps.count + 1;
    const repository = repositoryOf(branch);
    const project = branch ?? '';
    const hash = sha1([branch ?? '', revision ?? '', '', repository, '', project].join('\0'));
    this.sourcestamps.add(id, hash, branch, revision, null, repository, '', project, createdAt);
    return id;
  }

  private branchStamp(branch: string | null, createdAt: number): number {
    let id = this.branchStamps.get(branch);
    if (id === undefined) {
      id = this.sourcestamp(branch, null, createdAt);
      this.branchStamps.set(branch, id);
    }
    return id;
  }
}

function repositoryOf(branch: string | null): string {
  return branch ? `https://hg.mozilla.org/${branch}` : '';
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}
