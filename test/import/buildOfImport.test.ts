import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importDump } from '../../src/import/importDump.ts';
import { REPO, STATUSDB_FIXTURE, archiveFiles, buildInto, fixtureCopy, readPage, scratchDir, text } from '../helpers/archive.ts';

const DUMP = join(REPO, 'test', 'fixtures', 'statusdb-gecko-mini.sql.gz');

function contents(out: string): Record<string, string> {
  return Object.fromEntries(
    archiveFiles(out).map((path) => [path, createHash('sha256').update(readFileSync(join(out, path))).digest('hex')]),
  );
}

describe('an archive of an imported dump', () => {
  it('is byte for byte the archive of the SQLite fixture', async () => {
    const dir = join(scratchDir(), 'imported');
    mkdirSync(dir);
    // Same file name: the archive is titled after it.
    const imported = join(dir, 'statusdb-gecko-mini.sqlite');
    await importDump(DUMP, imported);
    const [fromImport, fromFixture] = [await buildInto(imported, { logs: 'none' }), await buildInto(STATUSDB_FIXTURE, { logs: 'none' })];
    const files = contents(fromFixture.out);
    expect(Object.keys(files).length).toBeGreaterThan(4000);
    expect(contents(fromImport.out)).toEqual(files);
  });

  it('shows mojibake repaired where it round-trips, and other text as stored', async () => {
    const copy = fixtureCopy(STATUSDB_FIXTURE, scratchDir());
    const db = new Database(copy);
    const change = db.prepare('SELECT sc.source_id AS stamp, c.id FROM changes c JOIN source_changes sc ON sc.change_id = c.id LIMIT 1').get() as {
      stamp: number;
      id: number;
    };
    const mojibake = Buffer.from('Jürgen 日本語', 'utf8').toString('latin1');
    db.prepare('UPDATE changes SET who = ?, comments = ? WHERE id = ?').run(mojibake, 'naïve café stays', change.id);
    db.close();

    const { out } = await buildInto(copy, { logs: 'none' });
    const shown = text(readPage(out, `source/${change.stamp}/`).querySelector('.change'));
    expect(shown).toContain('Jürgen 日本語');
    expect(shown).toContain('naïve café stays');
  });
});
