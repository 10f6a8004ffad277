import stringWidth from 'string-width';
import { terminalLine } from './terminal-text.js';

/** The widest a table cell is shown, in terminal columns; `--json` and `--csv` show every value whole. */
export const MAX_CELL_COLUMNS = 80;

/**
 * Code units of a value ever looked at per column shown. Wide enough for combining marks; small enough
 * that a 1 MB value costs what an 80-column one does (string-width is quadratic in its input: a 1 MB
 * value kept `idp get` busy for minutes).
 */
const UNITS_PER_COLUMN = 4;

const graphemes = new Intl.Segmenter();

/** The first `units` code units, never ending in half a surrogate pair. */
function head(value: string, units: number): string {
  if (value.length <= units) return value;
  const last = value.charCodeAt(units - 1);
  return value.slice(0, last >= 0xd800 && last <= 0xdbff ? units - 1 : units);
}

/** `line` cut to `max` columns, the last one an ellipsis. */
function cut(line: string, max: number): string {
  let out = '';
  let width = 0;
  for (const { segment } of graphemes.segment(line)) {
    const w = stringWidth(segment);
    if (width + w > max - 1) break;
    out += segment;
    width += w;
  }
  return `${out}…`;
}

/**
 * A server's or a file's text as one table cell: on one line, control characters shown as escapes
 * (see terminalLine), and at most `max` columns wide, cut with an ellipsis. Its cost does not grow with
 * the value's length.
 *
 * @example
 * ```ts
 * fitCell('x'.repeat(1_000_000)); // { text: 'xxx…x…' (80 columns), cut: true }
 * ```
 */
export function fitCell(value: string, max = MAX_CELL_COLUMNS): { text: string; cut: boolean } {
  const prefix = head(value, max * UNITS_PER_COLUMN);
  const line = terminalLine(prefix);
  if (prefix.length === value.length && stringWidth(line) <= max) return { text: line, cut: false };
  return { text: cut(line, max), cut: true };
}

/** Fits cells and counts the ones it cut, so that a table can say `--json` shows them whole. */
export interface CellFitter {
  (value: string): string;
  /** How many cells were cut so far. */
  readonly cut: number;
}

/**
 * A `fitCell` that counts what it cut.
 *
 * @example
 * ```ts
 * const cell = cellFitter();
 * const row = [cell(name), cell(value)];
 * if (cell.cut > 0) lines.push(cutNote(cell.cut));
 * ```
 */
export function cellFitter(max = MAX_CELL_COLUMNS): CellFitter {
  let count = 0;
  const fit = (value: string) => {
    const fitted = fitCell(value, max);
    if (fitted.cut) count++;
    return fitted.text;
  };
  return Object.defineProperty(fit, 'cut', { get: () => count }) as CellFitter;
}

/** The line under a table that had cells cut. */
export function cutNote(count: number, max = MAX_CELL_COLUMNS): string {
  return `(${count} value${count > 1 ? 's' : ''} cut at ${max} columns: --json shows ${count > 1 ? 'them' : 'it'} whole)`;
}
