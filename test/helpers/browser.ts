import { createReadStream } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { extname } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { fileFor } from '../../src/serve.ts';
import { type FixtureArchive, fixtureArchive } from './archive.ts';

/** Debian's Chromium, installed by .ci/run: playwright never downloads a browser here. */
const CHROMIUM = '/usr/bin/chromium';

/** A headless Chromium for the browser tests. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A Chromium page for the tests of the enclosing describe block: opened before them, closed after. */
export function browserPage(): () => Page {
  let browser: Browser | undefined;
  let page: Page | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage();
  });
  afterAll(async () => browser?.close());
  return () => page!;
}

/** Where the served archive sits: below a sub-path, as on a static host that serves many sites. */
export const SUB_PATH = '/some/sub/path/';

/** An archive served over HTTP under SUB_PATH, as a visitor meets it (search needs HTTP): its server and its base address. */
export async function serveUnder(directory: string): Promise<{ server: Server; base: string }> {
  const server = createServer((request, response) => {
    const url = request.url ?? '/';
    const file = url.startsWith(SUB_PATH) ? fileFor(directory, `/${url.slice(SUB_PATH.length)}`) : null;
    if (!file) return void response.writeHead(404).end();
    const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm' };
    response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no server address');
  return { server, base: `http://127.0.0.1:${address.port}${SUB_PATH}` };
}

/** A fixture archive, built and served under SUB_PATH for the tests of the enclosing describe block: its folder and its address. */
export function servedFixture(name: FixtureArchive): () => { out: string; base: string } {
  let served: { out: string; server: Server; base: string } | undefined;
  beforeAll(async () => {
    const out = await fixtureArchive(name);
    served = { out, ...(await serveUnder(out)) };
  });
  afterAll(() => served?.server.close());
  return () => served!;
}
