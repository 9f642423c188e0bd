import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brotliCompressSync, deflateSync } from 'node:zlib';
import { chunkByteCap, decodeChunk, logLines, splitStream, type LogChunk, type LogLine } from '../../src/snapshot/logchunks.ts';

/** A cap no test vector reaches. */
const ANY_SIZE = 1 << 30;

// Vectors made by the C libraries buildbot's Python codecs wrap; see make-vectors.sh beside them.
const VECTORS = new URL('../fixtures/logchunks/', import.meta.url);
const FIXTURE_DB = fileURLToPath(new URL('../../data/buildbot-3.7-gecko-mini.sqlite', import.meta.url));

function vector(name: string): Buffer {
  return readFileSync(new URL(name, VECTORS));
}

const SAMPLE = vector('sample.txt').toString('utf8');
const SAMPLE_LINES = SAMPLE.split('\n');

function rawChunk(firstLine: number, lines: string[]): LogChunk {
  return { first_line: firstLine, last_line: firstLine + lines.length - 1, content: Buffer.from(lines.join('\n')), compressed: 0 };
}

function withByteFlipped(data: Buffer, index: number): Buffer {
  const copy = Buffer.from(data);
  copy[index] = (copy[index] ?? 0) ^ 0xff;
  return copy;
}

function lz4Chunk(size: number, block: number[]): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32LE(size);
  return Buffer.concat([prefix, Buffer.from(block)]);
}

describe('decodeChunk', () => {
  it('has a sample with multi-byte UTF-8 on several lines and no trailing newline', () => {
    expect(SAMPLE_LINES).toHaveLength(22);
    expect(SAMPLE).toContain('日本語');
    expect(SAMPLE).toContain('🚀');
    expect(SAMPLE.endsWith('\n')).toBe(false);
  });

  it.each([
    [0, 'sample.txt'],
    [1, 'sample.zlib'],
    [2, 'sample.bz2'],
    [3, 'sample.lz4'],
    [4, 'sample.zst'],
    [4, 'sample-streamed.zst'],
    [5, 'sample.br'],
  ])('decodes code %i (%s) back to the sample text', (code, file) => {
    expect(decodeChunk(vector(file), code, ANY_SIZE)).toEqual({ ok: true, text: SAMPLE });
  });

  it('decodes empty raw content as one empty line of text', () => {
    expect(decodeChunk(Buffer.alloc(0), 0, ANY_SIZE)).toEqual({ ok: true, text: '' });
  });

  it('reports an unknown compression code', () => {
    expect(decodeChunk(vector('sample.txt'), 9, ANY_SIZE)).toEqual({ ok: false, error: 'unknown compression code 9' });
    expect(decodeChunk(vector('sample.txt'), -1, ANY_SIZE)).toEqual({ ok: false, error: 'unknown compression code -1' });
  });

  it('reports NULL content', () => {
    expect(decodeChunk(null, 1, ANY_SIZE)).toEqual({ ok: false, error: 'chunk content is NULL' });
  });

  const zlib = vector('sample.zlib');
  const bz2 = vector('sample.bz2');
  const zstd = vector('sample.zst');
  const lz4 = vector('sample.lz4');
  const brotli = vector('sample.br');
  it.each([
    ['zlib', 1, 'a flipped byte (Adler-32 mismatch)', withByteFlipped(zlib, zlib.length - 2)],
    ['zlib', 1, 'truncated data', zlib.subarray(0, zlib.length / 2)],
    ['zlib', 1, 'gzip-framed data', Buffer.from('1f8b0800000000000003', 'hex')],
    ['bz2', 2, 'a flipped byte (CRC mismatch)', withByteFlipped(bz2, 40)],
    ['bz2', 2, 'truncated data', bz2.subarray(0, bz2.length - 20)],
    ['bz2', 2, 'no bzip2 magic', Buffer.from('not bzip2')],
    ['zstd', 4, 'truncated data', zstd.subarray(0, zstd.length - 10)],
    ['zstd', 4, 'no zstd magic', Buffer.from('not a zstd frame')],
    ['lz4', 3, 'truncated data', lz4.subarray(0, lz4.length - 10)],
    ['lz4', 3, 'less than the size prefix', Buffer.from([1, 0])],
    ['lz4', 3, 'a size prefix larger than decoded', lz4Chunk(SAMPLE.length + 1, [...lz4.subarray(4)])],
    ['lz4', 3, 'a size prefix impossible for the block', lz4Chunk(1_000_000, [0x10, 0x61])],
    // one literal "a", then a match 2 bytes back when only 1 byte exists
    ['lz4', 3, 'a match before the output start', lz4Chunk(6, [0x11, 0x61, 0x02, 0x00, 0x00])],
    ['brotli', 5, 'garbage', withByteFlipped(brotli, 0)],
  ])('reports corrupt %s data (%s) without throwing', (name, code, _what, content) => {
    const result = decodeChunk(content, code, ANY_SIZE);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(new RegExp(`^corrupt ${name} chunk: .+`));
  });
});

describe('decompression bombs', () => {
  const TEN_MB = 10_000_000;
  /** A zstd frame of RLE blocks: 4 bytes each, 128 KiB of "a" each once decoded. */
  function zstdRleBomb(blocks: number): Buffer {
    const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x50]); // no content size, 1 MiB window
    const block = (last: boolean) => {
      const value = (131_072 << 3) | (1 << 1) | (last ? 1 : 0);
      return Buffer.from([value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, 0x61]);
    };
    return Buffer.concat([header, ...Array.from({ length: blocks }, (_, index) => block(index === blocks - 1))]);
  }
  /** An lz4 block: a literal "a", a match 1 byte back repeating it, a last literal: `size` bytes. */
  function lz4Bomb(size: number): Buffer {
    let rest = size - 2 - 4 - 15;
    const lengthBytes: number[] = [];
    for (; rest >= 255; rest -= 255) lengthBytes.push(255);
    lengthBytes.push(rest);
    return lz4Chunk(size, [0x1f, 0x61, 0x01, 0x00, ...lengthBytes, 0x10, 0x61]);
  }
  const bombs = [
    ['zlib', 1, deflateSync(Buffer.alloc(TEN_MB, 'a'))],
    ['bz2', 2, vector('bomb.bz2')],
    ['lz4', 3, lz4Bomb(TEN_MB)],
    ['zstd', 4, zstdRleBomb(77)],
    ['brotli', 5, brotliCompressSync(Buffer.alloc(TEN_MB, 'a'))],
  ] as const;

  it.each(bombs)('stops a %s chunk of one line that inflates to 10 MB at what one line can hold', (name, code, content) => {
    const cap = chunkByteCap(0, 0);
    expect(content.length).toBeLessThan(cap);
    const result = decodeChunk(content, code, cap);
    expect(result).toEqual({ ok: false, error: `${name} chunk decodes to more than its lines can hold (over ${cap} bytes)` });
  });

  it.each(bombs)('decodes the same %s chunk when its line range can hold it', (_, code, content) => {
    const result = decodeChunk(content, code, chunkByteCap(0, 999));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.text.length).toBeGreaterThan(TEN_MB - 1);
  });

  it('refuses raw content longer than its lines can hold too', () => {
    const cap = chunkByteCap(0, 0);
    expect(decodeChunk(Buffer.alloc(cap + 1, 'a'), 0, cap)).toEqual({ ok: false, error: `raw chunk decodes to more than its lines can hold (over ${cap} bytes)` });
    expect(decodeChunk(Buffer.alloc(cap, 'a'), 0, cap).ok).toBe(true);
  });

  it('marks a chunk that claims more lines than any chunk holds with one line, not a billion', () => {
    const lines = [...logLines([{ first_line: 0, last_line: 999_999_999, content: Buffer.from('a'), compressed: 0 }])];
    expect(lines).toEqual([{ number: 0, missing: true, reason: 'chunk claims lines 1–1000000000, more than a chunk holds' }]);
  });
});

describe('logLines', () => {
  function texts(lines: LogLine[]): (string | null)[] {
    return lines.map((line) => ('missing' in line ? null : line.text));
  }

  it('numbers a mixed raw, zlib and corrupt log and marks only the corrupt range missing', () => {
    const chunks: LogChunk[] = [
      rawChunk(0, ['ostart', 'efirst error']),
      { first_line: 2, last_line: 23, content: vector('sample.zlib'), compressed: 1 },
      { first_line: 24, last_line: 26, content: withByteFlipped(vector('sample.zlib'), 20), compressed: 1 },
      rawChunk(27, ['oafter the damage', 'hprogram finished with exit code 0']),
    ];
    const lines = [...logLines(chunks)];

    expect(lines.map((line) => line.number)).toEqual([...Array(29).keys()]);
    expect(texts(lines)).toEqual([
      'ostart',
      'efirst error',
      ...SAMPLE_LINES,
      null,
      null,
      null,
      'oafter the damage',
      'hprogram finished with exit code 0',
    ]);
    for (const line of lines.slice(24, 27)) {
      expect(line).toMatchObject({ missing: true, reason: expect.stringMatching(/^corrupt zlib chunk: /) });
    }
  });

  it('marks the declared range of a NULL or unknown-codec chunk missing', () => {
    const lines = [
      ...logLines([
        { first_line: 0, last_line: 1, content: null, compressed: 0 },
        { first_line: 2, last_line: 2, content: Buffer.from('x'), compressed: 7 },
      ]),
    ];
    expect(lines).toEqual([
      { number: 0, missing: true, reason: 'chunk content is NULL' },
      { number: 1, missing: true, reason: 'chunk content is NULL' },
      { number: 2, missing: true, reason: 'unknown compression code 7' },
    ]);
  });

  it('trusts the decoded text over the declared range but numbers each chunk from its first_line', () => {
    const lines = [
      ...logLines([
        { ...rawChunk(0, ['oone', 'otwo']), last_line: 4 },
        rawChunk(5, ['ofive']),
      ]),
    ];
    expect(lines).toEqual([
      { number: 0, text: 'oone' },
      { number: 1, text: 'otwo' },
      { number: 5, text: 'ofive' },
    ]);
  });

  it('yields nothing for a log without chunks', () => {
    expect([...logLines([])]).toEqual([]);
  });
});

describe('splitStream', () => {
  it.each([
    ['ohello', 'o', 'hello'],
    ['ewarning: ‘Ω’', 'e', 'warning: ‘Ω’'],
    ['h in dir /builds', 'h', ' in dir /builds'],
    ['o', 'o', ''],
  ])('splits %j into stream %s', (line, stream, text) => {
    expect(splitStream(line)).toEqual({ stream, text });
  });

  it.each(['xunexpected tag', '', 'ñ'])('keeps the whole of untagged line %j as stdout', (line) => {
    expect(splitStream(line)).toEqual({ stream: 'o', text: line });
  });
});

describe('the buildbot 3.7 fixture', () => {
  interface LogRow {
    id: number;
    num_lines: number;
    type: string;
  }
  interface ChunkRow extends LogChunk {
    logid: number;
  }

  let tempDir: string;
  let db: Database.Database;

  // The fixture is in WAL mode: opening it in place would leave -wal/-shm files in data/.
  beforeAll(() => {
    tempDir = mkdtempSync(join(tmpdir(), 'copra-logchunks-'));
    const copy = join(tempDir, 'buildbot.sqlite');
    copyFileSync(FIXTURE_DB, copy);
    db = new Database(copy);
  });

  afterAll(() => {
    db?.close();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });

  function chunksByLog(): Map<number, ChunkRow[]> {
    const rows = db
      .prepare('SELECT logid, first_line, last_line, content, compressed FROM logchunks ORDER BY logid, first_line')
      .all() as ChunkRow[];
    const byLog = new Map<number, ChunkRow[]>();
    for (const row of rows) {
      const chunks = byLog.get(row.logid);
      if (chunks) chunks.push(row);
      else byLog.set(row.logid, [row]);
    }
    return byLog;
  }

  it('decodes every log to exactly logs.num_lines lines, numbered in order, none missing', { timeout: 60_000 }, () => {
    const logs = db.prepare('SELECT id, num_lines, type FROM logs ORDER BY id').all() as LogRow[];
    const chunks = chunksByLog();
    const disagreements: object[] = [];
    let untaggedStdioLines = 0;

    for (const log of logs) {
      let count = 0;
      let missing = 0;
      let misnumbered = 0;
      for (const line of logLines(chunks.get(log.id) ?? [])) {
        if (line.number !== count) misnumbered++;
        if ('missing' in line) missing++;
        else if (log.type === 's' && !/^[oeh]/.test(line.text)) untaggedStdioLines++;
        count++;
      }
      if (count !== log.num_lines || missing || misnumbered) {
        disagreements.push({ id: log.id, type: log.type, num_lines: log.num_lines, count, missing, misnumbered });
      }
    }

    expect(logs.length).toBeGreaterThan(18_000);
    expect(disagreements).toEqual([]);
    expect(untaggedStdioLines).toBe(0);
  });
});
