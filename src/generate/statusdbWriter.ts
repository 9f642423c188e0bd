/**
 * Writes a generated history as Mozilla's 2010 statusdb in SQLite form, as the fixture
 * test/fixtures/statusdb-gecko-mini.sqlite has it: datetimes as UTC text, text as MySQL exported
 * it (UTF-8 bytes stored in latin1 columns, so non-ASCII text shows as mojibake), properties
 * shared between builds through `build_properties`.
 */
import { sqlDatetime } from './datetime.ts';
import type { Farm } from './farm.ts';
import {
  type GeneratedBuild,
  type GeneratedProperty,
  HISTORY_START,
  type HistoryWriter,
  type Push,
  type Stamp,
} from './history.ts';
import type { RowBuffer, SnapshotFile } from './sqlite.ts';

export class StatusdbWriter implements HistoryWriter {
  private readonly masters: RowBuffer;
  private readonly slaves: RowBuffer;
  private readonly builders: RowBuffer;
  private readonly builderSlaves: RowBuffer;
  private readonly masterSlaves: RowBuffer;
  private readonly files: RowBuffer;
  private readonly changes: RowBuffer;
  private readonly fileChanges: RowBuffer;
  private readonly sourcestamps: RowBuffer;
  private readonly sourceChanges: RowBuffer;
  private readonly properties: RowBuffer;
  private readonly buildProperties: RowBuffer;
  private readonly requests: RowBuffer;
  private readonly buildRequests: RowBuffer;
  private readonly builds: RowBuffer;
  private readonly steps: RowBuffer;
  /** Property rows shared farm-wide, by name, source and value. */
  private readonly farmProperties = new Map<string, number>();
  /** Property rows shared by the builds of one push; dropped with the push. */
  private readonly pushProperties = new WeakMap<Push, Map<string, number>>();
  private sourceChangeId = 0;

  constructor(file: SnapshotFile) {
    this.masters = file.table('masters', ['id', 'url', 'name']);
    this.slaves = file.table('slaves', ['id', 'name']);
    this.builders = file.table('builders', ['id', 'name', 'master_id', 'category']);
    this.builderSlaves = file.table('builder_slaves', ['id', 'builder_id', 'slave_id', 'added', 'removed']);
    this.masterSlaves = file.table('master_slaves', ['id', 'slave_id', 'master_id', 'connected', 'disconnected']);
    this.files = file.table('files', ['id', 'path']);
    this.changes = file.table('changes', ['id', 'number', 'branch', 'revision', 'who', 'comments', 'when']);
    this.fileChanges = file.table('file_changes', ['file_id', 'change_id']);
    this.sourcestamps = file.table('sourcestamps', ['id', 'branch', 'revision', 'patch_id']);
    this.sourceChanges = file.table('source_changes', ['source_id', 'change_id', 'order', 'id']);
    this.properties = file.table('properties', ['id', 'name', 'source', 'value']);
    this.buildProperties = file.table('build_properties', ['property_id', 'build_id']);
    this.requests = file.table('requests', ['id', 'submittime', 'builder_id', 'startcount', 'source_id', 'lost', 'cancelled']);
    this.buildRequests = file.table('build_requests', ['build_id', 'request_id']);
    this.builds = file.table('builds', [
      'id', 'buildnumber', 'builder_id', 'slave_id', 'master_id', 'starttime', 'endtime', 'result', 'reason', 'source_id', 'lost',
    ]);
    this.steps = file.table('steps', ['id', 'name', 'description', 'build_id', 'order', 'starttime', 'endtime', 'status']);
  }

  writeFarm(farm: Farm): void {
    for (const master of farm.masters) this.masters.add(master.id, master.url, master.name);
    for (const slave of farm.slaves) this.slaves.add(slave.id, slave.name);
    const since = sqlDatetime(HISTORY_START);
    for (const builder of farm.builders) {
      this.builders.add(builder.id, builder.name, builder.masterId, builder.branch);
      for (const slaveId of builder.slaveIds) this.builderSlaves.add(this.builderSlaves.count + 1, builder.id, slaveId, since, null);
    }
    // Each slave connected to a master or two over the years; the last connection is still open.
    for (const slave of farm.slaves) {
      const masterId = (slave.id % farm.masters.length) + 1;
      const reconnect = sqlDatetime(HISTORY_START + 86_400 * (30 + (slave.id % 300)));
      this.masterSlaves.add(this.masterSlaves.count + 1, slave.id, masterId, since, reconnect);
      this.masterSlaves.add(this.masterSlaves.count + 1, slave.id, masterId, reconnect, null);
    }
  }

  writePush(push: Push, stamps: readonly Stamp[]): void {
    for (const change of push.changes) {
      for (const file of change.files) {
        if (file.isNew) this.files.add(file.id, latin1Mojibake(file.path));
        this.fileChanges.add(file.id, change.id);
      }
      this.changes.add(
        change.id,
        change.id,
        change.branch,
        change.revision,
        latin1Mojibake(change.who),
        latin1Mojibake(change.comments),
        sqlDatetime(change.when),
      );
    }
    for (const stamp of stamps) {
      this.sourcestamps.add(stamp.id, push.branch, push.revision, null);
      push.changes.forEach((change, order) => this.sourceChanges.add(stamp.id, change.id, order, ++this.sourceChangeId));
    }
  }

  writeBuild(build: GeneratedBuild): void {
    const { stamp, builder } = build;
    this.builds.add(
      build.id,
      build.number,
      builder.id,
      build.slaveId,
      builder.masterId,
      sqlDatetime(build.start),
      sqlDatetime(build.end),
      build.result,
      stamp.push.reason,
      stamp.id,
      build.lost ? 1 : 0,
    );
    // One request per build: statusdb keeps them, copra does not read them.
    this.requests.add(build.id, sqlDatetime(stamp.push.time), builder.id, 1, stamp.id, 0, 0);
    this.buildRequests.add(build.id, build.id);
    for (const step of build.steps) {
      this.steps.add(
        step.id,
        step.name,
        pythonJsonList(step.words),
        build.id,
        step.number,
        sqlDatetime(step.start),
        sqlDatetime(step.end),
        step.result,
      );
    }
    for (const property of build.properties) this.buildProperties.add(this.propertyId(property, stamp.push), build.id);
  }

  /** The id of the `properties` row for this value, written the first time it is needed. */
  private propertyId(property: GeneratedProperty, push: Push): number {
    if (property.scope === 'build') return this.newProperty(property);
    const key = `${property.name}\0${property.source}\0${property.value}`;
    let shared = this.farmProperties;
    if (property.scope === 'push') {
      shared = this.pushProperties.get(push) ?? new Map<string, number>();
      this.pushProperties.set(push, shared);
    }
    let id = shared.get(key);
    if (id === undefined) {
      id = this.newProperty(property);
      shared.set(key, id);
    }
    return id;
  }

  private newProperty(property: GeneratedProperty): number {
    const id = this.properties.count + 1;
    this.properties.add(id, property.name, property.source, latin1Mojibake(property.value));
    return id;
  }
}

/** A list as Python's json.dumps writes it (buildbot wrote statusdb's step descriptions). */
function pythonJsonList(words: readonly string[]): string {
  return `[${words.map((word) => JSON.stringify(word)).join(', ')}]`;
}

/** cp1252's characters for bytes 0x80–0x9F; the five it leaves undefined stay C1 controls. */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';

/**
 * Text as statusdb holds it: UTF-8 bytes read back as MySQL's latin1 (really cp1252), so `ö`
 * becomes `Ã¶`. ASCII, most of it, is unchanged.
 */
function latin1Mojibake(text: string): string {
  if (!/[^\x00-\x7f]/.test(text)) return text;
  let mangled = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    mangled += byte >= 0x80 && byte <= 0x9f ? CP1252_HIGH[byte - 0x80] : String.fromCharCode(byte);
  }
  return mangled;
}
