import { describe, expect, it } from 'vitest';
import { DumpError, parseCreateTable, parseDropTable, parseInsertHeader } from '../../src/import/mysqldump.ts';
import { readDumpParts, readDumpText, rowsOf, statementsOf } from './helpers.ts';

function readError(dump: string | Buffer): DumpError {
  try {
    readDumpText(dump);
  } catch (error) {
    if (error instanceof DumpError) return error;
    throw error;
  }
  throw new Error('the dump was read without an error');
}

/** A MariaDB-style dump with most of what the reader has to cope with. */
const SAMPLE_DUMP = [
  '/*M!999999\\- enable the sandbox mode */ ',
  '-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB',
  '/*!40101 SET NAMES utf8mb4 */;',
  '# a hash comment',
  'DROP TABLE IF EXISTS `t`;',
  'CREATE TABLE `t` (',
  "  `id` int(11) NOT NULL AUTO_INCREMENT COMMENT 'the id; see */ and ),(',",
  '  `s` text DEFAULT NULL,',
  '  PRIMARY KEY (`id`)',
  ') ENGINE=MyISAM AUTO_INCREMENT=3 /*!40100 DEFAULT CHARSET=latin1 */;',
  'LOCK TABLES `t` WRITE;',
  '/*!40000 ALTER TABLE `t` DISABLE KEYS */;',
  'INSERT INTO `t` VALUES',
  "(1,'a;b'),",
  "(2,'x),(y */ -- z /* w'),",
  "(3,'it\\'s \"\\\\\" ''quoted''');",
  'INSERT INTO `t` VALUES (4,NULL),(5,\'\');',
  '/*!40000 ALTER TABLE `t` ENABLE KEYS */;',
  'UNLOCK TABLES;',
  '-- Dump completed',
  '',
].join('\n');

describe('MysqlDumpReader', () => {
  it('passes statements on with comments removed and version comments unwrapped', () => {
    const statements = statementsOf(readDumpText(SAMPLE_DUMP));
    expect(statements).toEqual([
      'SET NAMES utf8mb4',
      'DROP TABLE IF EXISTS `t`',
      expect.stringMatching(/^CREATE TABLE `t` \(\n[\s\S]*\) ENGINE=MyISAM AUTO_INCREMENT=3 +DEFAULT CHARSET=latin1$/),
      'LOCK TABLES `t` WRITE',
      'ALTER TABLE `t` DISABLE KEYS',
      'ALTER TABLE `t` ENABLE KEYS',
      'UNLOCK TABLES',
    ]);
    expect(statements[2]).toContain("COMMENT 'the id; see */ and ),('");
  });

  it('skips the MariaDB sandbox line and reports line numbers of statements', () => {
    const events = readDumpText(SAMPLE_DUMP);
    expect(events[0]).toEqual({ statement: 'SET NAMES utf8mb4', line: 3 });
    expect(events.find((event) => 'statement' in event && event.statement.startsWith('CREATE'))).toMatchObject({ line: 6 });
  });

  it('reads rows whose strings contain ;, ),(, */ and comment markers', () => {
    expect(rowsOf(readDumpText(SAMPLE_DUMP))).toEqual([
      [1n, 'a;b'],
      [2n, 'x),(y */ -- z /* w'],
      [3n, `it's "\\" 'quoted'`],
      [4n, null],
      [5n, ''],
    ]);
  });

  it('unescapes every MySQL escape sequence', () => {
    const dump = "INSERT INTO `t` VALUES ('\\'\\\"\\\\|\\n|\\r|\\t|\\0|\\Z|\\b|''|\\%\\_|\\q');";
    expect(rowsOf(readDumpText(dump))).toEqual([["'\"\\|\n|\r|\t|\0|\x1a|\b|'|\\%\\_|q"]]);
  });

  it('reads double-quoted strings, with "" doubling', () => {
    expect(rowsOf(readDumpText('INSERT INTO t VALUES ("a""b\\"c");'))).toEqual([['a"b"c']]);
  });

  it('reads rows split over lines (MariaDB) the same as rows on one line (MySQL)', () => {
    const oneLine = "INSERT INTO `t` VALUES (1,'a'),(2,'b'),(3,NULL);\n";
    const splitLines = "INSERT INTO `t` VALUES\n(1,'a'),\n(2,'b'),\n(3,NULL);\n";
    const spaced = "INSERT INTO `t` VALUES ( 1 , 'a' ) ,\r\n\t( 2 ,'b'),(3 , NULL )\n;\n";
    const expected = [[1n, 'a'], [2n, 'b'], [3n, null]];
    expect(rowsOf(readDumpText(oneLine))).toEqual(expected);
    expect(rowsOf(readDumpText(splitLines))).toEqual(expected);
    expect(rowsOf(readDumpText(spaced))).toEqual(expected);
  });

  it('reads integers as bigints, decimals as numbers, and NULL, hex, _binary and bit values', () => {
    const dump =
      "INSERT INTO t VALUES (0,-7,123456789012345678,-9223372036854775808,18446744073709551615,1.50,-0.25,1e3,.5,NULL,null,0x00ff,_binary 'a\\0b',_utf8mb4'ü',b'101',+4);";
    expect(rowsOf(readDumpText(dump))).toEqual([
      [
        0n,
        -7n,
        123456789012345678n,
        -9223372036854775808n,
        18446744073709551615, // beyond 64 bits: a REAL, as SQLite would store it
        1.5,
        -0.25,
        1000,
        0.5,
        null,
        null,
        Buffer.from([0, 255]),
        Buffer.from('a\0b'),
        'ü',
        5n,
        4n,
      ],
    ]);
  });

  it('keeps datetimes, including zero dates, as the dumped text', () => {
    expect(rowsOf(readDumpText("INSERT INTO t VALUES ('2010-01-02 03:04:05','0000-00-00 00:00:00');"))).toEqual([
      ['2010-01-02 03:04:05', '0000-00-00 00:00:00'],
    ]);
  });

  it('decodes text as UTF-8, and strings that are not UTF-8 as latin1, byte for byte', () => {
    const utf8 = Buffer.from("INSERT INTO t VALUES ('Gerv Markham — café');");
    const latin1 = Buffer.concat([Buffer.from("INSERT INTO t VALUES ('caf"), Buffer.from([0xe9]), Buffer.from("');")]);
    expect(rowsOf(readDumpText(utf8))).toEqual([['Gerv Markham — café']]);
    expect(rowsOf(readDumpText(latin1))).toEqual([['café']]);
  });

  it('reads INSERT headers with a column list, IGNORE and REPLACE', () => {
    const events = readDumpText('INSERT IGNORE INTO `db`.`t` (`a`, `b`) VALUES (1,2);\nREPLACE INTO t VALUES (3);\ninsert into t (a) values(4);');
    expect(events).toEqual([
      { insert: { table: 't', columns: ['a', 'b'], conflict: 'ignore' } },
      { row: [1n, 2n] },
      { endInsert: true },
      { insert: { table: 't', columns: null, conflict: 'replace' } },
      { row: [3n] },
      { endInsert: true },
      { insert: { table: 't', columns: ['a'], conflict: 'abort' } },
      { row: [4n] },
      { endInsert: true },
    ]);
  });

  it('skips triggers and routines between DELIMITER ;; and DELIMITER ;', () => {
    const dump = [
      'DELIMITER ;;',
      '/*!50003 CREATE*/ /*!50003 TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END */;;',
      'DELIMITER ;',
      'INSERT INTO t VALUES (1);',
      '',
    ].join('\n');
    expect(readDumpText(dump)).toEqual([{ insert: { table: 't', columns: null, conflict: 'abort' } }, { row: [1n] }, { endInsert: true }]);
  });

  it('gives the same result however the input is cut into chunks', () => {
    const whole = readDumpText(SAMPLE_DUMP);
    for (const chunkSize of [1, 2, 3, 5, 7, 16, 64]) expect(readDumpText(SAMPLE_DUMP, chunkSize)).toEqual(whole);
    const bytes = Buffer.from(SAMPLE_DUMP);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(readDumpParts([bytes.subarray(0, cut), bytes.subarray(cut)]), `cut at byte ${cut}`).toEqual(whole);
    }
  });

  describe('errors', () => {
    it('names the line and shows an excerpt of a garbage statement', () => {
      const error = readError('SET NAMES utf8;\n\nSQLite format 3 and more garbage;\n');
      expect(error.message).toBe('not a MySQL statement');
      expect(error.line).toBe(3);
      expect(error.excerpt).toBe('SQLite format 3 and more garbage;');
    });

    it('rejects a statement that starts with something other than a word', () => {
      expect(readError('SET a=1;\n\x00\x01binary;').line).toBe(2);
    });

    it('finds a broken row on its own line', () => {
      const error = readError("INSERT INTO `t` VALUES\n(1,'a'),\n(2,'b')x(3,'c');\n");
      expect(error.message).toBe("expected ',' or ';' after a row of `t`");
      expect(error.line).toBe(3);
      expect(error.excerpt).toBe("(2,'b')x(3,'c');");
    });

    it('rejects unquoted words where values belong', () => {
      const error = readError("INSERT INTO `t` VALUES (1,'a'),(2,bogus);");
      expect(error.message).toBe('not a value in a row of `t`: bogus');
      expect(error.line).toBe(1);
    });

    it('reports a dump that ends in the middle of an INSERT', () => {
      const error = readError("SET a=1;\nINSERT INTO `t` VALUES\n(1,'a'),\n(2,'b");
      expect(error.message).toBe('the dump ends inside a string that starts on line 4, in an INSERT into `t`');
      expect(error.line).toBe(4);
      expect(error.excerpt).toBe("(2,'b");
      expect(error.fix).toMatch(/truncated/);
      expect(readError("INSERT INTO `t` VALUES\n(1,'a'),\n").message).toBe('the dump ends in the middle of an INSERT into `t`');
    });

    it('reports an unterminated string that runs to the end of the dump', () => {
      const error = readError("CREATE TABLE t (a int COMMENT 'oops);\nINSERT INTO t VALUES (1);\n");
      expect(error.message).toBe('the dump ends inside a quoted string or name that starts on line 1');
      expect(error.line).toBe(2);
    });

    it('reports a dump that ends inside a statement or a comment', () => {
      expect(readError('CREATE TABLE t (\n  a int').message).toBe('the dump ends in the middle of a statement that starts on line 1');
      expect(readError('SET a=1;\n/* never closed\n').message).toBe('the dump ends inside a /* comment that starts on line 2');
    });

    it('rejects INSERT forms that carry no VALUES rows', () => {
      expect(readError('INSERT INTO t SELECT * FROM u;').message).toBe('an INSERT without VALUES (…) rows');
    });
  });
});

describe('parseCreateTable', () => {
  it('reads columns, types, NOT NULL, AUTO_INCREMENT and keys, ignoring table options', () => {
    const sql = [
      'CREATE TABLE IF NOT EXISTS `builders` (',
      '  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,',
      "  `name` varchar(200) CHARACTER SET utf8 COLLATE utf8_bin NOT NULL DEFAULT 'x,y' COMMENT 'NOT NULL',",
      "  `kind` enum('a','b,c') DEFAULT NULL,",
      '  `price` decimal(10,2) DEFAULT NULL,',
      '  PRIMARY KEY (`id`),',
      '  UNIQUE KEY `name` (`name`(100),`kind`) USING BTREE,',
      '  KEY `ix_price` (`price` DESC),',
      '  FULLTEXT KEY `ft` (`name`),',
      '  CONSTRAINT `fk` FOREIGN KEY (`kind`) REFERENCES `kinds` (`id`) ON DELETE CASCADE',
      ") ENGINE=InnoDB AUTO_INCREMENT=7171 DEFAULT CHARSET=latin1 COMMENT='a (table)'",
    ].join('\n');
    expect(parseCreateTable(sql, 1)).toEqual({
      name: 'builders',
      ifNotExists: true,
      columns: [
        { name: 'id', type: 'int', notNull: true, autoIncrement: true },
        { name: 'name', type: 'varchar', notNull: true, autoIncrement: false },
        { name: 'kind', type: 'enum', notNull: false, autoIncrement: false },
        { name: 'price', type: 'decimal', notNull: false, autoIncrement: false },
      ],
      keys: [
        { name: null, kind: 'primary', columns: ['id'] },
        { name: 'name', kind: 'unique', columns: ['name', 'kind'] },
        { name: 'ix_price', kind: 'index', columns: ['price'] },
      ],
    });
  });

  it('returns null for CREATE statements that are not tables', () => {
    expect(parseCreateTable('CREATE DATABASE `x`', 1)).toBeNull();
    expect(parseCreateTable('CREATE ALGORITHM=UNDEFINED VIEW `v` AS select 1 AS `a`', 1)).toBeNull();
  });

  it('reports the line of a definition it cannot read', () => {
    const error = (() => {
      try {
        parseCreateTable('CREATE TABLE `t` (\n  `a` int,\n  `b` ,\n)', 10);
      } catch (caught) {
        return caught as DumpError;
      }
      throw new Error('no error');
    })();
    expect(error.message).toBe('cannot read this CREATE TABLE: expected the type of column `b`');
    expect(error.line).toBe(12);
    expect(error.excerpt).toBe('`b` ,');
  });
});

describe('parseDropTable and parseInsertHeader', () => {
  it('reads the tables of DROP TABLE and ignores other DROPs', () => {
    expect(parseDropTable('DROP TABLE IF EXISTS `a`, `b`', 1)).toEqual(['a', 'b']);
    expect(parseDropTable('DROP VIEW IF EXISTS `v`', 1)).toBeNull();
  });

  it('reads the table and columns of an INSERT header', () => {
    expect(parseInsertHeader('INSERT INTO `t` (`a`,`b`) VALUES', 1)).toEqual({ table: 't', columns: ['a', 'b'], conflict: 'abort' });
  });
});
