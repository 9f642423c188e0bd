import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LogInfo } from '../model/types.ts';
import { type RawLogSink, rawLogUrl } from '../pages/logPage.ts';

/** Bytes gathered before one write: few system calls, and a log never held whole in memory. */
const FLUSH_AT = 1 << 16;

/** Opens a log's raw `.txt` file under `outDir`: its lines joined by `\n`, with a final newline. */
export function rawLogFile(outDir: string): (log: LogInfo) => RawLogSink {
  return (log) => {
    const file = join(outDir, rawLogUrl(log.buildId, log.id, log.slug));
    mkdirSync(dirname(file), { recursive: true });
    const fd = openSync(file, 'w');
    let pending: string[] = [];
    let pendingLength = 0;
    const flush = () => {
      if (pending.length > 0) writeSync(fd, pending.join(''));
      pending = [];
      pendingLength = 0;
    };
    return {
      write(line) {
        pending.push(line, '\n');
        pendingLength += line.length + 1;
        if (pendingLength >= FLUSH_AT) flush();
      },
      close() {
        try {
          flush();
        } finally {
          closeSync(fd);
        }
      },
    };
  };
}

/** Writes a file of the archive under `outDir` whole: a build's data. */
export function archiveFile(outDir: string): (url: string, bytes: Uint8Array) => void {
  return (url, bytes) => {
    const file = join(outDir, url);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, bytes);
  };
}
