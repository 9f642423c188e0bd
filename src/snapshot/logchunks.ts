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
import { Decompress as ZstdDecompress } from 'fzstd';

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

// seek-bzip is CommonJS without type declarations; this is the one call we make. Its output may be
// a stream of our own, which is how its size is capped.
const seekBzip = createRequire(import.meta.url)('seek-bzip') as { decode(input: Uint8Array, output: { writeByte(byte: number): void }): void };

/**
 * Buildbot writes at most 64 KiB of a log per chunk (a longer line is cut) and merges chunks into
 * ones of up to 1,000 lines: a chunk's text is at most 64 KiB per line of its range, and a chunk
 * spans at most 65,536 lines (64 KiB of empty lines). A chunk beyond either is damage or a
 * decompression bomb: its lines are marked unreadable instead of filling memory.
 */
export const MAX_CHUNK_BYTES_PER_LINE = 65_537;
export const MAX_CHUNK_LINES = 65_536;

/** The most bytes a chunk of lines `first` to `last` can decode to. */
export function chunkByteCap(firstLine: number, lastLine: number): number {
  return Math.max(1, Math.min(MAX_CHUNK_LINES, lastLine - firstLine + 1)) * MAX_CHUNK_BYTES_PER_LINE;
}

/** Thrown by a codec whose output would pass the cap: not corruption, but damage all the same. */
class TooLarge extends Error {}

interface Codec {
  name: string;
  /** Decompresses `data`, throwing TooLarge rather than producing more than `cap` bytes. */
  decompress(data: Buffer, cap: number): Uint8Array;
}

const tooLarge = (error: unknown) => (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';

const CODECS: Record<ChunkCodec, Codec> = {
  0: {
    name: 'raw',
    decompress: (data, cap) => {
      if (data.length > cap) throw new TooLarge();
      return data;
    },
  },
  // Buildbot calls this one "gz" but writes it with zlib.compress: a zlib stream, not gzip.
  1: { name: 'zlib', decompress: (data, cap) => capped(() => inflateSync(data, { maxOutputLength: cap })) },
  2: { name: 'bz2', decompress: decompressBzip2 },
  3: { name: 'lz4', decompress: decompressSizePrefixedLz4Block },
  4: { name: 'zstd', decompress: decompressZstd },
  5: { name: 'brotli', decompress: (data, cap) => capped(() => brotliDecompressSync(data, { maxOutputLength: cap })) },
};

/** Node's codecs stop at `maxOutputLength` with a RangeError: that is the cap, not corruption. */
function capped(decompress: () => Buffer): Buffer {
  try {
    return decompress();
  } catch (error) {
    throw tooLarge(error) ? new TooLarge() : error;
  }
}

/** Gathers output pieces, refusing to pass `cap` bytes. */
class CappedOutput {
  private readonly pieces: Uint8Array[] = [];
  private length = 0;
  private bytes = Buffer.alloc(4096);
  private used = 0;

  constructor(private readonly cap: number) {}

  write(piece: Uint8Array): void {
    this.length += piece.length;
    if (this.length > this.cap) throw new TooLarge();
    this.pieces.push(piece);
  }

  writeByte(byte: number): void {
    if (this.used === this.bytes.length) this.flushBytes();
    this.bytes[this.used++] = byte;
  }

  private flushBytes(): void {
    this.write(Buffer.from(this.bytes.subarray(0, this.used)));
    this.used = 0;
  }

  result(): Buffer {
    this.flushBytes();
    return Buffer.concat(this.pieces);
  }
}

function decompressBzip2(data: Buffer, cap: number): Buffer {
  const output = new CappedOutput(cap);
  seekBzip.decode(data, output);
  return output.result();
}

function decompressZstd(data: Buffer, cap: number): Buffer {
  const output = new CappedOutput(cap);
  new ZstdDecompress((piece) => output.write(piece)).push(data, true);
  return output.result();
}

function isChunkCodec(code: number): code is ChunkCodec {
  return Number.isInteger(code) && code >= 0 && code <= 5;
}

/**
 * Decompresses one chunk's content and decodes it as UTF-8, producing at most `cap` bytes
 * (chunkByteCap of its line range). Never throws.
 */
export function decodeChunk(content: Buffer | null, compressed: number, cap: number): DecodedChunk {
  if (!isChunkCodec(compressed)) return { ok: false, error: `unknown compression code ${compressed}` };
  if (content === null) return { ok: false, error: 'chunk content is NULL' };
  const codec = CODECS[compressed];
  try {
    return { ok: true, text: utf8(codec.decompress(content, cap)) };
  } catch (error) {
    if (error instanceof TooLarge) return { ok: false, error: `${codec.name} chunk decodes to more than its lines can hold (over ${cap} bytes)` };
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
    const span = chunk.last_line - chunk.first_line + 1;
    if (span > MAX_CHUNK_LINES) {
      // Not a range buildbot writes: one marker, not a billion missing lines.
      yield { number: chunk.first_line, missing: true, reason: `chunk claims lines ${chunk.first_line + 1}–${chunk.last_line + 1}, more than a chunk holds` };
      continue;
    }
    const decoded = decodeChunk(chunk.content, chunk.compressed, chunkByteCap(chunk.first_line, chunk.last_line));
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
function decompressSizePrefixedLz4Block(data: Buffer, cap: number): Buffer {
  if (data.length < 4) throw new Error('shorter than its 4-byte size prefix');
  const size = data.readUInt32LE(0);
  if (size > cap) throw new TooLarge();
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
