/**
 * The Nu HTML checker (vnu.jar, from the vnu-jar package) over many pages at a time: one JVM checks
 * a whole batch, which is what makes checking thousands of pages affordable.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * vnu-jar's main module is the path of its jar. It is run with the system's `java`, never through
 * the package's wrapper, which downloads a Java runtime when it finds none.
 */
export const VNU_JAR = String(createRequire(import.meta.url)('vnu-jar'));

/** An error the checker found in a page. */
export interface HtmlError {
  /** The page's path, as it was given. */
  file: string;
  line: number | null;
  message: string;
}

export class JavaMissingError extends Error {
  constructor() {
    super('the Nu HTML checker runs on Java 11 or later, and there is no `java` on the PATH (Debian: apt-get install default-jre-headless)');
  }
}

/** What vnu's JSON report says of one message. */
interface VnuMessage {
  url?: string;
  firstLine?: number;
  lastLine?: number;
  message: string;
}

/**
 * Pages one JVM checks. Its start and warm-up cost seconds, and two JVMs side by side on two busy
 * cores took twice as long as one (4,724 pages: 38 s in one batch, 59 s in batches of 1,000, 109 s
 * two batches at a time); 5,000 paths stay far below the command line's limit.
 */
const BATCH_SIZE = 5000;

/**
 * Checks pages, a batch at a time, and returns their errors page by page. vnu says nothing of a
 * file it cannot find, so a missing page is reported here as an error.
 */
export async function checkHtml(files: readonly string[], progress?: (checked: number) => void): Promise<HtmlError[]> {
  const errors: HtmlError[] = files.filter((file) => !existsSync(file)).map((file) => ({ file, line: null, message: 'no such file' }));
  for (let start = 0; start < files.length; start += BATCH_SIZE) {
    const batch = files.slice(start, start + BATCH_SIZE);
    errors.push(...(await checkBatch(batch)));
    progress?.(start + batch.length);
  }
  const order = new Map(files.map((file, index) => [file, index]));
  const position = (error: HtmlError) => order.get(error.file) ?? -1;
  return errors.sort((a, b) => position(a) - position(b) || (a.line ?? 0) - (b.line ?? 0));
}

async function checkBatch(files: readonly string[]): Promise<HtmlError[]> {
  const { code, stdout, stderr } = await run('java', ['-jar', VNU_JAR, '--errors-only', '--format', 'json', '--stdout', ...files]);
  let report: { messages: VnuMessage[] };
  try {
    report = JSON.parse(stdout) as { messages: VnuMessage[] };
  } catch {
    throw new Error(`vnu exited with code ${code} without a report: ${stderr.trim() || stdout.trim()}`);
  }
  // vnu names pages by file: URL; report them as they were given.
  const given = new Map(files.map((file) => [resolve(file), file]));
  return report.messages.map((message) => {
    const path = message.url?.startsWith('file:') ? fileURLToPath(message.url) : (message.url ?? '');
    return { file: given.get(path) ?? path, line: message.firstLine ?? message.lastLine ?? null, message: message.message };
  });
}

function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((fulfil, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new JavaMissingError() : error));
    child.on('close', (code) => fulfil({ code, stdout, stderr }));
  });
}
