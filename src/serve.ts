import { CopraError } from './errors.ts';
import { createReadStream, statSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { extname, join, normalize, relative, resolve, sep } from 'node:path';
import { RECORD_DIR } from './record/record.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  // Atom feeds and sitemaps alike: what every feed reader and crawler accepts.
  '.xml': 'application/xml; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/**
 * The file a request path names inside `root`, or null when it is outside it, missing, or copra's
 * record (never served: it is the archive's memory, not part of the site).
 */
export function fileFor(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return null;
  }
  const candidate = normalize(join(root, decoded));
  if (candidate !== root && !candidate.startsWith(root + sep)) return null;
  if (relative(root, candidate).split(sep)[0] === RECORD_DIR) return null;
  try {
    const stat = statSync(candidate);
    if (stat.isFile()) return candidate;
    if (stat.isDirectory() && statSync(join(candidate, 'index.html')).isFile()) return join(candidate, 'index.html');
  } catch {
    return null;
  }
  return null;
}

/**
 * A small static file server for a built archive, like any static host would serve it: a file's
 * precompressed `.gz` twin, when there is one, to clients that accept gzip.
 */
export function serveDirectory(directory: string, port: number, host = '127.0.0.1'): Promise<Server> {
  const root = resolve(directory);
  const server = createServer((request, response) => {
    const file = fileFor(root, request.url ?? '/');
    // As static hosts do: an unknown address gets the archive's 404.html, with status 404.
    const notFound = file ? null : fileFor(root, '/404.html');
    if (!file && !notFound) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    const served = (file ?? notFound)!;
    const headers: Record<string, string> = { 'content-type': CONTENT_TYPES[extname(served)] ?? 'application/octet-stream', vary: 'accept-encoding' };
    const gzipped = `${served}.gz`;
    const sendGzip = /\bgzip\b/.test(request.headers['accept-encoding'] ?? '') && statSync(gzipped, { throwIfNoEntry: false })?.isFile();
    if (sendGzip) headers['content-encoding'] = 'gzip';
    response.writeHead(file ? 200 : 404, headers);
    createReadStream(sendGzip ? gzipped : served).pipe(response);
  });
  return new Promise((resolveServer, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new CopraError(`port ${port} on ${host} is in use by another program; choose another with --port N.`)
          : error,
      ),
    );
    server.listen(port, host, () => resolveServer(server));
  });
}
