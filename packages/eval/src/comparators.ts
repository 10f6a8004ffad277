import { levenshtein } from './levenshtein.js';

/**
 * Decides whether an extracted value equals the truth. Called only when both are present (not blank).
 *
 * @example
 * ```ts
 * const same: Comparator = parseComparator('number');
 * same('$1,234.50', '1234.5'); // true
 * ```
 */
export type Comparator = (truth: string, extracted: string) => boolean;

/**
 * A comparator spec that is not one of `text`, `number[:tolerance]`, `date[:dmy|:mdy]`, `fuzzy:<0–1>`,
 * `exact`. The message says what is accepted.
 *
 * @example
 * ```ts
 * try { parseComparator('money'); } catch (e) { if (e instanceof ComparatorError) console.error(e.message); }
 * ```
 */
export class ComparatorError extends Error {
  override name = 'ComparatorError';
}

/**
 * Trimmed, whitespace collapsed to one space, lower case: the `text` comparator's view of a value.
 *
 * @example
 * ```ts
 * normalizeText('  Acme\n  CORP '); // 'acme corp'
 * ```
 */
export function normalizeText(value: string): string {
  return value.trim().replace(/\s+/g, ' ').toLowerCase();
}

// Equal strings first: most values are right, and normalising both costs two regex passes.
const text: Comparator = (t, e) => t === e || normalizeText(t) === normalizeText(e);

/**
 * A number from an amount as documents print it: currency symbols and codes, spaces and thousands
 * separators dropped; `(12.50)` and a trailing minus are negative; `1.234,56` (comma last, 1–2 digits
 * after it) is read as a decimal comma. `undefined` when there is no number.
 *
 * @example
 * ```ts
 * parseNumber('USD 1,234.50'); // 1234.5
 * parseNumber('1.234,56 €'); // 1234.56
 * ```
 */
export function parseNumber(value: string): number | undefined {
  let s = value.trim();
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1);
  }
  // Everything that is not a digit, a separator or a sign: currency symbols, codes, spaces.
  s = s.replace(/[^\d.,+-]/g, '');
  if (s.endsWith('-')) {
    negative = !negative;
    s = s.slice(0, -1);
  }
  const comma = s.lastIndexOf(',');
  const dot = s.lastIndexOf('.');
  // A comma after the last dot with 1–2 digits behind it is a decimal comma (1.234,56 or 12,5).
  if (comma > dot && /,\d{1,2}$/.test(s)) s = s.replace(/\./g, '').replace(',', '.');
  else s = s.replace(/,/g, '');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(s)) return undefined;
  const n = Number(s);
  return negative ? -n : n;
}

function numberWithin(tolerance: number): Comparator {
  return (t, e) => {
    // The same text is the same number (or the same unparsable text): no parse for most values.
    if (t === e) return true;
    const a = parseNumber(t);
    const b = parseNumber(e);
    // Tolerance plus a hair for binary fractions: 0.1 + 0.2 vs 0.3 with tolerance 0 must be equal.
    if (a === undefined || b === undefined) return text(t, e);
    return Math.abs(a - b) <= tolerance + 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  };
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] as const;

function month(name: string): number | undefined {
  const i = MONTHS.indexOf(name.slice(0, 3).toLowerCase() as (typeof MONTHS)[number]);
  return i < 0 ? undefined : i + 1;
}

function ymd(y: number, m: number | undefined, d: number): string | undefined {
  if (m === undefined || m < 1 || m > 12 || d < 1) return undefined;
  const date = new Date(Date.UTC(y, m - 1, d));
  // Rejects 31 April and the like: Date rolls them over into the next month.
  if (date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * A date as `YYYY-MM-DD`, from ISO `2026-03-05`, `03/05/2026` (month first, or day first with
 * `dayFirst`), `Mar 5, 2026` or `5 March 2026`. Two-digit years are 20xx. `undefined` when none of these.
 *
 * @example
 * ```ts
 * parseDate('Mar 5, 2026'); // '2026-03-05'
 * parseDate('05/03/2026', true); // '2026-03-05'
 * ```
 */
export function parseDate(value: string, dayFirst = false): string | undefined {
  const s = value.trim().replace(/\s+/g, ' ');
  const year = (y: string) => (y.length === 2 ? 2000 + Number(y) : Number(y));
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(s);
  if (m) return ymd(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$/.exec(s);
  if (m) {
    const [a, b] = [Number(m[1]), Number(m[2])];
    return dayFirst ? ymd(year(m[3] ?? ''), b, a) : ymd(year(m[3] ?? ''), a, b);
  }
  m = /^([A-Za-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$/.exec(s);
  if (m) return ymd(Number(m[3]), month(m[1] ?? ''), Number(m[2]));
  m = /^(\d{1,2})(?:st|nd|rd|th)? ([A-Za-z]+)\.?,? (\d{4})$/.exec(s);
  if (m) return ymd(Number(m[3]), month(m[2] ?? ''), Number(m[1]));
  return undefined;
}

function dateComparator(dayFirst: boolean): Comparator {
  return (t, e) => {
    if (t === e) return true;
    const a = parseDate(t, dayFirst);
    const b = parseDate(e, dayFirst);
    return a !== undefined && b !== undefined ? a === b : text(t, e);
  };
}

/**
 * 1 − Levenshtein distance / the longer length, after `text` normalisation (1 when both are empty).
 *
 * @example
 * ```ts
 * similarity('Acme Corp', 'ACME Corp.'); // 0.9
 * ```
 */
export function similarity(a: string, b: string): number {
  const x = normalizeText(a);
  const y = normalizeText(b);
  const longer = Math.max(x.length, y.length);
  return longer === 0 ? 1 : 1 - levenshtein(x, y) / longer;
}

const SPECS = 'text, number, number:<tolerance>, date, date:dmy, fuzzy:<0-1>, exact';

/**
 * The comparator a config string names: `text` (default), `number` (within 0.005) or
 * `number:<tolerance>`, `date` (month first) or `date:dmy`, `fuzzy:<r>` (similarity ≥ r), `exact`.
 * Throws a {@link ComparatorError} for anything else.
 *
 * @example
 * ```ts
 * parseComparator('fuzzy:0.9')('Acme Corp', 'ACME Corp.'); // true
 * ```
 */
export function parseComparator(spec: string): Comparator {
  const [kind = '', arg, ...rest] = spec.trim().split(':');
  const bad = (why: string) =>
    new ComparatorError(`unknown comparator "${spec}": ${why}; use one of ${SPECS}`);
  if (rest.length > 0) throw bad('too many ":"');
  switch (kind) {
    case 'text':
    case 'exact':
      if (arg !== undefined) throw bad(`${kind} takes no argument`);
      return kind === 'text' ? text : (t, e) => t === e;
    case 'number': {
      if (arg === undefined) return numberWithin(0.005);
      const tolerance = Number(arg);
      if (arg === '' || !Number.isFinite(tolerance) || tolerance < 0)
        throw bad('the tolerance must be a number ≥ 0');
      return numberWithin(tolerance);
    }
    case 'date':
      if (arg === undefined || arg === 'mdy') return dateComparator(false);
      if (arg === 'dmy') return dateComparator(true);
      throw bad('date takes dmy or mdy');
    case 'fuzzy': {
      const r = Number(arg);
      if (arg === undefined || arg === '' || !Number.isFinite(r) || r < 0 || r > 1)
        throw bad('fuzzy needs a ratio from 0 to 1, e.g. fuzzy:0.9');
      return (t, e) => similarity(t, e) >= r;
    }
    default:
      throw bad('no such kind');
  }
}
