import { RESULT_COLOURS, buildResult } from '../model/results.ts';
import { type Archive, type PageKind, type PageModel, cutByWeight, idSpan, touchedBuilders } from './kind.ts';

/** A file, not a page: the builder's badge. */
export function badgeUrl(builderId: number): string {
  return `builder/${builderId}/badge.svg`;
}

/** A builder's badge in shields.io's flat style: "build | failure". */
export interface Badge extends PageModel {
  /** The file, relative to the archive. */
  file: string;
  label: string;
  message: string;
  /** For screen readers and tooltips: "build: failure". */
  description: string;
  colour: string;
  /** The message's text colour: light on the darkest result (failure), dark on the others. */
  textColour: string;
  /** Geometry, in pixels; text positions and lengths in the tenths the SVG scales by. */
  width: number;
  labelWidth: number;
  messageWidth: number;
  labelX: number;
  labelLength: number;
  messageX: number;
  messageLength: number;
}

/** Some builders' badges. */
export interface BadgePart {
  ids: number[];
}

/** Badges weigh little: a window holds a thousand of them per build page. */
const BADGES_PER_BUILD_PAGE = 1000;

/** `builder/<id>/badge.svg`: the result of the builder's most recently started build that has one. */
export const badgeKind: PageKind<BadgePart> = {
  name: 'badge',
  body: 'badge',
  folder: 'builder',
  plan: ({ site, options }) => badgeParts([...site.builders.keys()], options.buildsPerWindow),
  changed: (archive, before) => badgeParts(touchedBuilders(archive, before), archive.options.buildsPerWindow),
  pageCount: (part) => part.ids.length,
  weight: (part) => Math.ceil(part.ids.length / BADGES_PER_BUILD_PAGE),
  describe: (part) => `badges of builders ${idSpan(part.ids)}`,
  pages: (archive, part) => badges(archive, part.ids),
};

const badgeParts = (ids: readonly number[], budget: number): BadgePart[] =>
  Array.from(cutByWeight(ids, () => 1, budget * BADGES_PER_BUILD_PAGE), (run) => ({ ids: run }));

function badges({ record }: Archive, ids: readonly number[]): Badge[] {
  const statuses = record.buildStatus('builder', 0, ids);
  return ids.map((id) => {
    const last = statuses.get(id)?.lastFinished;
    const result = last ? buildResult(last) : null;
    return badge(badgeUrl(id), 'build', result?.label ?? 'no result', RESULT_COLOURS[result?.key ?? 'unknown']!);
  });
}

/** Result colours dark enough to need light text (RESULT_COLOURS). */
const DARK_RESULTS = new Set([RESULT_COLOURS.failure]);

/** Shields' flat badge: 20 px high, each side its text's width and 5 px either side. */
export function badge(file: string, label: string, message: string, colour: string): Badge {
  const labelText = textWidth(label);
  const messageText = textWidth(message);
  const labelWidth = Math.round(labelText + 10);
  const messageWidth = Math.round(messageText + 10);
  return {
    file,
    label,
    message,
    description: `${label}: ${message}`,
    colour,
    textColour: DARK_RESULTS.has(colour) ? '#fff' : '#222',
    width: labelWidth + messageWidth,
    labelWidth,
    messageWidth,
    labelX: labelWidth * 5,
    labelLength: Math.round(labelText * 10),
    messageX: (labelWidth + messageWidth / 2) * 10,
    messageLength: Math.round(messageText * 10),
    warnings: [],
  };
}

/** Widths of Verdana at 11 px, as shields measures: the SVG's textLength fits the text to them. */
const VERDANA_11: Record<string, number> = {
  a: 6.7, b: 6.9, c: 5.8, d: 6.9, e: 6.6, f: 3.9, g: 6.9, h: 7.0, i: 3.0, j: 3.8, k: 6.5, l: 3.0, m: 10.7,
  n: 7.0, o: 6.7, p: 6.9, q: 6.9, r: 4.7, s: 5.7, t: 4.3, u: 7.0, v: 6.5, w: 8.9, x: 6.5, y: 6.5, z: 5.8,
  ' ': 3.9, '(': 4.5, ')': 4.5,
};

function textWidth(text: string): number {
  return [...text].reduce((sum, char) => sum + (VERDANA_11[char] ?? (/\d/.test(char) ? 7.0 : 7.5)), 0);
}
