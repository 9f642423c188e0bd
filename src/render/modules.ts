import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The module `name` beside the module at `url`, in the same form: compiled JavaScript (lib/) or
 * TypeScript (src/, which a child process or Node's own import() can run only through tsx).
 */
export function siblingModule(name: string, url: string): string {
  return fileURLToPath(new URL(`./${name}${extname(fileURLToPath(url))}`, url));
}
