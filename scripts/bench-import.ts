/**
 * Measures `importDump` on a synthetic statusdb dump: writes a mysqldump with the fixture's DDL for
 * builds, steps, properties and build_properties (about 1.35M rows by default) in MySQL 5.1 style,
 * one ~1 MB extended INSERT line after another, imports it plain and gzipped, and prints rows/s
 * and MB/s. Everything is written under the OS temp dir and removed afterwards.
 *
 *   npx tsx scripts/bench-import.ts [builds]
 */
import { createReadStream, createWriteStream, statSync, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { importDump } from '../src/import/importDump.ts';

const BUILDS = Number(process.argv[2] ?? 150_000);
const STEPS_PER_BUILD = 5;
const PROPERTIES_PER_BUILD = 2;
/** mysqldump's default net_buffer_length: where it starts a new extended INSERT. */
const INSERT_BYTES = 1_046_528;

const TABLES = {
  builds: `CREATE TABLE \`builds\` (
  \`id\` int(11) NOT NULL AUTO_INCREMENT,
  \`buildnumber\` int(11) NOT NULL,
  \`builder_id\` int(11) NOT NULL,
  \`slave_id\` int(11) NOT NULL,
  \`master_id\` int(11) NOT NULL,
  \`starttime\` datetime DEFAULT NULL,
  \`endtime\` datetime DEFAULT NULL,
  \`result\` int(11) DEFAULT NULL,
  \`reason\` varchar(500) DEFAULT NULL,
  \`source_id\` int(11) DEFAULT NULL,
  \`lost\` tinyint(1) NOT NULL,
  PRIMARY KEY (\`id\`),
  KEY \`source_id\` (\`source_id\`),
  KEY \`master_id\` (\`master_id\`),
  KEY \`ix_builds_slave_id\` (\`slave_id\`),
  KEY \`ix_builds_buildnumber\` (\`buildnumber\`),
  KEY \`ix_builds_builder_id\` (\`builder_id\`),
  KEY \`ix_builds_result\` (\`result\`),
  KEY \`ix_builds_starttime\` (\`starttime\`),
  KEY \`ix_builds_endtime\` (\`endtime\`)
) ENGINE=MyISAM AUTO_INCREMENT=1896650 DEFAULT CHARSET=latin1;`,
  steps: `CREATE TABLE \`steps\` (
  \`id\` int(11) NOT NULL AUTO_INCREMENT,
  \`name\` varchar(256) NOT NULL,
  \`description\` text DEFAULT NULL,
  \`build_id\` int(11) NOT NULL,
  \`order\` int(11) NOT NULL,
  \`starttime\` datetime DEFAULT NULL,
  \`endtime\` datetime DEFAULT NULL,
  \`status\` int(11) DEFAULT NULL,
  PRIMARY KEY (\`id\`),
  KEY \`ix_steps_build_id\` (\`build_id\`),
  KEY \`ix_steps_status\` (\`status\`),
  KEY \`ix_steps_name\` (\`name\`)
) ENGINE=MyISAM AUTO_INCREMENT=55859661 DEFAULT CHARSET=latin1;`,
  properties: `CREATE TABLE \`properties\` (
  \`id\` int(11) NOT NULL AUTO_INCREMENT,
  \`name\` varchar(40) DEFAULT NULL,
  \`source\` varchar(40) DEFAULT NULL,
  \`value\` text DEFAULT NULL,
  PRIMARY KEY (\`id\`),
  KEY \`ix_properties_source\` (\`source\`),
  KEY \`ix_properties_name\` (\`name\`)
) ENGINE=MyISAM AUTO_INCREMENT=1964526 DEFAULT CHARSET=latin1;`,
  build_properties: `CREATE TABLE \`build_properties\` (
  \`property_id\` int(11) NOT NULL,
  \`build_id\` int(11) NOT NULL,
  KEY \`ix_build_properties_build_id\` (\`build_id\`),
  KEY \`ix_build_properties_property_id\` (\`property_id\`)
) ENGINE=MyISAM DEFAULT CHARSET=latin1;`,
};

const STEP_NAMES = ['worker_preparation', 'clobber', 'check_tree_open', 'hg_update', 'compile', 'make_buildsymbols', 'upload'];
const BUILDERS = ['Linux x86-64 mozilla-central nightly', 'WINNT 5.2 mozilla-central build', 'OS X 10.6.2 try build'];

function datetime(seconds: number): string {
  return new Date(Date.UTC(2010, 0, 1) + seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

function* buildRows(): Generator<string> {
  for (let id = 1; id <= BUILDS; id++) {
    const start = id * 37;
    yield `(${id},${id % 5000},${id % 300},${id % 900},${id % 12},'${datetime(start)}','${datetime(start + 1800 + (id % 600))}',${id % 7 === 0 ? 2 : 0},'The Periodic scheduler named \\'mozilla-central-nightly\\' triggered this build',${id},0)`;
  }
}

function* stepRows(): Generator<string> {
  let id = 0;
  for (let build = 1; build <= BUILDS; build++) {
    for (let order = 0; order < STEPS_PER_BUILD; order++) {
      const name = STEP_NAMES[(build + order) % STEP_NAMES.length]!;
      const start = build * 37 + order * 60;
      yield `(${++id},'${name}','[\\"${name}\\", \\"linux64-ix-${String(build % 99).padStart(2, '0')}\\", \\"ready\\"]',${build},${order},'${datetime(start)}','${datetime(start + 45)}',${order === 4 && build % 11 === 0 ? 1 : 0})`;
    }
  }
}

function* propertyRows(): Generator<string> {
  let id = 0;
  for (let build = 1; build <= BUILDS; build++) {
    yield `(${++id},'buildername','Builder','\\"${BUILDERS[build % BUILDERS.length]}\\"')`;
    yield `(${++id},'got_revision','Build','\\"${(build * 2654435761).toString(16).padStart(12, '0').slice(0, 12)}\\"')`;
  }
}

function* buildPropertyRows(): Generator<string> {
  for (let build = 1; build <= BUILDS; build++) {
    for (let k = 1; k <= PROPERTIES_PER_BUILD; k++) yield `(${(build - 1) * PROPERTIES_PER_BUILD + k},${build})`;
  }
}

async function write(out: WriteStream, text: string): Promise<void> {
  if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
}

/** Writes one table the way mysqldump 5.1 does: DDL, then ~1 MB INSERT lines. */
async function writeTable(out: WriteStream, table: keyof typeof TABLES, rows: Iterable<string>): Promise<number> {
  await write(out, `DROP TABLE IF EXISTS \`${table}\`;\n${TABLES[table]}\n\nLOCK TABLES \`${table}\` WRITE;\n`);
  const header = `INSERT INTO \`${table}\` VALUES `;
  let line: string[] = [];
  let lineBytes = 0;
  let count = 0;
  const flush = async (): Promise<void> => {
    if (line.length > 0) await write(out, `${header}${line.join(',')};\n`);
    line = [];
    lineBytes = 0;
  };
  for (const row of rows) {
    if (lineBytes + row.length + 1 > INSERT_BYTES) await flush();
    line.push(row);
    lineBytes += row.length + 1;
    count++;
  }
  await flush();
  await write(out, 'UNLOCK TABLES;\n\n');
  return count;
}

async function writeDump(path: string): Promise<number> {
  const out = createWriteStream(path);
  await write(out, '-- MySQL dump 10.13  Distrib 5.1.73, for redhat-linux-gnu (x86_64)\n/*!40101 SET NAMES utf8 */;\n\n');
  let rows = 0;
  rows += await writeTable(out, 'builds', buildRows());
  rows += await writeTable(out, 'steps', stepRows());
  rows += await writeTable(out, 'properties', propertyRows());
  rows += await writeTable(out, 'build_properties', buildPropertyRows());
  await write(out, '-- Dump completed\n');
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return rows;
}

/** Prints wall-clock rates, and CPU time too, which busy machines distort less. */
async function measure(label: string, input: string, output: string, sqlBytes: number): Promise<void> {
  const cpuBefore = process.cpuUsage();
  const summary = await importDump(input, output);
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const perSecond = (count: number, seconds: number): string => Math.round(count / seconds).toLocaleString('en-US');
  const mb = (bytes: number): string => (bytes / summary.seconds / 1e6).toFixed(1);
  console.log(
    `${label}: ${summary.rows.toLocaleString('en-US')} rows in ${summary.seconds.toFixed(2)} s: ` +
      `${perSecond(summary.rows, summary.seconds)} rows/s, ${mb(sqlBytes)} MB/s of SQL` +
      `${summary.bytes !== sqlBytes ? ` (${mb(summary.bytes)} MB/s of gzip)` : ''}; ` +
      `${cpuSeconds.toFixed(2)} s of CPU: ${perSecond(summary.rows, cpuSeconds)} rows/s, ${(sqlBytes / cpuSeconds / 1e6).toFixed(1)} MB/s; ` +
      `output ${(statSync(output).size / 1e6).toFixed(0)} MB`,
  );
}

const directory = await mkdtemp(join(tmpdir(), 'copra-bench-import-'));
try {
  const plain = join(directory, 'statusdb.sql');
  const gzipped = `${plain}.gz`;
  const rows = await writeDump(plain);
  const sqlBytes = statSync(plain).size;
  await pipeline(createReadStream(plain), createGzip(), createWriteStream(gzipped));
  console.log(`synthetic dump: ${rows.toLocaleString('en-US')} rows, ${(sqlBytes / 1e6).toFixed(0)} MB of SQL, ${(statSync(gzipped).size / 1e6).toFixed(0)} MB gzipped`);
  await measure('plain', plain, join(directory, 'plain.sqlite'), sqlBytes);
  await measure('gzip ', gzipped, join(directory, 'gzip.sqlite'), sqlBytes);
} finally {
  await rm(directory, { recursive: true, force: true });
}
