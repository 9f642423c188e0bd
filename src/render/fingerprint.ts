import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/**
 * What shapes copra's output: its templates, its code, and the libraries that write pages and
 * indexes. The code is its TypeScript sources where they exist (whether they run compiled or not),
 * else the compiled JavaScript of an installed package.
 */
const SOURCES = ['templates', existsSync(join(ROOT, 'src')) ? 'src' : 'lib'];
const LIBRARIES = ['@11ty/eleventy', 'nunjucks', 'pagefind', 'sanitize-html'];

/**
 * A short hash of everything that decides what copra writes for a given record: with a templates
 * overlay, its files too. An archive whose pages were rendered by another copra or other templates
 * (another fingerprint) is rendered again whole: an update would otherwise mix pages of two versions.
 */
export function rendererFingerprint(templates: string | null = null): string {
  const hash = createHash('sha256');
  const hashFiles = (dir: string, name: (file: string) => string) => {
    for (const file of filesUnder(dir)) hash.update(name(file)).update('\0').update(readFileSync(file)).update('\0');
  };
  for (const source of SOURCES) hashFiles(join(ROOT, source), (file) => relative(ROOT, file));
  if (templates) hashFiles(templates, (file) => `overlay/${relative(templates, file)}`);
  for (const library of LIBRARIES) hash.update(`${library}@${libraryVersion(library)}\0`);
  return hash.digest('hex').slice(0, 16);
}

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return (readdirSync(path, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** The installed version of a library: its package.json where Node would look for it. */
function libraryVersion(name: string): string {
  for (const dir of createRequire(import.meta.url).resolve.paths(name) ?? []) {
    const manifest = join(dir, name, 'package.json');
    if (existsSync(manifest)) return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}
