// Types of signature.js, which the build imports and the browser loads as it is.
export function isErrorLine(text: string): boolean;
export function errorLines<Line extends { number: number; text: string }>(lines: Iterable<Line>): Generator<Line>;
export const SIGNATURE_LENGTH: number;
export function normalizeLine(line: string): string;
