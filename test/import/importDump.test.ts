import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CopraError } from '../../src/errors.ts';
import { importDump, type ImportProgress } from '../../src/import/importDump.ts';
import { expectSameDatabase, FIXTURE_DATABASE, FIXTURE_DUMP, temporaryDirectories } from './helpers.ts';

const directories = temporaryDirectories();
afterEach(() => directories.cleanUp());

let dumpText = '';
beforeAll(() => {
  dumpText = gunzipSync(readFileSync(FIXTURE_DUMP)).toString('utf8');
});

/** Writes `content` as the dump in a fresh directory; returns the dump's and the output's paths. */
function stage(name: string, content: string | Buffer): { input: string; output: string; directory: string } {
  const directory = directories.make();
  const input = join(directory, name);
  writeFileSync(input, content);
  return { input, output: join(directory, 'snapshot.sqlite'), directory };
}

async function importError(input: string, output: string): Promise<CopraError> {
  try {
    await importDump(input, output);
  } catch (error) {
    if (error instanceof CopraError) return error;
    throw error;
  }
  throw new Error(`${input} was imported without an error`);
}

/** 1-based line of the byte at `offset`. */
function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

describe('importDump of the statusdb fixture', () => {
  it('produces exactly the fixture database from the gzip dump', async () => {
    const directory = directories.make();
    const output = join(directory, 'snapshot.sqlite');
    await importDump(FIXTURE_DUMP, output);
    expectSameDatabase(output, FIXTURE_DATABASE);
    expect(readdirSync(directory)).toEqual(['snapshot.sqlite']);
  });

  it('produces the same database from the plain SQL dump', async () => {
    const { input, output } = stage('dump.sql', dumpText);
    await importDump(input, output);
    expectSameDatabase(output, FIXTURE_DATABASE);
  });

  it('summarises the tables and rows and reports progress up to the end of the file', async () => {
    const output = join(directories.make(), 'snapshot.sqlite');
    const progress: ImportProgress[] = [];
    const summary = await importDump(FIXTURE_DUMP, output, { onProgress: (report) => progress.push(report) });

    const fixture = new Database(FIXTURE_DATABASE, { readonly: true });
    const tables = fixture
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'sqlite_sequence' ORDER BY rowid`)
      .pluck()
      .all() as string[];
    const expected = tables.map((name) => ({ name, rows: fixture.prepare(`SELECT count(*) FROM "${name}"`).pluck().get() as number }));
    fixture.close();

    expect(summary.tables).toEqual(expected);
    expect(summary.rows).toBe(expected.reduce((sum, table) => sum + table.rows, 0));
    expect(summary.bytes).toBe(readFileSync(FIXTURE_DUMP).length);
    expect(summary.seconds).toBeGreaterThan(0);
    expect(progress.at(-1)).toEqual({ bytesRead: summary.bytes, totalBytes: summary.bytes, rows: summary.rows, table: 'steps' });
  });

  it('writes an ordinary rollback-journal database and replaces an existing output', async () => {
    const { input, output, directory } = stage('dump.sql', dumpText);
    writeFileSync(output, 'an older snapshot');
    await importDump(input, output);
    const db = new Database(output, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    expect(readdirSync(directory).sort()).toEqual(['dump.sql', 'snapshot.sqlite']);
  });
});

describe('importDump of other mysqldump forms', () => {
  const dump = [
    '-- MySQL dump 10.13  Distrib 5.1.73, for redhat-linux-gnu (x86_64)',
    '/*!40101 SET NAMES utf8 */;',
    'DROP TABLE IF EXISTS `pairs`;',
    'CREATE TABLE `pairs` (`a` int(11) NOT NULL, `b` varchar(10) NOT NULL, PRIMARY KEY (`a`,`b`)) ENGINE=MyISAM DEFAULT CHARSET=latin1;',
    "INSERT INTO `pairs` VALUES (1,'x');",
    'DROP TABLE IF EXISTS `pairs`;',
    'CREATE TABLE `pairs` (',
    '  `a` int(11) NOT NULL,',
    '  `b` varchar(10) NOT NULL,',
    '  `price` decimal(10,2) DEFAULT NULL,',
    "  `at` datetime NOT NULL DEFAULT '0000-00-00 00:00:00',",
    '  `blob` blob,',
    '  PRIMARY KEY (`a`,`b`),',
    '  UNIQUE KEY `b` (`b`(5)),',
    '  KEY `ix_pairs_at` (`at`)',
    ') ENGINE=InnoDB DEFAULT CHARSET=latin1;',
    'LOCK TABLES `pairs` WRITE;',
    "INSERT INTO `pairs` (`b`, `a`, `at`) VALUES ('one',1,'0000-00-00 00:00:00');",
    "INSERT INTO `pairs` VALUES (2,'two',3.00,'2010-05-06 07:08:09',0x0102),(3,'three',NULL,'2010-05-06 07:08:10',NULL);",
    "INSERT IGNORE INTO `pairs` VALUES (3,'three',9.5,'2011-01-01 00:00:00',NULL);",
    'UNLOCK TABLES;',
    '',
  ].join('\n');

  it('handles column lists, single-row inserts, INSERT IGNORE, DROP and re-CREATE, and composite keys', async () => {
    const { input, output } = stage('other.sql', dump);
    const summary = await importDump(input, output);
    expect(summary.tables).toEqual([{ name: 'pairs', rows: 4 }]);

    const db = new Database(output, { readonly: true });
    expect(db.prepare(`SELECT sql FROM sqlite_master ORDER BY name`).pluck().all()).toEqual([
      'CREATE TABLE "pairs" ("a" INTEGER NOT NULL, "b" VARCHAR NOT NULL, "price" REAL, "at" DATETIME NOT NULL, "blob" BLOB, PRIMARY KEY ("a", "b"))',
      'CREATE UNIQUE INDEX "pairs_b" ON "pairs" ("b")',
      'CREATE INDEX "pairs_ix_pairs_at" ON "pairs" ("at")',
      null, // the primary key's automatic index
    ]);
    const rows = db.prepare(`SELECT a, typeof(a), b, price, typeof(price), at, blob FROM pairs ORDER BY a`).raw().all();
    db.close();
    expect(rows).toEqual([
      [1, 'integer', 'one', null, 'null', '0000-00-00 00:00:00', null],
      [2, 'integer', 'two', 3, 'real', '2010-05-06 07:08:09', Buffer.from([1, 2])],
      [3, 'integer', 'three', null, 'null', '2010-05-06 07:08:10', null],
    ]);
  });
});

describe('importDump of a malformed dump', () => {
  /** Cuts the fixture text 15 characters into a row of the `steps` INSERT. */
  function truncatedText(): { text: string; line: number } {
    const steps = dumpText.indexOf('INSERT INTO `steps` VALUES');
    let cut = steps;
    for (let row = 0; row < 500; row++) cut = dumpText.indexOf('\n(', cut + 1);
    cut += 16;
    return { text: dumpText.slice(0, cut), line: lineAt(dumpText, cut - 1) };
  }

  /** Fails unless the import failed with a one-line message and left only the dump (and any older output) behind. */
  async function expectFailure(name: string, content: string | Buffer): Promise<string> {
    const { input, output, directory } = stage(name, content);
    writeFileSync(output, 'an older snapshot');
    const error = await importError(input, output);
    expect(error.exitCode).toBe(2);
    expect(error.message).not.toContain('\n');
    expect(error.message.startsWith(`${input}:`)).toBe(true);
    expect(readdirSync(directory).sort()).toEqual([name, 'snapshot.sqlite'].sort());
    expect(readFileSync(output, 'utf8')).toBe('an older snapshot');
    return error.message.slice(input.length);
  }

  it('names the line where a plain dump is cut off in the middle of an INSERT', async () => {
    const { text, line } = truncatedText();
    const message = await expectFailure('cut.sql', text);
    expect(message).toMatch(new RegExp(`^:${line}: the dump ends (in the middle of|inside a string that starts on line ${line}, in) an INSERT into \`steps\``));
    expect(message).toContain(`near "${text.slice(text.lastIndexOf('\n') + 1)}"`);
    expect(message).toMatch(/; the file is truncated: dump or download it again$/);
  });

  it('names the same line when the cut-off dump is gzipped', async () => {
    const { text, line } = truncatedText();
    const message = await expectFailure('cut.sql.gz', gzipSync(text));
    expect(message).toMatch(new RegExp(`^:${line}: the dump ends .* an INSERT into \`steps\``));
  });

  it('reports a gzip file that is cut short, with the last line it could read', async () => {
    const compressed = readFileSync(FIXTURE_DUMP);
    const message = await expectFailure('cut.sql.gz', compressed.subarray(0, compressed.length >> 1));
    const line = Number(/^:(\d+): /.exec(message)?.[1]);
    expect(line).toBeGreaterThan(1);
    expect(line).toBeLessThan(dumpText.split('\n').length);
    expect(message).toMatch(/: the gzip data ends early near ".+"; the file is truncated/);
  });

  it('reports gzip data that fails its checksum', async () => {
    const compressed = Buffer.from(readFileSync(FIXTURE_DUMP));
    compressed[compressed.length - 8]! ^= 1; // the first byte of the CRC-32 in the gzip trailer
    const message = await expectFailure('corrupt.sql.gz', compressed);
    // zlib withholds its last block of output when the check fails, so the line is near the end.
    const line = Number(/^:(\d+): /.exec(message)?.[1]);
    expect(line).toBeGreaterThan(dumpText.split('\n').length * 0.9);
    expect(message).toMatch(/: the gzip data is corrupt \(incorrect data check\) near ".+"; the file is damaged: dump or download it again$/);
  });

  it('stops at damaged gzip data, wherever the damage shows first', async () => {
    const compressed = Buffer.from(readFileSync(FIXTURE_DUMP));
    compressed.fill(0xff, compressed.length >> 1, (compressed.length >> 1) + 64);
    // Inflating may produce garbage SQL before zlib notices: either way the import stops at a line.
    expect(await expectFailure('corrupt.sql.gz', compressed)).toMatch(/^:\d+: .+ near ".+"/);
  });

  it('names the line and shows a garbage statement', async () => {
    const unlock = dumpText.indexOf('UNLOCK TABLES;\n') + 'UNLOCK TABLES;\n'.length;
    const text = `${dumpText.slice(0, unlock)}PK\x03\x04 this is not SQL;\n${dumpText.slice(unlock)}`;
    const message = await expectFailure('garbage.sql', text);
    expect(message).toBe(`:${lineAt(text, unlock)}: not a MySQL statement near "PK   this is not SQL;"; is this a mysqldump file?`);
  });

  it('names the line of a damaged row', async () => {
    const builds = dumpText.indexOf('INSERT INTO `builds` VALUES');
    const row = dumpText.indexOf('\n(', builds) + 1 + 300; // somewhere in the first rows
    const start = dumpText.indexOf('\n(', row) + 1;
    const text = `${dumpText.slice(0, start)}[${dumpText.slice(start + 1)}`;
    const message = await expectFailure('damaged.sql', text);
    expect(message).toMatch(new RegExp(`^:${lineAt(text, start)}: expected '\\(' to start a row of \`builds\` near "\\[`));
  });

  it('reports an unterminated string at the line where the dump ends', async () => {
    const text = [
      'CREATE TABLE `t` (`id` int(11) NOT NULL, `s` text, PRIMARY KEY (`id`));',
      "INSERT INTO `t` VALUES (1,'fine'),",
      "(2,'never closed),",
      '(3,NULL);',
      '',
    ].join('\n');
    const message = await expectFailure('unterminated.sql', text);
    expect(message).toBe(
      ':4: the dump ends inside a string that starts on line 3, in an INSERT into `t` near "(3,NULL);"; the file is truncated: dump or download it again',
    );
  });

  it('reports rows that do not fit their table', async () => {
    const text = 'CREATE TABLE `t` (`a` int, `b` int);\nINSERT INTO `t` VALUES (1,2),\n(3);\n';
    expect(await expectFailure('narrow.sql', text)).toBe(':3: a row of `t` has 1 values for 2 columns near "(3);"');
  });

  it('reports an INSERT into a table the dump never created', async () => {
    const message = await expectFailure('data-only.sql', 'SET NAMES utf8;\nINSERT INTO `t` VALUES (1);\n');
    expect(message).toMatch(/^:2: an INSERT into `t`, a table the dump has not created near ".*"; dump the schema too/);
  });

  it('reports rows SQLite refuses at the end of their INSERT', async () => {
    const text = 'CREATE TABLE `t` (`id` int(11) NOT NULL AUTO_INCREMENT, PRIMARY KEY (`id`));\nINSERT INTO `t` VALUES (1),\n(1);\nUNLOCK TABLES;\n';
    expect(await expectFailure('duplicates.sql', text)).toBe(
      ':3: SQLite refused one of the last 2 rows of `t` read: UNIQUE constraint failed: t.id near "(1);"',
    );
  });

  it('reports rows that break a unique key', async () => {
    const text = "CREATE TABLE `t` (`a` int, UNIQUE KEY `a` (`a`));\nINSERT INTO `t` VALUES (1),(1);\n";
    expect(await expectFailure('duplicates.sql', text)).toBe(': cannot create index t_a of `t`: UNIQUE constraint failed: t.a');
  });

  it('refuses a file without CREATE TABLE', async () => {
    expect(await expectFailure('empty.sql', '-- nothing here\n')).toBe(': no CREATE TABLE found; is this a mysqldump file?');
  });
});

describe('importDump arguments', () => {
  it('reports a missing dump file', async () => {
    const directory = directories.make();
    const error = await importError(join(directory, 'missing.sql.gz'), join(directory, 'out.sqlite'));
    expect(error.message).toBe(`cannot read ${join(directory, 'missing.sql.gz')}: no such file`);
    expect(readdirSync(directory)).toEqual([]);
  });

  it('reports an output directory that does not exist', async () => {
    const output = join(directories.make(), 'no', 'such', 'dir', 'out.sqlite');
    const error = await importError(FIXTURE_DUMP, output);
    expect(error.message).toMatch(/^cannot write .*out\.sqlite: the directory .* does not exist; create it first$/);
  });
});
