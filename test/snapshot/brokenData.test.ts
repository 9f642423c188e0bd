/**
 * Broken data (test/fixtures/broken.ts: orphans, times that run backwards, a number used twice,
 * unknown results, values that are not JSON, a 10 MB comment, a log declaring a billion lines, a
 * zlib bomb, text that is not UTF-8, missing tables) still gives a whole archive: every page is
 * there, each broken row is marked on its page, and the closing warnings count them by kind.
 * `--strict` turns them into exit code 1.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HTMLElement } from 'node-html-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BuildReport } from '../../src/build.ts';
import { main } from '../../src/cli.ts';
import { PROBLEMS, type Problem } from '../../src/pages/warnings.ts';
import { type BrokenRows, dropTables, writeBrokenSnapshot } from '../fixtures/broken.ts';
import { buildIdAt, buildbotEarlyCut, statusdbEarlyCut } from '../fixtures/history.ts';
import { BUILDBOT_FIXTURE, STATUSDB_FIXTURE, buildInto, fixtureCopy, querySnapshot, readPage, scratchDir, text } from '../helpers/archive.ts';

const marks = (page: HTMLElement) => page.querySelectorAll('.bad-data').map(text);

describe('a snapshot with broken data', () => {
  let snapshot: string;
  let broken: BrokenRows;
  let out: string;
  let report: BuildReport;
  const warned = (problem: Problem) => report.warnings.filter((warning) => warning.problem === problem).map((warning) => warning.detail);

  beforeAll(async () => {
    snapshot = join(scratchDir('copra-broken-'), 'broken.sqlite');
    broken = writeBrokenSnapshot(snapshot);
    ({ out, report } = await buildInto(snapshot, { search: false }));
  });

  it('still gives every build and every log its page', () => {
    const db = querySnapshot(snapshot);
    const builds = db.prepare('SELECT id FROM builds').pluck().all() as number[];
    const logs = db.prepare('SELECT l.id, s.buildid FROM logs l JOIN steps s ON s.id = l.stepid').all() as { id: number; buildid: number }[];
    db.close();
    for (const id of builds) expect(existsSync(join(out, `build/${id}/index.html`)), `build ${id}`).toBe(true);
    for (const log of logs) expect(existsSync(join(out, `build/${log.buildid}/log/${log.id}/index.html`)), `log ${log.id}`).toBe(true);
  });

  it('shows a missing worker unlinked, and warns of the orphan', () => {
    const page = readPage(out, `build/${broken.orphanWorker.build}/`);
    expect(text(page.querySelector('dl.facts'))).toContain(`worker ${broken.orphanWorker.worker} (missing)`);
    expect(warned('orphan')).toEqual([`worker ${broken.orphanWorker.worker} is referenced but not in the snapshot; shown unlinked`]);
  });

  it('says where a build or a step ends before it starts', () => {
    expect(marks(readPage(out, `build/${broken.backwardsBuild}/`))).toContain('⚠ This build ends before it starts.');
    const step = readPage(out, `build/${broken.backwardsStep.build}/`)
      .querySelectorAll('table.steps tr.step')
      .find((row) => text(row.querySelector('td')) === String(broken.backwardsStep.step));
    expect(marks(step!)).toEqual(['⚠ this step ends before it starts']);
    expect(text(step!.querySelectorAll('td')[5])).toBe('ends before it starts');
    expect(warned('time')).toEqual([
      `build ${broken.backwardsBuild} ends before it starts`,
      `step ${broken.backwardsStep.step} of build ${broken.backwardsStep.build} ends before it starts`,
    ]);
  });

  it('links the builds that share a number from each other', () => {
    const [first, second] = broken.sameNumber;
    for (const [build, other] of [[first, second], [second, first]]) {
      const page = readPage(out, `build/${build}/`);
      const note = page.querySelectorAll('main > p').find((p) => p.querySelector('.bad-data'));
      expect(text(note)).toMatch(/used number \d+ for other builds too/);
      expect(note?.querySelector('a')?.getAttribute('href')).toBe(`../../build/${other}/index.html`);
    }
    expect(warned('duplicate')).toHaveLength(2);
  });

  it('names unknown result codes', () => {
    expect(text(readPage(out, `build/${broken.unknownResult.build}/`).querySelector('h1 .result'))).toBe(`unknown (${broken.unknownResult.code})`);
    expect(warned('result')).toEqual([
      `build ${broken.unknownResult.build} has result code ${broken.unknownResult.code}`,
      `step ${broken.unknownResult.step.step} of build ${broken.unknownResult.step.build} has result code ${broken.unknownResult.step.code}`,
    ]);
  });

  it('shows a property that is not JSON as stored, and step URLs it cannot read as unreadable', () => {
    const row = readPage(out, `build/${broken.notJsonProperty.build}/`)
      .querySelectorAll('table.properties tbody tr')
      .find((tr) => text(tr.querySelector('td')) === broken.notJsonProperty.name);
    expect(text(row?.querySelector('pre'))).toBe('{not json');
    expect(marks(row!)).toEqual(['⚠ not valid JSON: shown as stored']);
    expect(marks(readPage(out, `build/${broken.unreadableUrls.build}/`).querySelector('table.steps')!)).toContain('⚠ its published URLs could not be read');
    expect(warned('json')).toHaveLength(2);
  });

  it('cuts a 10 MB comment where it shows, saying so', () => {
    const page = readPage(out, `build/${broken.hugeComment.build}/`);
    expect(marks(page)).toContain(`⚠ comment cut: it has ${broken.hugeComment.length.toLocaleString('en-US')} characters`);
    expect(page.toString().length).toBeLessThan(1_000_000);
    expect(warned('size')).toEqual([`the comment of change ${broken.hugeComment.change} has ${broken.hugeComment.length} characters; pages show the first 100000`]);
  });

  it('says what a log holds when it declares a billion lines, and marks a decompression bomb unreadable', () => {
    const declared = readPage(out, `build/${broken.overDeclaredLog.build}/log/${broken.overDeclaredLog.log}/`);
    expect(marks(declared)).toEqual([expect.stringMatching(/^⚠ This log has \d+ lines; its record says 1,000,000,000\.$/)]);
    const bomb = readPage(out, `build/${broken.bombLog.build}/log/${broken.bombLog.log}/`);
    expect(text(bomb.querySelector('.log-facts'))).toContain('1 unreadable');
    expect(warned('log')).toEqual([
      expect.stringMatching(new RegExp(`^log ${broken.overDeclaredLog.log} of build ${broken.overDeclaredLog.build} has \\d+ lines, its record says 1000000000$`)),
      `log ${broken.bombLog.log} of build ${broken.bombLog.build}: 1 line could not be read`,
    ]);
  });

  it('marks the pages whose text was not UTF-8, and only those', () => {
    const undecodable = '⚠ Some text on this page was not valid UTF-8 in the snapshot: what could not be read shows as �.';
    const { stepBuild, log } = broken.undecodable;
    const stepPage = readPage(out, `build/${stepBuild}/`);
    expect(marks(stepPage)).toContain(undecodable);
    expect(text(stepPage.querySelector('table.steps'))).toContain('compile �');
    const logPage = readPage(out, `build/${log.build}/log/${log.log}/`);
    expect(marks(logPage)).toContain(undecodable);
    expect(text(logPage.querySelector('pre'))).toContain('cafe �');
    expect(marks(readPage(out, `build/${broken.backwardsBuild}/`))).not.toContain(undecodable);
    expect(warned('encoding')).toEqual(expect.arrayContaining([`page build/${stepBuild}/ shows text that is not valid UTF-8 as �`, `page build/${log.build}/log/${log.log}/ shows text that is not valid UTF-8 as �`]));
  });

  it('counts the warnings by kind, and --strict makes them exit code 1 after writing the archive', async () => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const io = { stdout: { write: (s: string) => void stdout.push(s) }, stderr: { write: (s: string) => void stderr.push(s) } };
    const strictOut = join(scratchDir('copra-broken-'), 'strict');
    expect(await main(['build', snapshot, '--out', strictOut, '--no-search', '--strict'], io)).toBe(1);
    expect(existsSync(join(strictOut, 'index.html'))).toBe(true);
    const counts = Object.keys(PROBLEMS).flatMap((problem) => {
      const count = warned(problem as Problem).length;
      return count > 0 ? [`${count} × ${PROBLEMS[problem as Problem]}`] : [];
    });
    expect(stdout.join('')).toContain(`${report.warnings.length} warnings (`);
    for (const count of counts) expect(stdout.join('')).toContain(count);
    expect(stderr.join('')).toContain(`copra: --strict: the snapshot's data has ${report.warnings.length} problems; the archive was written all the same.`);
  });
});

describe.each([
  // Tables whose rows other rows name (masters, slaves) and tables that are only joined (files).
  { name: 'buildbot', fixture: BUILDBOT_FIXTURE, cut: buildbotEarlyCut, drop: ['masters', 'changes', 'change_files'], counted: ['masters', 'changes'] },
  { name: 'statusdb', fixture: STATUSDB_FIXTURE, cut: statusdbEarlyCut, drop: ['slaves', 'files'], counted: ['workers'] },
])('a $name snapshot without its $drop tables', ({ fixture, cut, drop, counted }) => {
  let snapshot: string;
  let out: string;
  let report: BuildReport;

  beforeAll(async () => {
    const dir = scratchDir('copra-absent-');
    const whole = fixtureCopy(fixture, dir, 'whole.sqlite');
    snapshot = join(dir, 'snapshot.sqlite');
    cut(whole, snapshot, buildIdAt(whole, 0.02));
    dropTables(snapshot, drop);
    ({ out, report } = await buildInto(snapshot, { search: false }));
  });

  it('still gives every build its page', () => {
    const db = querySnapshot(snapshot);
    const builds = db.prepare('SELECT id FROM builds').pluck().all() as number[];
    db.close();
    expect(builds.length).toBeGreaterThan(0);
    for (const id of builds) expect(existsSync(join(out, `build/${id}/index.html`)), `build ${id}`).toBe(true);
  });

  it('says on the home page which tables were missing, counts none of their rows, and warns', () => {
    const home = readPage(out, '');
    const tables = `${drop.join(', ')} tables`;
    expect(marks(home)).toEqual([`⚠ The latest snapshot has no ${tables}: it added none of their rows to the archive.`]);
    const counts = new Map(home.querySelectorAll('table.counts tr').map((row) => [text(row.querySelector('th')), text(row.querySelector('td'))]));
    for (const label of counted) expect(counts.get(label), label).toBe('0');
    expect(report.warnings.filter((warning) => warning.problem === 'table')).toEqual([{ problem: 'table', detail: `the snapshot has no ${tables}; read as empty` }]);
  });
});
