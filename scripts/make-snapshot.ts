/**
 * Writes a deterministic synthetic snapshot (see src/generate/):
 *
 *   npm run make-snapshot -- --schema statusdb|buildbot --builds N --seed S --out FILE [--preset mozilla2010]
 *
 * A preset gives the schema and number of builds; --schema and --builds override it.
 */
import { parseArgs } from 'node:util';
import { PRESETS, type SnapshotSchema } from '../src/generate/proportions.ts';
import { makeSnapshot } from '../src/generate/snapshot.ts';

const USAGE =
  'Usage: npm run make-snapshot -- --schema statusdb|buildbot --builds N --seed S --out FILE [--preset mozilla2010]';

function fail(message: string): never {
  process.stderr.write(`make-snapshot: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseOptions() {
  const { values } = parseArgs({
    options: {
      schema: { type: 'string' },
      builds: { type: 'string' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
      preset: { type: 'string' },
    },
  });
  const preset = values.preset === undefined ? undefined : PRESETS[values.preset];
  if (values.preset !== undefined && !preset) fail(`unknown preset "${values.preset}" (known: ${Object.keys(PRESETS).join(', ')})`);
  const schema = values.schema ?? preset?.schema;
  if (schema !== 'statusdb' && schema !== 'buildbot') fail('--schema takes statusdb or buildbot');
  const builds = values.builds === undefined ? preset?.builds : Number(values.builds);
  if (builds === undefined || !Number.isInteger(builds) || builds < 1) fail('--builds takes a whole number above 0');
  if (!values.out) fail('--out FILE is required');
  return { schema: schema as SnapshotSchema, builds, seed: values.seed, out: values.out };
}

const options = parseOptions();
const report = makeSnapshot(options);
for (const [table, rows] of Object.entries(report.rows)) process.stdout.write(`  ${table.padEnd(22)} ${rows}\n`);
const rowsPerSecond = Math.round(report.totalRows / report.seconds);
// scripts/bench.ts parses this line.
process.stdout.write(
  `Wrote ${options.out}: ${options.schema}, ${options.builds} builds, ${report.totalRows} rows, ${report.bytes} bytes ` +
    `in ${report.seconds.toFixed(1)}s (${rowsPerSecond} rows/s; indexes ${report.indexSeconds.toFixed(1)}s)\n`,
);
