/**
 * Progress of a long phase. On a terminal: one redrawn line with a bar, counts, rate and ETA.
 * Elsewhere (CI, pipes): a plain line at every tenth of the way once the phase has taken a second,
 * so logs stay readable and quick phases say only their closing line.
 */

export interface Output {
  write(text: string): void;
  isTTY?: boolean;
}

export interface Progress {
  advance(amount: number): void;
  done(): void;
}

const BAR_WIDTH = 24;
const REDRAW_MS = 100;
/** Off a terminal, a phase shorter than this prints only its closing line. */
const QUIET_MS = 1000;

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const whole = Math.round(seconds);
  return whole >= 60 ? `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s` : `${whole}s`;
}

/** Bytes in decimal units, as file managers and hosts' limits count them: "829 MB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  const power = Math.min(units.length - 1, Math.max(0, Math.floor(Math.log10(Math.max(bytes, 1)) / 3)));
  const value = bytes / 1000 ** power;
  return `${value < 10 && power > 0 ? value.toFixed(1) : Math.round(value)} ${units[power]}`;
}

/** `started`: when the phase began, if before its progress is shown (rates and times count from it). */
export function startProgress(out: Output, label: string, total: number, unit: string, started = Date.now()): Progress {
  let current = 0;
  let lastDraw = 0;
  let lastTenth = 0;

  const line = () => {
    const elapsed = (Date.now() - started) / 1000;
    const rate = elapsed > 0 ? current / elapsed : 0;
    const eta = rate > 0 ? (total - current) / rate : Infinity;
    const share = total > 0 ? Math.min(1, current / total) : 1;
    const bar = '#'.repeat(Math.round(share * BAR_WIDTH)).padEnd(BAR_WIDTH, '.');
    return `${label} [${bar}] ${current}/${total} ${unit} ${Math.round(rate)}/s ETA ${formatSeconds(eta)}`;
  };

  return {
    advance(amount) {
      current += amount;
      if (out.isTTY) {
        if (Date.now() - lastDraw < REDRAW_MS) return;
        lastDraw = Date.now();
        out.write(`\r${line()}\x1b[K`);
        return;
      }
      const tenth = total > 0 ? Math.floor((current / total) * 10) : 10;
      if (tenth > lastTenth && Date.now() - started >= QUIET_MS) {
        lastTenth = tenth;
        out.write(`${line()}\n`);
      }
    },
    done() {
      const seconds = (Date.now() - started) / 1000;
      const summary = `${label}: ${current} ${unit} in ${formatSeconds(seconds)}`;
      out.write(out.isTTY ? `\r${summary}\x1b[K\n` : `${summary}\n`);
    },
  };
}
