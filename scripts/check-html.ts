/**
 * Checks every HTML page of a built archive with the Nu HTML checker (vnu.jar, run by Java):
 *
 *   npm run check-html [DIR]      (DIR: the archive, default dist)
 *
 * Prints each error with its page and line. Exits 1 when there is any, 2 when the pages could not
 * be checked (no archive, no Java), 0 otherwise.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { JavaMissingError, checkHtml } from './vnu.ts';

function fail(message: string): never {
  process.stderr.write(`check-html: ${message}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
if (args.length > 1 || args[0]?.startsWith('-')) fail('usage: npm run check-html [DIR]   (DIR: a built archive, default dist)');
const dir = args[0] ?? 'dist';
if (!existsSync(join(dir, 'index.html'))) fail(`${dir} is not a built archive: it has no index.html`);

// copra's record (.copra/, with an unfinished update's pending pages) is not part of what is served.
const pages = readdirSync(dir, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith('.html'))
  .map((entry) => join(entry.parentPath, entry.name))
  .filter((file) => !relative(dir, file).startsWith('.copra'))
  .sort();

let errors;
try {
  errors = await checkHtml(pages, (checked) => process.stderr.write(`check-html: ${checked} of ${pages.length} pages checked\n`));
} catch (error) {
  if (error instanceof JavaMissingError) fail(error.message);
  throw error;
}

for (const error of errors) process.stdout.write(`${relative(dir, error.file)}:${error.line ?? ''}: ${error.message}\n`);
const failing = new Set(errors.map((error) => error.file)).size;
process.stdout.write(
  errors.length === 0
    ? `${pages.length} pages checked: no errors.\n`
    : `${errors.length} errors in ${failing} of ${pages.length} pages.\n`,
);
process.exitCode = errors.length === 0 ? 0 : 1;
