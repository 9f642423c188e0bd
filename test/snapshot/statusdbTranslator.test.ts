import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { attachSnapshot } from '../../src/snapshot/open.ts';
import { repairSql, statusdbTime, timeSql } from '../../src/snapshot/statusdbTranslator.ts';
import { STATUSDB_FIXTURE, fixtureCopy, scratchDir } from '../helpers/archive.ts';

/**
 * The statusdb translator reads most values in SQL and leaves the rest to its JavaScript functions;
 * both must give every value the same reading, or a record's text and times would depend on which
 * path a value took.
 */
function readings(values: unknown[], sql: (column: string) => string, js: string): { value: unknown; fast: unknown; slow: unknown }[] {
  const db = new Database(':memory:');
  attachSnapshot(db, fixtureCopy(STATUSDB_FIXTURE, scratchDir()), 'statusdb fixture');
  db.exec('CREATE TEMP TABLE value_list (x)');
  const insert = db.prepare('INSERT INTO value_list (x) VALUES (?)');
  for (const value of values) insert.run(value);
  const rows = db.prepare(`SELECT x AS value, ${sql('x')} AS fast, ${js}(x) AS slow FROM value_list`).all() as {
    value: unknown;
    fast: unknown;
    slow: unknown;
  }[];
  db.close();
  return rows;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

describe('statusdb values read in SQL', () => {
  it('reads every datetime as statusdbTime does, out-of-range fields and odd forms included', () => {
    const times: unknown[] = [null, '', 'never', '0000-00-00 00:00:00', '2010-05-04 12:34:56.789', '2010-05-04 12:34:56+02:00',
      '2010-05-04T12:34:56Z', '2010-5-4 1:2:3', ' 2010-05-04 12:34:56', 1273000000, 1273000000.5];
    for (const year of [0, 1, 99, 100, 999, 1000, 1970, 2010, 9999]) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          for (const time of ['00:00:00', '23:59:59', '24:00:00', '12:60:00', '12:00:60', '99:99:99']) {
            times.push(`${pad(year, 4)}-${pad(month)}-${pad(day)}${day % 2 ? 'T' : ' '}${time}`);
          }
        }
      }
    }
    const rows = readings(times, timeSql, 'copra_time');
    expect(rows.length).toBe(times.length);
    expect(rows.filter((row) => row.fast !== row.slow)).toEqual([]);
    // The JavaScript is the reference: it must read the plain form, and two-digit years as such.
    expect(statusdbTime('2010-05-04 12:34:56')).toBe(Date.UTC(2010, 4, 4, 12, 34, 56) / 1000);
    expect(statusdbTime('0099-01-01 00:00:00')).toBe(new Date('0099-01-01T00:00:00Z').getTime() / 1000);
    expect(rows.filter((row) => row.fast !== null).length).toBeGreaterThan(times.length / 3);
  });

  it('repairs every text as repairMojibake does, and leaves other values to it', () => {
    const texts = ['plain ascii', 'tab\tand\nnewline', 'æ—¥æœ¬èªž', 'MÃ¼ller', 'naïve café', '日本語', 'a lone Ã', '', '\u0001control',
      null, 42, 4.5, Buffer.from('bytes')];
    const rows = readings(texts, repairSql, 'copra_repair');
    expect(rows.filter((row) => JSON.stringify(row.fast) !== JSON.stringify(row.slow))).toEqual([]);
    expect(rows.map((row) => row.fast)).toContain('日本語');
    expect(rows.map((row) => row.fast)).toContain('Müller');
  });
});
