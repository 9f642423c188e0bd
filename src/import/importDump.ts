/**
 * `copra import dump.sql.gz -o snapshot.sqlite`: loads a mysqldump (plain or gzip) into a SQLite
 * snapshot with the schema statusdb's own SQLite databases have: the same tables and columns,
 * `INTEGER PRIMARY KEY AUTOINCREMENT` ids, MySQL keys as `<table>_<key>` indexes, and values kept as
 * dumped (datetimes as text, integers as integers).
 *
 * The dump is streamed: rows go into SQLite as they are parsed, in large transactions, and the
 * indexes are built once at the end. The database is written beside the output under a temporary
 * name and renamed into place only when everything worked, so a failed import leaves nothing behind.
 */
import { createReadStream, type ReadStream, rmSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import Database from 'better-sqlite3';
import { CopraError } from '../errors.ts';
import {
  DumpError,
  MysqlDumpReader,
  parseCreateTable,
  parseDropTable,
  type DumpHandler,
  type InsertTarget,
  type KeyDefinition,
  type SqlValue,
  type TableDefinition,
} from './mysqldump.ts';

export interface ImportProgress {
  /** Bytes of the dump file read so far (compressed bytes for a .gz). */
  bytesRead: number;
  totalBytes: number;
  rows: number;
  /** The table whose rows are being loaded, or null before the first INSERT. */
  table: string | null;
}

export interface ImportOptions {
  /** Called every 100 ms or so while the dump is read, and once at the end of it. */
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportSummary {
  /** The tables created, in dump order, with the number of rows read for each. */
  tables: { name: string; rows: number }[];
  rows: number;
  /** Size of the dump file (compressed size for a .gz). */
  bytes: number;
  seconds: number;
}

/** Big enough that commits cost nothing, small enough to keep SQLite's page cache bounded. */
const ROWS_PER_TRANSACTION = 50_000;
/**
 * Rows per INSERT statement. One statement per row spends most of its time entering SQLite and,
 * for AUTOINCREMENT tables, updating sqlite_sequence; batching makes loading about twice as fast.
 */
const ROWS_PER_BATCH = 100;
/** SQLite's limit on the number of ? in one statement. */
const MAX_PARAMETERS = 32_766;
const PROGRESS_INTERVAL_MS = 100;
const READ_CHUNK_BYTES = 1024 * 1024;
const GUNZIP_CHUNK_BYTES = 256 * 1024;

export async function importDump(input: string, output: string, options: ImportOptions = {}): Promise<ImportSummary> {
  const startedAt = performance.now();
  const dump = await inspectDump(input);
  await checkOutputDirectory(output);
  const tempPath = `${output}.tmp-${process.pid}`;
  await rm(tempPath, { force: true });
  const db = openTempDatabase(tempPath, output);
  // An interrupted import must not leave its half-written database behind either.
  const onSignal = () => {
    if (db.open) db.close();
    rmSync(tempPath, { force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    const loader = new SnapshotLoader(db);
    await readDump(input, dump, loader, options.onProgress);
    if (loader.tableCount === 0) throw new CopraError(`${input}: no CREATE TABLE found; is this a mysqldump file?`);
    loader.finish();
    db.close();
    await rename(tempPath, output);
    return { tables: loader.summary(), rows: loader.rows, bytes: dump.size, seconds: (performance.now() - startedAt) / 1000 };
  } catch (error) {
    if (db.open) db.close();
    await rm(tempPath, { force: true });
    throw asCopraError(error, input, output);
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}

interface DumpFile {
  size: number;
  gzip: boolean;
}

/** Checks the dump can be read and tells gzip from plain SQL by its magic bytes, not its name. */
async function inspectDump(input: string): Promise<DumpFile> {
  let handle;
  try {
    handle = await open(input, 'r');
  } catch (error) {
    throw new CopraError(`cannot read ${input}: ${describeSystemError(error)}`, 2, { cause: error });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new CopraError(`cannot read ${input}: it is not a file`);
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return { size: info.size, gzip: bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b };
  } finally {
    await handle.close();
  }
}

async function checkOutputDirectory(output: string): Promise<void> {
  const directory = dirname(output);
  try {
    if ((await stat(directory)).isDirectory()) return;
  } catch {
    // reported below
  }
  throw new CopraError(`cannot write ${output}: the directory ${directory} does not exist; create it first`);
}

/** Durability is pointless for a file that is deleted if anything goes wrong, so it is turned off. */
function openTempDatabase(path: string, output: string): Database.Database {
  let db;
  try {
    db = new Database(path);
  } catch (error) {
    throw new CopraError(`cannot write ${output}: ${error instanceof Error ? error.message : String(error)}`, 2, { cause: error });
  }
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('cache_size = -65536'); // 64 MiB, for building the indexes
  return db;
}

/** Streams the file through the reader chunk by chunk; returns when every row is in. */
async function readDump(
  input: string,
  dump: DumpFile,
  loader: SnapshotLoader,
  onProgress: ImportOptions['onProgress'],
): Promise<void> {
  const file = createReadStream(input, { highWaterMark: READ_CHUNK_BYTES });
  // pipeline() tears the file stream down with the gunzip stream when reading stops early.
  const source: Readable = dump.gzip ? pipeline(file, createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES }), () => {}) : file;
  const reader = new MysqlDumpReader(loader);
  const reportProgress = progressReporter(onProgress, file, dump.size, loader);
  try {
    await forEachChunk(source, (chunk) => {
      reader.write(chunk);
      reportProgress(false);
    });
  } catch (error) {
    if (isZlibError(error)) throw gzipError(error, reader);
    throw error;
  }
  reader.end();
  reportProgress(true);
}

/**
 * Feeds every chunk to `read`, which works synchronously, so nothing piles up in memory.
 * Not `for await`: a stream's async iterator drops the chunks still buffered when zlib fails,
 * and the error would then name a line before the damaged place.
 */
function forEachChunk(source: Readable, read: (chunk: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    source.on('data', (chunk: Buffer) => {
      try {
        read(chunk);
      } catch (error) {
        source.destroy();
        reject(error);
      }
    });
    source.once('end', resolve);
    source.once('error', reject);
  });
}

function progressReporter(
  onProgress: ImportOptions['onProgress'],
  file: ReadStream,
  totalBytes: number,
  loader: SnapshotLoader,
): (final: boolean) => void {
  let reportedAt = -Infinity;
  return (final) => {
    const now = performance.now();
    if (!onProgress || (!final && now - reportedAt < PROGRESS_INTERVAL_MS)) return;
    reportedAt = now;
    onProgress({ bytesRead: file.bytesRead, totalBytes, rows: loader.rows, table: loader.currentTable });
  };
}

function isZlibError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && (error as NodeJS.ErrnoException).code!.startsWith('Z_');
}

function gzipError(error: NodeJS.ErrnoException, reader: MysqlDumpReader): DumpError {
  const { line, excerpt } = reader.location();
  const truncated = error.code === 'Z_BUF_ERROR';
  const message = truncated ? 'the gzip data ends early' : `the gzip data is corrupt (${error.message})`;
  const fix = truncated ? 'the file is truncated: dump or download it again' : 'the file is damaged: dump or download it again';
  return new DumpError(message, fix).at(line, excerpt);
}

interface LoadedTable {
  definition: TableDefinition;
  rows: number;
}

interface InsertStatements {
  /** Inserts one row. */
  single: Database.Statement;
  /** Inserts a whole batch of rows. */
  batch: Database.Statement;
  /** How many values a batch takes: batch rows × row width. */
  batchValues: number;
}

interface InsertInto extends InsertStatements {
  table: LoadedTable;
  width: number;
  /** The values of the rows read but not inserted yet, one row after the other; at most one batch. */
  pending: SqlValue[];
}

/** Receives the dump's statements and rows and writes them to the SQLite database. */
class SnapshotLoader implements DumpHandler {
  rows = 0;
  currentTable: string | null = null;
  private readonly tables = new Map<string, LoadedTable>();
  private readonly statements = new Map<string, InsertStatements>();
  private target: InsertInto | null = null;
  private rowsInTransaction = 0;

  constructor(private readonly db: Database.Database) {
    db.exec('BEGIN');
  }

  get tableCount(): number {
    return this.tables.size;
  }

  statement(sql: string, line: number): void {
    if (/^CREATE\b/i.test(sql)) {
      const definition = parseCreateTable(sql, line);
      if (definition) this.createTable(definition);
    } else if (/^DROP\b/i.test(sql)) {
      for (const name of parseDropTable(sql, line) ?? []) this.dropTable(name);
    }
    // SET, LOCK/UNLOCK TABLES, ALTER … DISABLE KEYS and the like change nothing in a snapshot.
  }

  insert(target: InsertTarget): void {
    const table = this.tables.get(target.table);
    if (!table) {
      throw new DumpError(`an INSERT into \`${target.table}\`, a table the dump has not created`, 'dump the schema too (no --no-create-info)');
    }
    const columns = target.columns ?? table.definition.columns.map((column) => column.name);
    const known = new Set(table.definition.columns.map((column) => column.name));
    const unknown = columns.find((column) => !known.has(column));
    if (unknown !== undefined) throw new DumpError(`an INSERT into \`${target.table}\` names \`${unknown}\`, which is not one of its columns`);
    this.target = { table, width: columns.length, ...this.insertStatements(target.table, columns, target.conflict), pending: [] };
    this.currentTable = target.table;
  }

  row(values: SqlValue[]): void {
    const target = this.target!;
    if (values.length !== target.width) {
      throw new DumpError(`a row of \`${target.table.definition.name}\` has ${values.length} values for ${target.width} columns`);
    }
    target.pending.push(...values);
    target.table.rows++;
    this.rows++;
    if (target.pending.length === target.batchValues) this.flushRows();
  }

  endInsert(): void {
    this.flushRows();
  }

  /** Commits the rows, then builds the indexes: one sort per index instead of a B-tree update per row. */
  finish(): void {
    this.db.exec('COMMIT');
    for (const { definition } of this.tables.values()) {
      for (const key of definition.keys) {
        if (key.kind !== 'primary') this.createIndex(definition.name, key);
      }
    }
  }

  summary(): ImportSummary['tables'] {
    return [...this.tables.values()].map((table) => ({ name: table.definition.name, rows: table.rows }));
  }

  private createTable(definition: TableDefinition): void {
    if (this.tables.has(definition.name)) {
      if (definition.ifNotExists) return;
      throw new DumpError(`table \`${definition.name}\` is created twice`, 'a dump made of several dumps needs DROP TABLE before each CREATE');
    }
    checkKeyColumns(definition);
    this.db.exec(sqliteCreateTable(definition));
    this.tables.set(definition.name, { definition, rows: 0 });
  }

  private dropTable(name: string): void {
    if (!this.tables.delete(name)) return;
    if (this.target?.table.definition.name === name) this.target = null;
    for (const key of this.statements.keys()) {
      if (key.startsWith(`${name}\0`)) this.statements.delete(key);
    }
    this.db.exec(`DROP TABLE ${quoteName(name)}`);
  }

  /** Inserts the pending rows: a full batch at once, the rest of an INSERT's rows one by one. */
  private flushRows(): void {
    const target = this.target;
    if (!target || target.pending.length === 0) return;
    const { pending, width } = target;
    const rows = pending.length / width;
    try {
      if (pending.length === target.batchValues) target.batch.run(pending);
      else for (let start = 0; start < pending.length; start += width) target.single.run(pending.slice(start, start + width));
    } catch (error) {
      if (error instanceof Database.SqliteError) {
        throw new DumpError(`SQLite refused one of the last ${rows} rows of \`${target.table.definition.name}\` read: ${error.message}`);
      }
      throw error;
    }
    this.rowsInTransaction += rows;
    pending.length = 0;
    if (this.rowsInTransaction >= ROWS_PER_TRANSACTION) {
      this.db.exec('COMMIT; BEGIN');
      this.rowsInTransaction = 0;
    }
  }

  private insertStatements(table: string, columns: string[], conflict: InsertTarget['conflict']): InsertStatements {
    const key = `${table}\0${columns.join('\0')}\0${conflict}`;
    let statements = this.statements.get(key);
    if (!statements) {
      const verb = conflict === 'ignore' ? 'INSERT OR IGNORE' : conflict === 'replace' ? 'INSERT OR REPLACE' : 'INSERT';
      const row = `(${columns.map(() => '?').join(', ')})`;
      const insert = `${verb} INTO ${quoteName(table)} (${columns.map(quoteName).join(', ')}) VALUES `;
      const batchRows = Math.max(1, Math.min(ROWS_PER_BATCH, Math.floor(MAX_PARAMETERS / columns.length)));
      statements = {
        single: this.db.prepare(insert + row),
        batch: this.db.prepare(insert + Array(batchRows).fill(row).join(', ')),
        batchValues: batchRows * columns.length,
      };
      this.statements.set(key, statements);
    }
    return statements;
  }

  private createIndex(table: string, key: KeyDefinition): void {
    const name = `${table}_${key.name}`;
    const unique = key.kind === 'unique' ? 'UNIQUE ' : '';
    try {
      this.db.exec(`CREATE ${unique}INDEX ${quoteName(name)} ON ${quoteName(table)} (${key.columns.map(quoteName).join(',')})`);
    } catch (error) {
      if (error instanceof Database.SqliteError) throw new DumpError(`cannot create index ${name} of \`${table}\`: ${error.message}`);
      throw error;
    }
  }
}

function checkKeyColumns(definition: TableDefinition): void {
  const columns = new Set(definition.columns.map((column) => column.name));
  for (const key of definition.keys) {
    const missing = key.columns.find((column) => !columns.has(column));
    if (missing !== undefined) {
      throw new DumpError(`a key of table \`${definition.name}\` names \`${missing}\`, which is not one of its columns`);
    }
  }
}

/** MySQL types as statusdb's SQLite databases name them; other types keep their MySQL name. */
const SQLITE_TYPES: Record<string, string> = {
  tinyint: 'INTEGER',
  smallint: 'INTEGER',
  mediumint: 'INTEGER',
  int: 'INTEGER',
  integer: 'INTEGER',
  bigint: 'INTEGER',
  serial: 'INTEGER',
  bit: 'INTEGER',
  bool: 'INTEGER',
  boolean: 'INTEGER',
  year: 'INTEGER',
  // REAL, not SQLite's NUMERIC, which would store 3.00 as the integer 3.
  decimal: 'REAL',
  dec: 'REAL',
  numeric: 'REAL',
  fixed: 'REAL',
  float: 'REAL',
  double: 'REAL',
  real: 'REAL',
  tinytext: 'TEXT',
  text: 'TEXT',
  mediumtext: 'TEXT',
  longtext: 'TEXT',
  json: 'TEXT',
  enum: 'VARCHAR',
  set: 'VARCHAR',
  binary: 'BLOB',
  varbinary: 'BLOB',
  tinyblob: 'BLOB',
  blob: 'BLOB',
  mediumblob: 'BLOB',
  longblob: 'BLOB',
};

function sqliteType(mysqlType: string): string {
  return SQLITE_TYPES[mysqlType] ?? mysqlType.toUpperCase();
}

/**
 * One line, as statusdb's SQLite files have it. A single integer primary key becomes the rowid
 * (`INTEGER PRIMARY KEY`, with AUTOINCREMENT when MySQL had AUTO_INCREMENT); any other primary key
 * stays a table constraint.
 */
function sqliteCreateTable(table: TableDefinition): string {
  const primaryKey = table.keys.find((key) => key.kind === 'primary');
  const rowidColumn = table.columns.find(
    (column) => primaryKey?.columns.length === 1 && primaryKey.columns[0] === column.name && sqliteType(column.type) === 'INTEGER',
  );
  const definitions = table.columns.map((column) => {
    if (column === rowidColumn) return `${quoteName(column.name)} INTEGER PRIMARY KEY${column.autoIncrement ? ' AUTOINCREMENT' : ''}`;
    return `${quoteName(column.name)} ${sqliteType(column.type)}${column.notNull ? ' NOT NULL' : ''}`;
  });
  if (primaryKey && !rowidColumn) definitions.push(`PRIMARY KEY (${primaryKey.columns.map(quoteName).join(', ')})`);
  return `CREATE TABLE ${quoteName(table.name)} (${definitions.join(', ')})`;
}

function quoteName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function describeSystemError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return error instanceof Error ? error.message : String(error);
}

/** Turns what the user can act on into a one-line CopraError; anything else is a bug and is rethrown. */
function asCopraError(error: unknown, input: string, output: string): unknown {
  if (error instanceof CopraError) return error;
  if (error instanceof DumpError) {
    const place = error.line === null ? input : `${input}:${error.line}`;
    const near = error.excerpt === '' ? '' : ` near "${error.excerpt}"`;
    return new CopraError(`${place}: ${error.message}${near}${error.fix ? `; ${error.fix}` : ''}`);
  }
  if (error instanceof Database.SqliteError) return new CopraError(`cannot write ${output}: ${error.message}`, 2, { cause: error });
  if (error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string') {
    return new CopraError(`cannot import ${input} into ${output}: ${describeSystemError(error)}`, 2, { cause: error });
  }
  return error;
}
