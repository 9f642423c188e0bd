import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fileFor, serveDirectory } from '../src/serve.ts';
import { scratchDir } from './helpers/archive.ts';

describe('copra serve', () => {
  const root = scratchDir();
  writeFileSync(join(root, 'index.html'), '<!doctype html>');
  mkdirSync(join(root, '.copra'));
  writeFileSync(join(root, '.copra', 'record.sqlite'), 'SQLite format 3\0');

  it('serves the pages of the archive', () => {
    expect(fileFor(root, '/')).toBe(join(root, 'index.html'));
    expect(fileFor(root, '/index.html?q=1')).toBe(join(root, 'index.html'));
  });

  it.each(['/.copra/record.sqlite', '/%2Ecopra/record.sqlite', '/assets/../.copra/record.sqlite', '/.copra/'])(
    "never serves copra's record: %s",
    (path) => expect(fileFor(root, path)).toBeNull(),
  );

  it('serves nothing outside the archive', () => {
    expect(fileFor(root, '/../../etc/passwd')).toBeNull();
  });
});

describe('copra serve over HTTP', () => {
  const root = scratchDir();
  writeFileSync(join(root, 'index.html'), '<!doctype html><p>home');
  writeFileSync(join(root, '404.html'), '<!doctype html><p>not here');
  writeFileSync(join(root, 'sitemap.xml'), '<urlset/>');
  writeFileSync(join(root, 'badge.svg'), '<svg/>');
  writeFileSync(join(root, 'log.txt'), 'plain log');
  writeFileSync(join(root, 'log.txt.gz'), gzipSync('plain log'));
  mkdirSync(join(root, '.copra'));
  writeFileSync(join(root, '.copra', 'record.sqlite'), 'SQLite format 3\0');

  // fetch() inflates a gzip body itself: the content-encoding header says what was on the wire.
  async function get(path: string, acceptEncoding = 'identity') {
    const server = await serveDirectory(root, 0);
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, { headers: { 'accept-encoding': acceptEncoding } });
      return { status: response.status, type: response.headers.get('content-type'), encoding: response.headers.get('content-encoding'), body: await response.text() };
    } finally {
      server.close();
    }
  }

  it('answers with the content type of each kind of file', async () => {
    expect(await get('/')).toMatchObject({ status: 200, type: 'text/html; charset=utf-8', body: '<!doctype html><p>home' });
    expect(await get('/sitemap.xml')).toMatchObject({ status: 200, type: 'application/xml; charset=utf-8' });
    expect(await get('/badge.svg')).toMatchObject({ status: 200, type: 'image/svg+xml' });
  });

  it('sends the precompressed twin only to clients that accept gzip', async () => {
    expect(await get('/log.txt')).toMatchObject({ type: 'text/plain; charset=utf-8', encoding: null, body: 'plain log' });
    expect(await get('/log.txt', 'gzip, br')).toMatchObject({ type: 'text/plain; charset=utf-8', encoding: 'gzip', body: 'plain log' });
  });

  it("answers unknown addresses and copra's record with 404.html", async () => {
    for (const path of ['/no/such/page/', '/.copra/record.sqlite']) {
      expect(await get(path)).toMatchObject({ status: 404, type: 'text/html; charset=utf-8', body: '<!doctype html><p>not here' });
    }
  });
});
