/**
 * Decodes buildbot's `logchunks` rows back into log lines.
 *
 * A chunk holds an inclusive, 0-based range of lines of one log: UTF-8 lines joined by `\n` with no
 * trailing newline, stored raw or compressed with the codec its `compressed` column names. Buildbot
 * keeps a chunk raw when compressing would not shrink it, so one log can mix codes. Decoding never
 * throws: an archive of years of logs must survive the odd corrupt or unreadable chunk.
 */
import { createRequire } from 'node:module';
import { brotliDecompressSync, inflateSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';

/** The `logchunks.compressed` codes that buildbot 0.9–4.x writes. */
export type ChunkCodec = 0 | 1 | 2 | 3 | 4 | 5;

export type DecodedChunk = { ok: true; text: string } | { ok: false; error: string };

/** One `logchunks` row, as far as decoding needs it. */
export interface LogChunk {
  first_line: number;
  last_line: number;
  content: Buffer | null;
  compressed: number;
}

/** A line of a log (`number` is 0-based), or a placeholder for a line whose chunk was unreadable. */
export type LogLine = { number: number; text: string } | { number: number; missing: true; reason: string };

export type StdioStream = 'o' | 'e' | 'h';

// seek-bzip is CommonJS without type declarations; this is the one call we make.
const seekBzip = createRequire(import.meta.url)('seek-bzip') as { decode(input: Uint8Array): Buffer };

interface Codec {
  name: string;
  decompress(data: Buffer): Uint8Array;
}

const CODECS: Record<ChunkCodec, Codec> = {
  0: { name: 'raw', decompress: (data) => data },
  // Buildbot calls this one "gz" but writes it with zlib.compress: a zlib stream, not gzip.
  1: { name: 'zlib', decompress: (data) => inflateSync(data) },
  2: { name: 'bz2', decompress: (data) => seekBzip.decode(data) },
  3: { name: 'lz4', decompress: decompressSizePrefixedLz4Block },
  4: { name: 'zstd', decompress: (data) => zstdDecompress(data) },
  5: { name: 'brotli', decompress: (data) => brotliDecompressSync(data) },
};

function isChunkCodec(code: number): code is ChunkCodec {
  return Number.isInteger(code) && code >= 0 && code <= 5;
}

/** Decompresses one chunk's content and decodes it as UTF-8. Never throws. */
export function decodeChunk(content: Buffer | null, compressed: number): DecodedChunk {
  if (!isChunkCodec(compressed)) return { ok: false, error: `unknown compression code ${compressed}` };
  if (content === null) return { ok: false, error: 'chunk content is NULL' };
  const codec = CODECS[compressed];
  try {
    return { ok: true, text: utf8(codec.decompress(content)) };
  } catch (error) {
    return { ok: false, error: `corrupt ${codec.name} chunk: ${errorMessage(error)}` };
  }
}

/**
 * Lenient on purpose: buildbot only stores valid UTF-8, so a stray bad byte is damage, and showing
 * the rest of the chunk with U+FFFD beats losing the whole chunk.
 */
function utf8(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Yields every line of a log from its chunks, given in `first_line` order. A chunk that can't be
 * decoded yields a `missing` line for each line of its declared range, so the rest of the log still
 * shows. A decoded chunk's own line count wins over its declared range (the text is what we have),
 * but its numbering still starts at its `first_line`.
 */
export function* logLines(chunks: Iterable<LogChunk>): Generator<LogLine> {
  for (const chunk of chunks) {
    const decoded = decodeChunk(chunk.content, chunk.compressed);
    if (decoded.ok) yield* numberedLines(decoded.text, chunk.first_line);
    else yield* missingLines(chunk.first_line, chunk.last_line, decoded.error);
  }
}

function* numberedLines(text: string, firstLine: number): Generator<LogLine> {
  let number = firstLine;
  for (const line of text.split('\n')) yield { number: number++, text: line };
}

function* missingLines(firstLine: number, lastLine: number, reason: string): Generator<LogLine> {
  for (let number = firstLine; number <= lastLine; number++) yield { number, missing: true, reason };
}

/**
 * Splits a line of a stdio (`s`) log into its stream tag and text. A line without a known tag is
 * shown whole as stdout rather than losing its first character.
 */
export function splitStream(line: string): { stream: StdioStream; text: string } {
  const tag = line[0];
  if (tag === 'o' || tag === 'e' || tag === 'h') return { stream: tag, text: line.slice(1) };
  return { stream: 'o', text: line };
}

/**
 * python-lz4's `lz4.block.compress(data)` (and the older `lz4.dumps`): the decompressed size as a
 * uint32 little-endian, then one raw LZ4 block. lz4js, the usual pure-JS decoder, does no bounds
 * checks (corrupt input becomes silent garbage) and the others need native builds or async WASM, so
 * this follows the block format spec (lz4_Block_format.md) and checks every read, write and
 * back-reference.
 */
function decompressSizePrefixedLz4Block(data: Buffer): Buffer {
  if (data.length < 4) throw new Error('shorter than its 4-byte size prefix');
  const size = data.readUInt32LE(0);
  const block = data.subarray(4);
  // LZ4 cannot expand input by more than 255x; a larger claim is a corrupt prefix, not a size to
  // allocate.
  if (size > block.length * 255) throw new Error(`size prefix ${size} is impossible for a ${block.length}-byte block`);
  return decompressLz4Block(block, size);
}

/** An LZ4 block is a run of sequences: literals to copy, then a match to repeat from the output. */
function decompressLz4Block(block: Buffer, size: number): Buffer {
  const output = Buffer.alloc(size);
  const input = { block, position: 0 };
  let written = 0;
  for (;;) {
    const token = readByte(input);
    const literalLength = readLength(input, token >> 4);
    if (input.position + literalLength > block.length) throw new Error('literals run past the end of the block');
    if (written + literalLength > size) throw new Error('output exceeds the size prefix');
    block.copy(output, written, input.position, input.position + literalLength);
    input.position += literalLength;
    written += literalLength;
    // The last sequence has literals only; the block ends right after them.
    if (input.position === block.length) break;
    written = copyMatch(input, token, output, written);
  }
  if (written !== size) throw new Error(`decoded ${written} bytes, size prefix says ${size}`);
  return output;
}

interface BlockReader {
  block: Buffer;
  position: number;
}

function readByte(input: BlockReader): number {
  const byte = input.block[input.position++];
  if (byte === undefined) throw new Error('block ends mid-sequence');
  return byte;
}

/** A 4-bit length of 15 continues in the following bytes, each adding up to 255. */
function readLength(input: BlockReader, nibble: number): number {
  if (nibble !== 15) return nibble;
  let length = nibble;
  let byte: number;
  do {
    byte = readByte(input);
    length += byte;
  } while (byte === 255);
  return length;
}

/**
 * Copies a match from `offset` bytes back in the output. A match may overlap the bytes it produces
 * (offset 1 repeats one byte), so it is copied at most `offset` bytes at a time, from bytes already
 * written.
 */
function copyMatch(input: BlockReader, token: number, output: Buffer, written: number): number {
  const offset = readByte(input) | (readByte(input) << 8);
  let remaining = readLength(input, token & 0x0f) + 4;
  if (offset === 0 || offset > written) throw new Error(`match offset ${offset} points before the output start`);
  if (written + remaining > output.length) throw new Error('output exceeds the size prefix');
  while (remaining > 0) {
    const piece = Math.min(offset, remaining);
    output.copyWithin(written, written - offset, written - offset + piece);
    written += piece;
    remaining -= piece;
  }
  return written;
}
