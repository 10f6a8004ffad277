/**
 * One value of a result, as a line of a batch's `results.jsonl` lists it (`extractFields` output).
 *
 * @example
 * ```ts
 * const v: ResultValue = { kind: 'field', name: 'total', value: '1,234.50', confidence: 97.2 };
 * ```
 */
export interface ResultValue {
  /** `field`, a table `cell`, or a `prompt` answer. */
  kind?: string;
  name: string;
  value: string | null;
  /** 0–100. */
  confidence?: number;
  /** Table name (cells only). */
  table?: string;
  /** Row index in the table (cells only). */
  row?: number;
}

/**
 * One document's result: where it came from and its values.
 *
 * @example
 * ```ts
 * const doc: ResultDocument = { file: '/in/invoice-1.pdf', hash: 'ab12…', fields: [] };
 * ```
 */
export interface ResultDocument {
  /** The document's path (absolute in a batch's results). */
  file: string;
  /** SHA-256 of the content, hex. */
  hash?: string;
  fields: ResultValue[];
}

/**
 * The right answers for one document. `null` (or a blank) means the value is not on the document.
 *
 * @example
 * ```ts
 * const row: TruthRow = { file: 'invoice-1.pdf', fields: { total: '1234.50', po: null }, tables: { items: [{ sku: 'A1' }] } };
 * ```
 */
export interface TruthRow {
  /** A base name, a path relative to the batch's input, or a SHA-256. */
  file: string;
  fields: Record<string, string | null>;
  tables?: Record<string, Record<string, string | null>[]>;
  /** Line in the truth file, for messages. */
  line?: number;
}

/**
 * Bad input: a malformed truth or results file, an unknown comparator, a config field found in neither
 * file, no truth row matching any result. The message says what to fix.
 *
 * @example
 * ```ts
 * try { await readTruth('truth.csv'); } catch (e) { if (e instanceof EvalInputError) console.error(e.message); }
 * ```
 */
export class EvalInputError extends Error {
  override name = 'EvalInputError';
}

const NOT_BLANK = /\S/;

/**
 * Present: not missing, not null, not blank.
 *
 * @example
 * ```ts
 * isPresent('  '); // false
 * ```
 */
export function isPresent(value: string | null | undefined): value is string {
  // A test, not trim(): no new string per value.
  return value !== null && value !== undefined && NOT_BLANK.test(value);
}
