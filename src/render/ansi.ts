/**
 * ANSI SGR colour codes in log text as HTML: the text is escaped first, the codes become spans
 * with `ansi-*` classes, and every other escape sequence is dropped.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

interface Style {
  fg: number | null;
  bg: number | null;
  bold: boolean;
  underline: boolean;
}

const PLAIN: Style = { fg: null, bg: null, bold: false, underline: false };
// CSI sequences (colours and cursor movement), and any other lone escape.
const SEQUENCE = /\x1b\[([0-9;?]*)([A-Za-z])|\x1b/g;

function applyCodes(style: Style, codes: number[]): Style {
  let next = { ...style };
  for (const code of codes.length === 0 ? [0] : codes) {
    if (code === 0) next = { ...PLAIN };
    else if (code === 1) next.bold = true;
    else if (code === 22) next.bold = false;
    else if (code === 4) next.underline = true;
    else if (code === 24) next.underline = false;
    else if ((code >= 30 && code <= 37) || (code >= 90 && code <= 97)) next.fg = code;
    else if (code === 39) next.fg = null;
    else if ((code >= 40 && code <= 47) || (code >= 100 && code <= 107)) next.bg = code;
    else if (code === 49) next.bg = null;
  }
  return next;
}

function classes(style: Style): string {
  const names: string[] = [];
  if (style.fg !== null) names.push(`ansi-${style.fg}`);
  if (style.bg !== null) names.push(`ansi-${style.bg}`);
  if (style.bold) names.push('ansi-bold');
  if (style.underline) names.push('ansi-underline');
  return names.join(' ');
}

export function ansiToHtml(text: string): string {
  if (!text.includes('\x1b')) return escapeHtml(text);
  let html = '';
  let style = PLAIN;
  let last = 0;
  const emit = (piece: string) => {
    if (!piece) return;
    const names = classes(style);
    html += names ? `<span class="${names}">${escapeHtml(piece)}</span>` : escapeHtml(piece);
  };
  for (const match of text.matchAll(SEQUENCE)) {
    emit(text.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[2] === 'm') {
      style = applyCodes(style, (match[1] ?? '').split(';').filter(Boolean).map(Number));
    }
  }
  emit(text.slice(last));
  return html;
}
