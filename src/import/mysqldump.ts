/**
 * A streaming reader of mysqldump / mariadb-dump output.
 *
 * Bytes go in chunk by chunk (`write`, then `end`); statements come out through a `DumpHandler`.
 * INSERT statements are never held whole: MySQL 5.1 writes a whole table as one line of many
 * megabytes, so their rows are parsed tuple by tuple as the bytes arrive and handed over one at a
 * time. Every other statement is small and is passed on as text, with comments removed and
 * version comments (`/*!40101 … *\/`) unwrapped, the way the server would run them.
 *
 * Problems are thrown as `DumpError`s carrying the line number and an excerpt of the bad place.
 */
import { isUtf8 } from 'node:buffer';

/** A value of an INSERT row: integers are bigints so SQLite stores them as INTEGER, never REAL. */
export type SqlValue = string | number | bigint | Buffer | null;

export interface InsertTarget {
  table: string;
  /** The column list written after the table name, or null for "every column, in order". */
  columns: string[] | null;
  /** `INSERT IGNORE` skips rows that clash with a unique key, `REPLACE` overwrites them. */
  conflict: 'abort' | 'ignore' | 'replace';
}

export interface DumpHandler {
  /** A whole statement other than INSERT … VALUES, e.g. `CREATE TABLE …` or `SET NAMES utf8mb4`. */
  statement(sql: string, line: number): void;
  /** An INSERT starts; the rows that follow belong to `target`. */
  insert(target: InsertTarget): void;
  /** One row. The array is reused for the next row: copy it to keep it. */
  row(values: SqlValue[]): void;
  /** The INSERT's closing `;`: its rows are all there. */
  endInsert(): void;
}

export class DumpError extends Error {
  line: number | null = null;
  excerpt = '';

  constructor(
    message: string,
    readonly fix: string | null = null,
  ) {
    super(message);
    this.name = 'DumpError';
  }

  /** Pins the error to a place in the dump, unless it already has one. */
  at(line: number, excerpt: string): this {
    if (this.line === null) {
      this.line = line;
      this.excerpt = excerpt;
    }
    return this;
  }
}

const TRUNCATED_FIX = 'the file is truncated: dump or download it again';
const EXCERPT_LENGTH = 80;
/** Non-INSERT statements are schema and settings; anything longer is not a real dump. */
const MAX_STATEMENT_BYTES = 16 * 1024 * 1024;
/** NULL, numbers and hex literals; a longer unquoted run is garbage, not a value. */
const MAX_BARE_VALUE_BYTES = 64 * 1024;

/** The first words of the statements MySQL knows; any other start means the file is not SQL. */
const STATEMENT_VERBS = new Set(
  [
    'ALTER', 'ANALYZE', 'BEGIN', 'BINLOG', 'CACHE', 'CALL', 'CHANGE', 'CHECK', 'CHECKSUM', 'COMMIT',
    'CREATE', 'DEALLOCATE', 'DELETE', 'DELIMITER', 'DESCRIBE', 'DO', 'DROP', 'EXECUTE', 'EXPLAIN',
    'FLUSH', 'GRANT', 'HANDLER', 'INSERT', 'INSTALL', 'KILL', 'LOAD', 'LOCK', 'OPTIMIZE', 'PREPARE',
    'PURGE', 'RELEASE', 'RENAME', 'REPAIR', 'REPLACE', 'RESET', 'REVOKE', 'ROLLBACK', 'SAVEPOINT',
    'SELECT', 'SET', 'SHOW', 'START', 'STOP', 'TRUNCATE', 'UNINSTALL', 'UNLOCK', 'UPDATE', 'USE',
    'WITH', 'XA',
  ],
);

// Byte values.
const TAB = 9;
const NL = 10;
const CR = 13;
const SPACE = 32;
const BANG = 33;
const DQUOTE = 34;
const HASH = 35;
const QUOTE = 39;
const LPAREN = 40;
const RPAREN = 41;
const STAR = 42;
const COMMA = 44;
const DASH = 45;
const SLASH = 47;
const SEMICOLON = 59;
const UPPER_M = 77;
const BACKSLASH = 92;
const BACKTICK = 96;

// What the reader is in the middle of.
const BETWEEN_STATEMENTS = 0;
const IN_STATEMENT = 1;
const IN_VALUES = 2;
/** `DELIMITER x`: a mysql client command that runs to the end of its line. */
const IN_CLIENT_COMMAND = 3;
/** Triggers and routines between `DELIMITER ;;` and `DELIMITER ;`: skipped line by line. */
const IN_DELIMITER_BLOCK = 4;

// Lexical states between and inside statements.
const CODE = 0;
const SINGLE_QUOTED = 1;
const DOUBLE_QUOTED = 2;
const BACKTICKED = 3;
const LINE_COMMENT = 4;
const BLOCK_COMMENT = 5;

// States while reading the rows of an INSERT.
const BEFORE_ROW = 0;
const BEFORE_VALUE = 1;
const IN_STRING = 2;
const AFTER_VALUE = 3;
const AFTER_ROW = 4;

// What a quoted value in a row becomes.
const TEXT_STRING = 0;
const BINARY_STRING = 1; // _binary'…'
const BIT_STRING = 2; // b'0101'

/** Bytes that end an unquoted value (NULL, a number, a hex literal, a `_charset` introducer). */
const ENDS_BARE_VALUE = new Uint8Array(256);
for (const byte of [TAB, NL, 11, 12, CR, SPACE, DQUOTE, QUOTE, LPAREN, RPAREN, COMMA, SEMICOLON, BACKTICK]) {
  ENDS_BARE_VALUE[byte] = 1;
}

/** MySQL's backslash escapes; any other escaped byte stands for itself. */
const UNESCAPED = new Int16Array(256).fill(-1);
UNESCAPED['0'.charCodeAt(0)] = 0;
UNESCAPED['b'.charCodeAt(0)] = 8;
UNESCAPED['n'.charCodeAt(0)] = NL;
UNESCAPED['r'.charCodeAt(0)] = CR;
UNESCAPED['t'.charCodeAt(0)] = TAB;
UNESCAPED['Z'.charCodeAt(0)] = 26;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DECIMAL_NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const INTEGER_NUMBER = /^[-+]?\d+$/;
const HEX_LITERAL = /^0x([0-9a-fA-F]*)$/;
const CHARSET_INTRODUCER = /^_[a-zA-Z0-9]+$/;

function isSpace(byte: number): boolean {
  return byte === SPACE || (byte >= TAB && byte <= CR);
}

function isLetter(byte: number): boolean {
  return (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7a;
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

/**
 * Dump text is UTF-8 (mysqldump's default connection charset), including latin1 columns that hold
 * UTF-8 bytes. A string that is not valid UTF-8 came from a `--default-character-set=latin1` dump
 * and is read as latin1, which keeps every byte instead of turning it into U+FFFD.
 */
export function decodeText(bytes: Buffer, start: number, end: number): string {
  const text = bytes.toString('utf8', start, end);
  // As many characters as bytes and no U+FFFD: plain ASCII, nothing to check.
  const ascii = text.length === end - start && !text.includes('\uFFFD');
  if (ascii || isUtf8(bytes.subarray(start, end))) return text;
  return bytes.toString('latin1', start, end);
}

/** A growable byte buffer, so long strings and statements are copied once, not concatenated. */
class ByteBuilder {
  bytes = Buffer.allocUnsafe(1024);
  length = 0;

  push(byte: number): void {
    if (this.length === this.bytes.length) this.reserve(1);
    this.bytes[this.length++] = byte;
  }

  append(source: Buffer, start: number, end: number): void {
    const count = end - start;
    if (count <= 0) return;
    if (this.length + count > this.bytes.length) this.reserve(count);
    source.copy(this.bytes, this.length, start, end);
    this.length += count;
  }

  /** Empties the builder, and lets go of the memory a huge string needed. */
  reset(): void {
    this.length = 0;
    if (this.bytes.length > 1024 * 1024) this.bytes = Buffer.allocUnsafe(1024);
  }

  text(): string {
    return decodeText(this.bytes, 0, this.length);
  }

  /** Whether the content ends with `word` (any case) as a whole word. */
  endsWithWord(word: string): boolean {
    const start = this.length - word.length;
    if (start < 0) return false;
    for (let k = 0; k < word.length; k++) {
      if ((this.bytes[start + k]! | 0x20) !== (word.charCodeAt(k) | 0x20)) return false;
    }
    const before = this.bytes[start - 1];
    return before === undefined || !(isLetter(before) || isDigit(before) || before === 0x5f);
  }

  private reserve(extra: number): void {
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + extra));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }
}

/** Up to `EXCERPT_LENGTH` characters of one line around a position, for error messages. */
function excerptAround(before: Buffer, after: Buffer): string {
  const lineBefore = before.subarray(before.lastIndexOf(NL) + 1);
  const newlineAfter = after.indexOf(NL);
  const lineAfter = newlineAfter < 0 ? after : after.subarray(0, newlineAfter);
  const tail = lineAfter.toString('utf8').replace(/\uFFFD+$/, '');
  const head = lineBefore.toString('utf8').replace(/^\uFFFD+/, '');
  const headLength = Math.min(head.length, Math.max(EXCERPT_LENGTH / 2, EXCERPT_LENGTH - tail.length));
  const excerpt = head.slice(head.length - headLength) + tail.slice(0, EXCERPT_LENGTH - headLength);
  return excerpt.replace(/[\x00-\x1f\x7f]/g, ' ').trim();
}

export class MysqlDumpReader {
  /** The line of the next byte to read, counting from 1. */
  line = 1;

  private mode = BETWEEN_STATEMENTS;
  private lexState = CODE;
  private inVersionComment = false;
  /** Where the open string or comment started, for "ends inside …" messages. */
  private openedOnLine = 0;

  private readonly statementText = new ByteBuilder();
  private statementLine = 0;
  private verb: string | null = null;

  private table = '';
  private valueState = BEFORE_ROW;
  private readonly rowValues: SqlValue[] = [];
  private quote = 0;
  private stringKind = TEXT_STRING;
  /** After `_binary` or `_utf8mb4`: the value must be a quoted string or a hex literal. */
  private introduced = false;
  private readonly stringBytes = new ByteBuilder();

  /** Unread bytes at the end of the last chunk, kept until more arrive to look ahead. */
  private pending: Buffer | null = null;
  private waitingForMore = false;
  /** The last bytes read, for excerpts of errors found at the start of a chunk. */
  private recent: Buffer = Buffer.alloc(0);
  /** Where the reader was when it called the handler, to place errors the handler throws. */
  private position = 0;

  constructor(private readonly handler: DumpHandler) {}

  write(chunk: Buffer): void {
    this.read(this.pending ? Buffer.concat([this.pending, chunk]) : chunk, false);
  }

  /** Reads what is left and throws if the dump stops in the middle of something. */
  end(): void {
    if (this.pending) this.read(this.pending, true);
    this.pending = null;
    this.checkComplete();
  }

  /** The current line and the text just before it, for errors found outside the reader. */
  location(): { line: number; excerpt: string } {
    const endsWithNewline = this.recent[this.recent.length - 1] === NL;
    const before = endsWithNewline ? this.recent.subarray(0, -1) : this.recent;
    return { line: endsWithNewline ? this.line - 1 : this.line, excerpt: excerptAround(before, Buffer.alloc(0)) };
  }

  private read(data: Buffer, atEnd: boolean): void {
    let i = 0;
    this.waitingForMore = false;
    try {
      while (i < data.length && !this.waitingForMore) {
        if (this.mode === IN_VALUES) i = this.readValues(data, i, atEnd);
        else if (this.mode === IN_CLIENT_COMMAND) i = this.readClientCommand(data, i);
        else if (this.mode === IN_DELIMITER_BLOCK) i = this.skipDelimiterBlock(data, i);
        else i = this.readStatements(data, i, atEnd);
      }
    } catch (error) {
      if (error instanceof DumpError) error.at(this.line, this.excerptAt(data, this.position));
      throw error;
    }
    this.pending = i < data.length ? data.subarray(i) : null;
    this.rememberRecent(data, i);
  }

  private waitForMore(i: number): number {
    this.waitingForMore = true;
    return i;
  }

  private rememberRecent(data: Buffer, end: number): void {
    const start = end - EXCERPT_LENGTH * 2;
    this.recent = start >= 0 ? data.subarray(start, end) : Buffer.concat([this.recent, data.subarray(0, end)]).subarray(-EXCERPT_LENGTH * 2);
  }

  private excerptAt(data: Buffer, i: number): string {
    const start = i - EXCERPT_LENGTH;
    const before = start >= 0 ? data.subarray(start, i) : Buffer.concat([this.recent, data.subarray(0, i)]);
    return excerptAround(before, data.subarray(i, i + EXCERPT_LENGTH * 2));
  }

  private syntaxError(message: string, i: number, fix: string | null = null): DumpError {
    this.position = i;
    return new DumpError(message, fix);
  }

  // ——— Statements ———

  private readStatements(data: Buffer, start: number, atEnd: boolean): number {
    const text = this.statementText;
    const inStatement = (): boolean => this.mode === IN_STATEMENT;
    let i = start;
    while (i < data.length) {
      const byte = data[i]!;
      switch (this.lexState) {
        case SINGLE_QUOTED:
        case DOUBLE_QUOTED:
        case BACKTICKED: {
          const closing = this.lexState === SINGLE_QUOTED ? QUOTE : this.lexState === DOUBLE_QUOTED ? DQUOTE : BACKTICK;
          if (byte === BACKSLASH && closing !== BACKTICK) {
            if (i + 1 === data.length && !atEnd) return this.waitForMore(i);
            text.push(byte);
            i++;
            if (i === data.length) continue;
          } else if (byte === closing) {
            this.lexState = CODE;
          }
          if (data[i] === NL) this.line++;
          text.push(data[i]!);
          this.checkStatementLength(i);
          i++;
          continue;
        }
        case LINE_COMMENT: {
          if (byte === NL) this.lexState = CODE;
          else i++;
          continue;
        }
        case BLOCK_COMMENT: {
          if (byte === STAR) {
            if (i + 1 === data.length && !atEnd) return this.waitForMore(i);
            if (data[i + 1] === SLASH) {
              this.lexState = CODE;
              if (inStatement()) text.push(SPACE);
              i += 2;
              continue;
            }
          } else if (byte === NL) {
            this.line++;
            if (inStatement()) text.push(NL);
          }
          i++;
          continue;
        }
      }

      // CODE: outside strings and comments.
      if (inStatement() && this.verb === null && !isLetter(byte)) {
        this.position = i;
        this.identifyVerb(text.text());
        if (!inStatement()) return i;
      }
      if ((isSpace(byte) || byte === LPAREN) && inStatement()) {
        this.position = i;
        if (this.startsRows()) return i;
      }
      if (byte === SEMICOLON) {
        if (inStatement()) {
          this.position = i;
          this.finishStatement();
        }
        i++;
        continue;
      }
      if (byte === DASH || byte === SLASH || byte === STAR) {
        const lookahead = byte === SLASH ? 12 : 3;
        if (i + lookahead > data.length && !atEnd) return this.waitForMore(i);
        const next = this.skipComment(data, i);
        if (next > i) {
          i = next;
          continue;
        }
      }
      if (byte === HASH) {
        this.lexState = LINE_COMMENT;
        i++;
        continue;
      }
      if (isSpace(byte)) {
        if (byte === NL) this.line++;
        if (inStatement()) text.push(byte);
        i++;
        continue;
      }
      if (!inStatement()) this.startStatement(i, byte);
      if (byte === QUOTE || byte === DQUOTE || byte === BACKTICK) {
        this.lexState = byte === QUOTE ? SINGLE_QUOTED : byte === DQUOTE ? DOUBLE_QUOTED : BACKTICKED;
        this.openedOnLine = this.line;
      }
      text.push(byte);
      this.checkStatementLength(i);
      i++;
    }
    return i;
  }

  private checkStatementLength(i: number): void {
    if (this.statementText.length > MAX_STATEMENT_BYTES) {
      throw this.syntaxError(`a statement longer than ${MAX_STATEMENT_BYTES >> 20} MiB`, i, 'is this a mysqldump file?');
    }
  }

  /**
   * At `--`, `/` or `*`: enters a comment, or leaves a version comment, and returns the index after
   * its opening (or closing) marks; returns `i` when the byte starts no comment.
   */
  private skipComment(data: Buffer, i: number): number {
    const byte = data[i];
    if (byte === DASH) {
      // `--` starts a comment only when followed by a space or control character, as in MySQL.
      if (data[i + 1] !== DASH) return i;
      const after = data[i + 2];
      if (after !== undefined && after > SPACE) return i;
      this.lexState = LINE_COMMENT;
      return i + 2;
    }
    if (byte === STAR) {
      if (!this.inVersionComment || data[i + 1] !== SLASH) return i;
      this.inVersionComment = false;
      if (this.mode === IN_STATEMENT) this.statementText.push(SPACE);
      return i + 2;
    }
    if (data[i + 1] !== STAR) return i;
    this.openedOnLine = this.line;
    let j = i + 2;
    const mariadbOnly = data[j] === UPPER_M && data[j + 1] === BANG;
    if (data[j] !== BANG && !mariadbOnly) {
      this.lexState = BLOCK_COMMENT;
      return j;
    }
    j += mariadbOnly ? 2 : 1;
    while (j < i + 11 && isDigit(data[j])) j++;
    if (data[j] === BACKSLASH) {
      // A client command such as MariaDB's `/*M!999999\- enable the sandbox mode */`: not for us.
      this.lexState = BLOCK_COMMENT;
      return j;
    }
    // `/*!40101 SET NAMES utf8 */`: the server runs what is inside, and so do we.
    this.inVersionComment = true;
    if (this.mode === IN_STATEMENT) this.statementText.push(SPACE);
    return j;
  }

  private startStatement(i: number, byte: number): void {
    if (!isLetter(byte)) throw this.syntaxError('not a MySQL statement', i, 'is this a mysqldump file?');
    this.mode = IN_STATEMENT;
    this.statementLine = this.line;
    this.statementText.reset();
    this.verb = null;
  }

  private identifyVerb(firstWord: string): void {
    const verb = firstWord.toUpperCase();
    if (!STATEMENT_VERBS.has(verb)) throw new DumpError('not a MySQL statement', 'is this a mysqldump file?');
    this.verb = verb;
    if (verb === 'DELIMITER') this.mode = IN_CLIENT_COMMAND;
  }

  /** At a space or `(` in an INSERT: once the header reaches VALUES, switches to reading rows. */
  private startsRows(): boolean {
    if (this.verb !== 'INSERT' && this.verb !== 'REPLACE') return false;
    if (!this.statementText.endsWithWord('VALUES') && !this.statementText.endsWithWord('VALUE')) return false;
    const target = parseInsertHeader(this.statementText.text(), this.statementLine);
    this.handler.insert(target);
    this.table = target.table;
    this.mode = IN_VALUES;
    this.valueState = BEFORE_ROW;
    this.rowValues.length = 0;
    return true;
  }

  private finishStatement(): void {
    const text = this.statementText;
    if (this.verb === null) this.identifyVerb(text.text());
    if (this.verb === 'INSERT' || this.verb === 'REPLACE') {
      throw new DumpError('an INSERT without VALUES (…) rows', 'only INSERT … VALUES is supported, as mysqldump writes it');
    }
    this.mode = BETWEEN_STATEMENTS;
    this.handler.statement(text.text().trim(), this.statementLine);
  }

  /** `DELIMITER ;;` (mysqldump's wrapper around triggers and routines) runs to the end of the line. */
  private readClientCommand(data: Buffer, start: number): number {
    const newline = data.indexOf(NL, start);
    const end = newline < 0 ? data.length : newline;
    this.statementText.append(data, start, end);
    if (newline < 0) return end;
    this.line++;
    this.finishClientCommand();
    return end + 1;
  }

  private finishClientCommand(): void {
    const delimiter = this.statementText.text().replace(/^DELIMITER/i, '').trim();
    if (delimiter === '') throw new DumpError('DELIMITER without a delimiter');
    this.mode = delimiter === ';' ? BETWEEN_STATEMENTS : IN_DELIMITER_BLOCK;
    this.statementText.reset();
  }

  /** Skips the triggers and routines up to the line `DELIMITER ;`: they add no rows. */
  private skipDelimiterBlock(data: Buffer, start: number): number {
    let i = start;
    while (i < data.length) {
      const newline = data.indexOf(NL, i);
      const end = newline < 0 ? data.length : newline;
      if (this.statementText.length < 64) this.statementText.append(data, i, Math.min(end, i + 64));
      if (newline < 0) return end;
      this.line++;
      const restoresSemicolon = /^\s*DELIMITER\s+;\s*$/i.test(this.statementText.text());
      this.statementText.reset();
      i = end + 1;
      if (restoresSemicolon) {
        this.mode = BETWEEN_STATEMENTS;
        return i;
      }
    }
    return i;
  }

  // ——— INSERT rows ———

  private readValues(data: Buffer, start: number, atEnd: boolean): number {
    const length = data.length;
    let i = start;
    while (i < length) {
      const byte = data[i]!;
      switch (this.valueState) {
        case IN_STRING:
          i = this.readString(data, i, atEnd);
          if (this.waitingForMore) return i;
          continue;
        case BEFORE_VALUE: {
          if (byte === QUOTE || byte === DQUOTE) {
            this.quote = byte;
            this.valueState = IN_STRING;
            this.openedOnLine = this.line;
            i++;
            continue;
          }
          if (isSpace(byte)) break;
          let end = i;
          while (end < length && ENDS_BARE_VALUE[data[end]!] === 0) end++;
          if (end === i) throw this.syntaxError(`expected a value in a row of \`${this.table}\``, i);
          if (end === length && !atEnd) {
            if (end - i > MAX_BARE_VALUE_BYTES) throw this.syntaxError(`not a value in a row of \`${this.table}\``, i);
            return this.waitForMore(i);
          }
          this.readBareValue(data, i, end);
          i = end;
          continue;
        }
        case AFTER_VALUE: {
          if (byte === COMMA) {
            this.valueState = BEFORE_VALUE;
          } else if (byte === RPAREN) {
            this.position = i;
            this.handler.row(this.rowValues);
            this.rowValues.length = 0;
            this.valueState = AFTER_ROW;
          } else if (!isSpace(byte)) {
            throw this.syntaxError(`expected ',' or ')' after a value in a row of \`${this.table}\``, i);
          }
          break;
        }
        case AFTER_ROW: {
          if (byte === COMMA) {
            this.valueState = BEFORE_ROW;
          } else if (byte === SEMICOLON) {
            this.position = i;
            this.handler.endInsert();
            this.mode = BETWEEN_STATEMENTS;
            return i + 1;
          } else if (!isSpace(byte)) {
            throw this.syntaxError(`expected ',' or ';' after a row of \`${this.table}\``, i);
          }
          break;
        }
        case BEFORE_ROW: {
          if (byte === LPAREN) this.valueState = BEFORE_VALUE;
          else if (!isSpace(byte)) throw this.syntaxError(`expected '(' to start a row of \`${this.table}\``, i);
          break;
        }
      }
      if (byte === NL) this.line++;
      i++;
    }
    return i;
  }

  /** Reads string bytes up to the closing quote, unescaping into `stringBytes` only when needed. */
  private readString(data: Buffer, start: number, atEnd: boolean): number {
    const quote = this.quote;
    const length = data.length;
    const bytes = this.stringBytes;
    let segment = start;
    let i = start;
    while (i < length) {
      const byte = data[i]!;
      if (byte === quote) {
        if (i + 1 === length && !atEnd) {
          bytes.append(data, segment, i);
          return this.waitForMore(i); // '' is an escaped quote: look at the next byte first
        }
        if (data[i + 1] === quote) {
          bytes.append(data, segment, i + 1);
          i += 2;
          segment = i;
          continue;
        }
        this.finishString(data, segment, i);
        return i + 1;
      }
      if (byte === BACKSLASH) {
        bytes.append(data, segment, i);
        if (i + 1 === length) return atEnd ? length : this.waitForMore(i);
        const escaped = data[i + 1]!;
        const unescaped = UNESCAPED[escaped]!;
        if (unescaped >= 0) bytes.push(unescaped);
        else {
          // \% and \_ keep their backslash (they are LIKE escapes); \x is x for any other x.
          if (escaped === 0x25 || escaped === 0x5f) bytes.push(BACKSLASH);
          bytes.push(escaped);
        }
        if (escaped === NL) this.line++;
        i += 2;
        segment = i;
        continue;
      }
      if (byte === NL) this.line++;
      i++;
    }
    bytes.append(data, segment, length);
    return length;
  }

  private finishString(data: Buffer, segment: number, end: number): void {
    const scratch = this.stringBytes;
    let bytes = data;
    let start = segment;
    if (scratch.length > 0) {
      scratch.append(data, segment, end);
      bytes = scratch.bytes;
      start = 0;
      end = scratch.length;
    }
    if (this.stringKind === BINARY_STRING) this.rowValues.push(Buffer.from(bytes.subarray(start, end)));
    else if (this.stringKind === BIT_STRING) this.rowValues.push(parseBits(bytes.toString('latin1', start, end), this.table));
    else this.rowValues.push(decodeText(bytes, start, end));
    scratch.reset();
    this.stringKind = TEXT_STRING;
    this.introduced = false;
    this.valueState = AFTER_VALUE;
  }

  /** NULL, a number or a hex literal; or a `_binary` / `b` prefix of the quoted value that follows. */
  private readBareValue(data: Buffer, start: number, end: number): void {
    this.position = start;
    const integer = this.introduced ? null : readSmallInteger(data, start, end);
    if (integer !== null) {
      this.rowValues.push(integer);
      this.valueState = AFTER_VALUE;
      return;
    }
    const word = data.toString('latin1', start, end);
    if (!this.introduced && CHARSET_INTRODUCER.test(word)) {
      this.introduced = true;
      this.stringKind = word.toLowerCase() === '_binary' ? BINARY_STRING : TEXT_STRING;
      return;
    }
    if (!this.introduced && (word === 'b' || word === 'B') && data[end] === QUOTE) {
      this.stringKind = BIT_STRING;
      return;
    }
    const value = parseBareValue(word, this.table);
    if (this.introduced && !Buffer.isBuffer(value)) {
      throw new DumpError(`expected a quoted value after a character set name in a row of \`${this.table}\``);
    }
    this.rowValues.push(value);
    this.introduced = false;
    this.stringKind = TEXT_STRING;
    this.valueState = AFTER_VALUE;
  }

  // ——— End of input ———

  private checkComplete(): void {
    const { line, excerpt } = this.location();
    const fail = (message: string, fix: string | null = TRUNCATED_FIX): DumpError => new DumpError(message, fix).at(line, excerpt);
    if (this.mode === IN_CLIENT_COMMAND) this.finishClientCommand();
    if (this.mode === IN_VALUES) {
      if (this.valueState === IN_STRING) {
        throw fail(`the dump ends inside a string that starts on line ${this.openedOnLine}, in an INSERT into \`${this.table}\``);
      }
      throw fail(`the dump ends in the middle of an INSERT into \`${this.table}\``);
    }
    if (this.mode === IN_DELIMITER_BLOCK) throw fail('the dump ends before the `DELIMITER ;` that closes a trigger or routine');
    if (this.lexState === BLOCK_COMMENT) throw fail(`the dump ends inside a /* comment that starts on line ${this.openedOnLine}`);
    if (this.lexState !== CODE && this.lexState !== LINE_COMMENT) {
      throw fail(`the dump ends inside a quoted string or name that starts on line ${this.openedOnLine}`);
    }
    if (this.mode === IN_STATEMENT) throw fail(`the dump ends in the middle of a statement that starts on line ${this.statementLine}`);
    if (this.inVersionComment) throw fail(`the dump ends inside a /*! comment that starts on line ${this.openedOnLine}`);
  }
}

/** Plain decimal integers of up to 15 digits, the bulk of every dump, without making a string. */
function readSmallInteger(data: Buffer, start: number, end: number): bigint | null {
  const negative = data[start] === DASH;
  const first = negative ? start + 1 : start;
  if (end - first < 1 || end - first > 15) return null;
  let value = 0;
  for (let k = first; k < end; k++) {
    const digit = data[k]! - 0x30;
    if (digit < 0 || digit > 9) return null;
    value = value * 10 + digit;
  }
  return BigInt(negative ? -value : value);
}

function parseBareValue(word: string, table: string): SqlValue {
  if (word.toUpperCase() === 'NULL') return null;
  if (INTEGER_NUMBER.test(word)) {
    const integer = BigInt(word);
    // Beyond 64 bits (BIGINT UNSIGNED) SQLite would store a REAL too.
    return integer >= INT64_MIN && integer <= INT64_MAX ? integer : Number(word);
  }
  if (DECIMAL_NUMBER.test(word)) return Number(word);
  const hex = HEX_LITERAL.exec(word)?.[1];
  if (hex !== undefined) return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
  throw new DumpError(`not a value in a row of \`${table}\`: ${word.length > 40 ? `${word.slice(0, 40)}…` : word}`);
}

function parseBits(bits: string, table: string): bigint {
  if (!/^[01]*$/.test(bits)) throw new DumpError(`not a bit value in a row of \`${table}\`: b'${bits}'`);
  return bits === '' ? 0n : BigInt(`0b${bits}`);
}

// ——— Statement text: CREATE TABLE, DROP TABLE and INSERT headers ———

export interface ColumnDefinition {
  name: string;
  /** The MySQL type name in lower case, without its length: `int`, `varchar`, `datetime`… */
  type: string;
  notNull: boolean;
  autoIncrement: boolean;
}

export interface KeyDefinition {
  /** MySQL's name for the key; null for the primary key. */
  name: string | null;
  kind: 'primary' | 'unique' | 'index';
  columns: string[];
}

export interface TableDefinition {
  name: string;
  ifNotExists: boolean;
  columns: ColumnDefinition[];
  /** The primary key and the plain and unique indexes, in dump order; FULLTEXT, SPATIAL and foreign keys are left out. */
  keys: KeyDefinition[];
}

interface Token {
  kind: 'word' | 'name' | 'string' | 'symbol';
  /** Words as written; backquoted names and strings without their quotes (but with escapes). */
  text: string;
  offset: number;
}

const TOKEN = /\s+|`((?:[^`]|``)*)`|'((?:[^'\\]|\\[\s\S]|'')*)'|"((?:[^"\\]|\\[\s\S]|"")*)"|([A-Za-z0-9_$]+)|([\s\S])/y;

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(sql); match !== null; match = TOKEN.exec(sql)) {
    const [, name, single, double, word, symbol] = match;
    const offset = match.index;
    if (name !== undefined) tokens.push({ kind: 'name', text: name.replace(/``/g, '`'), offset });
    else if (single !== undefined || double !== undefined) tokens.push({ kind: 'string', text: single ?? double ?? '', offset });
    else if (word !== undefined) tokens.push({ kind: 'word', text: word, offset });
    else if (symbol !== undefined) tokens.push({ kind: 'symbol', text: symbol, offset });
  }
  return tokens;
}

/** Pins an error to the line of `offset` within a statement that starts on `line`. */
function errorInStatement(message: string, sql: string, line: number, offset: number, fix: string | null = null): DumpError {
  const before = sql.slice(0, offset);
  const newlines = before.split('\n').length - 1;
  return new DumpError(message, fix).at(line + newlines, excerptAround(Buffer.from(before), Buffer.from(sql.slice(offset))));
}

/** Walks a statement's tokens, reporting errors at the token it stopped on. */
class TokenCursor {
  private readonly tokens: Token[];
  index = 0;

  constructor(
    private readonly sql: string,
    private readonly line: number,
    private readonly what: string,
  ) {
    this.tokens = tokenize(sql);
  }

  peek(offset = 0): Token | undefined {
    return this.tokens[this.index + offset];
  }

  isWord(word: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.kind === 'word' && token.text.toUpperCase() === word;
  }

  isSymbol(symbol: string): boolean {
    const token = this.peek();
    return token?.kind === 'symbol' && token.text === symbol;
  }

  acceptWord(...words: string[]): boolean {
    if (!words.some((word) => this.isWord(word))) return false;
    this.index++;
    return true;
  }

  acceptSymbol(symbol: string): boolean {
    if (!this.isSymbol(symbol)) return false;
    this.index++;
    return true;
  }

  expectSymbol(symbol: string): void {
    if (!this.acceptSymbol(symbol)) throw this.error(`expected '${symbol}'`);
  }

  /** A backquoted or bare name; `db`.`table` gives `table`. */
  expectName(): string {
    const token = this.peek();
    if (token?.kind !== 'name' && token?.kind !== 'word') throw this.error('expected a name');
    this.index++;
    if (this.isSymbol('.') && (this.peek(1)?.kind === 'name' || this.peek(1)?.kind === 'word')) {
      this.index++;
      return this.expectName();
    }
    return token.text;
  }

  /** Skips a `( … )` group with nested parentheses; the cursor must be on its `(`. */
  skipParenthesized(): void {
    let depth = 0;
    do {
      const token = this.peek();
      if (token === undefined) throw this.error("expected ')'");
      if (token.kind === 'symbol' && token.text === '(') depth++;
      if (token.kind === 'symbol' && token.text === ')') depth--;
      this.index++;
    } while (depth > 0);
  }

  /** Skips to the next `,` or `)` outside parentheses, without consuming it. */
  skipToEndOfItem(): void {
    while (this.peek() !== undefined && !this.isSymbol(',') && !this.isSymbol(')')) {
      if (this.isSymbol('(')) this.skipParenthesized();
      else this.index++;
    }
  }

  error(problem: string): DumpError {
    const token = this.peek();
    return errorInStatement(`${this.what}: ${problem}`, this.sql, this.line, token?.offset ?? this.sql.length);
  }
}

const KEY_WORDS = new Set(['PRIMARY', 'KEY', 'INDEX', 'UNIQUE', 'FULLTEXT', 'SPATIAL', 'CONSTRAINT', 'FOREIGN', 'CHECK', 'PERIOD']);

/** Reads `CREATE TABLE`; returns null for other CREATE statements (views, triggers, databases…). */
export function parseCreateTable(sql: string, line: number): TableDefinition | null {
  const cursor = new TokenCursor(sql, line, 'cannot read this CREATE TABLE');
  if (!cursor.acceptWord('CREATE')) return null;
  if (cursor.acceptWord('OR')) cursor.acceptWord('REPLACE');
  cursor.acceptWord('TEMPORARY');
  if (!cursor.acceptWord('TABLE')) return null;
  const ifNotExists = cursor.isWord('IF') && cursor.isWord('NOT', 1) && cursor.isWord('EXISTS', 2);
  if (ifNotExists) cursor.index += 3;
  const table: TableDefinition = { name: cursor.expectName(), ifNotExists, columns: [], keys: [] };
  if (!cursor.isSymbol('(')) throw cursor.error("expected '(' and the columns (CREATE TABLE … LIKE / SELECT is not supported)");
  cursor.index++;
  do readTableItem(cursor, table);
  while (cursor.acceptSymbol(','));
  cursor.expectSymbol(')');
  if (table.columns.length === 0) throw cursor.error('a table without columns');
  return table;
}

function readTableItem(cursor: TokenCursor, table: TableDefinition): void {
  const first = cursor.peek();
  if (first?.kind === 'word' && KEY_WORDS.has(first.text.toUpperCase())) {
    const key = readKey(cursor);
    if (key) table.keys.push(key);
  } else {
    const column = readColumn(cursor);
    table.columns.push(column.definition);
    if (column.primaryKey) table.keys.push({ name: null, kind: 'primary', columns: [column.definition.name] });
  }
  cursor.skipToEndOfItem();
}

function readColumn(cursor: TokenCursor): { definition: ColumnDefinition; primaryKey: boolean } {
  const name = cursor.expectName();
  const type = cursor.peek();
  if (type?.kind !== 'word') throw cursor.error(`expected the type of column \`${name}\``);
  cursor.index++;
  const definition: ColumnDefinition = { name, type: type.text.toLowerCase(), notNull: false, autoIncrement: false };
  let primaryKey = false;
  while (cursor.peek() !== undefined && !cursor.isSymbol(',') && !cursor.isSymbol(')')) {
    if (cursor.isSymbol('(')) cursor.skipParenthesized();
    else if (cursor.isWord('NOT') && cursor.isWord('NULL', 1)) {
      definition.notNull = true;
      cursor.index += 2;
    } else if (cursor.acceptWord('AUTO_INCREMENT')) definition.autoIncrement = true;
    else if (cursor.isWord('PRIMARY') && cursor.isWord('KEY', 1)) {
      primaryKey = true;
      cursor.index += 2;
    } else cursor.index++;
  }
  return { definition, primaryKey };
}

/** `PRIMARY KEY (…)`, `[UNIQUE] KEY name (…)`, `CONSTRAINT …`; null for keys SQLite has no use for. */
function readKey(cursor: TokenCursor): KeyDefinition | null {
  let constraintName: string | null = null;
  if (cursor.acceptWord('CONSTRAINT')) {
    if (!cursor.isWord('PRIMARY') && !cursor.isWord('UNIQUE') && !cursor.isWord('FOREIGN') && !cursor.isWord('CHECK')) {
      constraintName = cursor.expectName();
    }
  }
  let kind: KeyDefinition['kind'];
  if (cursor.acceptWord('PRIMARY')) {
    cursor.acceptWord('KEY');
    kind = 'primary';
  } else if (cursor.acceptWord('UNIQUE')) {
    cursor.acceptWord('KEY', 'INDEX');
    kind = 'unique';
  } else if (cursor.acceptWord('KEY', 'INDEX')) {
    kind = 'index';
  } else {
    return null; // FULLTEXT, SPATIAL, FOREIGN KEY, CHECK, PERIOD FOR
  }
  let name = kind === 'primary' || cursor.isSymbol('(') || cursor.isWord('USING') ? null : cursor.expectName();
  if (cursor.acceptWord('USING')) cursor.index++;
  const columns = readKeyColumns(cursor);
  if (columns === null) return null;
  if (kind !== 'primary') name ??= constraintName ?? columns[0]!; // MySQL names an unnamed key after its first column
  return { name: kind === 'primary' ? null : name, kind, columns };
}

/** `(`a`, `b`(10) DESC)`; null for functional keys on expressions, which SQLite cannot copy. */
function readKeyColumns(cursor: TokenCursor): string[] | null {
  cursor.expectSymbol('(');
  const columns: string[] = [];
  let functional = false;
  do {
    if (cursor.isSymbol('(')) functional = true;
    else columns.push(cursor.expectName());
    cursor.skipToEndOfItem();
  } while (cursor.acceptSymbol(','));
  cursor.expectSymbol(')');
  return functional ? null : columns;
}

/** Reads `DROP [TEMPORARY] TABLE [IF EXISTS] a, b`; returns null for other DROP statements. */
export function parseDropTable(sql: string, line: number): string[] | null {
  const cursor = new TokenCursor(sql, line, 'cannot read this DROP TABLE');
  if (!cursor.acceptWord('DROP')) return null;
  cursor.acceptWord('TEMPORARY');
  if (!cursor.acceptWord('TABLE', 'TABLES')) return null;
  if (cursor.isWord('IF') && cursor.isWord('EXISTS', 1)) cursor.index += 2;
  const names: string[] = [];
  do names.push(cursor.expectName());
  while (cursor.acceptSymbol(','));
  return names;
}

/** Reads `INSERT [IGNORE] INTO t [(a, b)] VALUES` (or `REPLACE INTO …`), up to its VALUES. */
export function parseInsertHeader(sql: string, line: number): InsertTarget {
  const cursor = new TokenCursor(sql, line, 'cannot read this INSERT');
  let conflict: InsertTarget['conflict'] = 'abort';
  if (cursor.acceptWord('REPLACE')) conflict = 'replace';
  else if (!cursor.acceptWord('INSERT')) throw cursor.error('expected INSERT or REPLACE');
  cursor.acceptWord('LOW_PRIORITY', 'DELAYED', 'HIGH_PRIORITY');
  if (conflict === 'abort' && cursor.acceptWord('IGNORE')) conflict = 'ignore';
  cursor.acceptWord('INTO');
  const table = cursor.expectName();
  let columns: string[] | null = null;
  if (cursor.acceptSymbol('(')) {
    columns = [];
    if (!cursor.isSymbol(')')) {
      do columns.push(cursor.expectName());
      while (cursor.acceptSymbol(','));
    }
    cursor.expectSymbol(')');
  }
  if (!cursor.acceptWord('VALUES', 'VALUE')) throw cursor.error('expected VALUES');
  if (cursor.peek() !== undefined) throw cursor.error('unexpected text after VALUES');
  return { table, columns, conflict };
}
