import type { ScoredValue } from './calibration.js';
import { type Comparator, ComparatorError, parseComparator, similarity } from './comparators.js';
import type { Counts } from './counts.js';
import { hungarian } from './hungarian.js';
import { EvalInputError, isPresent, type ResultDocument, type ResultValue, type TruthRow } from './inputs.js';
import { matchDocuments } from './match.js';

/**
 * How each field is compared: `{"fields": {"total": "number", "items.qty": "number:0.5"}}`; table
 * columns as `<table>.<column>`; a field not named is compared as `text`.
 *
 * @example
 * ```ts
 * const config: EvalConfig = { fields: { total: 'number', dueDate: 'date', vendor: 'fuzzy:0.9' } };
 * ```
 */
export interface EvalConfig {
  fields?: Record<string, string>;
}

/**
 * A value that was not right, with its document: for a person to look at.
 *
 * @example
 * ```ts
 * const w: WrongValue = { file: '/in/invoice-1.pdf', field: 'total', truth: '120.00', extracted: '12.00', confidence: 91 };
 * ```
 */
export interface WrongValue {
  file: string;
  field: string;
  /** `null`: not on the document (the extracted value should not be there). */
  truth: string | null;
  /** `null`: not extracted. */
  extracted: string | null;
  confidence?: number;
  /** The result's row, for table columns (absent when the truth row matched no extracted row). */
  row?: number;
}

/**
 * Everything compared for one field: its counts, what accuracy divides by, its scored values in the
 * results' order, and its wrong values.
 *
 * @example
 * ```ts
 * const { counts, scored, wrong }: FieldOutcomes = compareAll(results, truth).fields.get('total')!;
 * ```
 */
export interface FieldOutcomes {
  counts: Counts;
  /** Documents (a field) or compared rows (a table column). */
  units: number;
  scored: ScoredValue[];
  wrong: WrongValue[];
}

/**
 * The comparison of results with truth before any figure is computed.
 *
 * @example
 * ```ts
 * const { matched, unmatchedTruth, fields }: Comparison = compareAll(results, truth, { config });
 * ```
 */
export interface Comparison {
  documents: number;
  matched: number;
  unmatchedTruth: string[];
  unmatchedResults: string[];
  /** Per field, in the order first met (truth first). */
  fields: Map<string, FieldOutcomes>;
  /** Every scored value of every field, in the results' order: for the overall figures. */
  scored: ScoredValue[];
}

/** A value as a result gives it: the text (or null) and its score. Shared with `diff.ts`. */
export interface Extracted {
  value: string | null;
  confidence?: number;
}

/** The first present value per name (multi-page results repeat a name), else the first one. */
function pick(map: Map<string, Extracted>, key: string, v: ResultValue): void {
  const had = map.get(key);
  if (had && (isPresent(had.value) || !isPresent(v.value))) return;
  map.set(key, v); // the value itself, not a copy: a batch has millions of them
}

/** A result's values: plain ones by name, table cells by table, row and column (eval and diff read them alike). */
export function indexResult(doc: ResultDocument) {
  const fields = new Map<string, Extracted>();
  const tables = new Map<string, Map<number, Map<string, Extracted>>>();
  for (const v of doc.fields) {
    if (v.kind === 'cell' || v.table !== undefined) {
      const table = v.table ?? '';
      const rows = tables.get(table) ?? new Map<number, Map<string, Extracted>>();
      tables.set(table, rows);
      const row = rows.get(v.row ?? 0) ?? new Map<string, Extracted>();
      rows.set(v.row ?? 0, row);
      pick(row, v.name, v);
    } else pick(fields, v.name, v);
  }
  return { fields, tables };
}

/** Field and table-column names, in the order first met. */
function namesIn(truth: readonly TruthRow[], results: readonly ResultDocument[]) {
  const inTruth = new Set<string>();
  const tableColumns = new Map<string, Set<string>>();
  for (const t of truth) {
    for (const name of Object.keys(t.fields)) inTruth.add(name);
    for (const [table, rows] of Object.entries(t.tables ?? {})) {
      const columns = tableColumns.get(table) ?? new Set<string>();
      tableColumns.set(table, columns);
      for (const row of rows) for (const column of Object.keys(row)) columns.add(column);
    }
  }
  const inResults = new Set<string>();
  for (const r of results) {
    for (const v of r.fields) inResults.add(v.table !== undefined ? `${v.table}.${v.name}` : v.name);
  }
  return { inTruth, tableColumns, inResults };
}

/** Each field's comparator from the config (`text` when not named); a bad spec or an unknown field throws. */
export function comparatorsFor(config: EvalConfig | undefined, known: (name: string) => boolean) {
  const comparators = new Map<string, Comparator>();
  for (const [name, spec] of Object.entries(config?.fields ?? {})) {
    if (typeof spec !== 'string')
      throw new EvalInputError(`config field "${name}": the comparator must be a string such as "number"`);
    try {
      comparators.set(name, parseComparator(spec));
    } catch (error) {
      if (error instanceof ComparatorError)
        throw new EvalInputError(`config field "${name}": ${error.message}`);
      throw error;
    }
    if (!known(name))
      throw new EvalInputError(
        `config field "${name}" is in neither the truth nor the results: check its spelling (table columns are <table>.<column>)`,
      );
  }
  const text = parseComparator('text');
  return (name: string) => comparators.get(name) ?? text;
}

class Tally {
  readonly fields = new Map<string, FieldOutcomes>();
  readonly scored: ScoredValue[] = [];

  field(name: string): FieldOutcomes {
    let f = this.fields.get(name);
    if (!f) {
      f = { counts: { tp: 0, fp: 0, fn: 0, tn: 0 }, units: 0, scored: [], wrong: [] };
      this.fields.set(name, f);
    }
    return f;
  }

  add(
    name: string,
    file: string,
    truth: string | null | undefined,
    got: Extracted | undefined,
    equal: Comparator,
    row?: number,
  ) {
    const f = this.field(name);
    const t = isPresent(truth) ? truth : null;
    const e = isPresent(got?.value) ? (got?.value as string) : null;
    const right = t !== null && e !== null && equal(t, e);
    // The same rule as outcome(), added in place: one object per comparison is measurable at 200,000.
    f.units++;
    if (right) f.counts.tp++;
    else {
      if (e !== null) f.counts.fp++;
      if (t !== null) f.counts.fn++;
      if (e === null && t === null) f.counts.tn++;
    }
    // Calibration looks at the values that were extracted and scored; right means a true positive.
    if (e !== null && got?.confidence !== undefined) {
      const v = { confidence: got.confidence, correct: right };
      f.scored.push(v);
      this.scored.push(v);
    }
    if (!right && (e !== null || t !== null)) {
      f.wrong.push({
        file,
        field: name,
        truth: t,
        extracted: e,
        ...(e !== null && got?.confidence !== undefined ? { confidence: got.confidence } : {}),
        ...(row !== undefined ? { row } : {}),
      });
    }
  }
}

function compareTable(
  tally: Tally,
  file: string,
  table: string,
  columns: readonly string[],
  truthRows: readonly Record<string, string | null>[],
  resultRows: Map<number, Map<string, Extracted>> | undefined,
  comparatorOf: (name: string) => Comparator,
): void {
  const extracted = [...(resultRows ?? new Map<number, Map<string, Extracted>>()).entries()].sort(
    (a, b) => a[0] - b[0],
  );
  const same = (t: Record<string, string | null>, e: Map<string, Extracted>) => {
    let compared = 0;
    let agree = 0;
    for (const column of columns) {
      const tv = t[column];
      const ev = e.get(column)?.value;
      if (!isPresent(tv) && !isPresent(ev)) continue;
      compared++;
      if (isPresent(tv) && isPresent(ev)) {
        // Graded, not yes/no, so near-misses still pair up with their row.
        agree += comparatorOf(`${table}.${column}`)(tv, ev) ? 1 : similarity(tv, ev) / 2;
      }
    }
    return compared === 0 ? 1 : agree / compared;
  };
  const cost = truthRows.map((t) => extracted.map(([, e]) => 1 - same(t, e)));
  const assigned = hungarian(cost);
  const paired = new Set<number>();
  truthRows.forEach((t, ti) => {
    const ei = assigned[ti] ?? -1;
    const pair = ei >= 0 ? extracted[ei] : undefined;
    if (pair) paired.add(ei);
    for (const column of columns) {
      const name = `${table}.${column}`;
      tally.add(name, file, t[column], pair?.[1].get(column), comparatorOf(name), pair?.[0]);
    }
  });
  extracted.forEach(([row, e], ei) => {
    if (paired.has(ei)) return;
    for (const column of columns) {
      const name = `${table}.${column}`;
      tally.add(name, file, null, e.get(column), comparatorOf(name), row);
    }
  });
}

/**
 * Matches results with truth rows and compares every field and table column of each matched document.
 * Pure: no I/O. Throws {@link EvalInputError} for a bad config or when no truth row matches any result.
 *
 * @example
 * ```ts
 * const comparison = compareAll(results, truth, { fields: { total: 'number' } });
 * console.log(comparison.fields.get('total')?.counts);
 * ```
 */
export function compareAll(
  results: readonly ResultDocument[],
  truth: readonly TruthRow[],
  config?: EvalConfig,
): Comparison {
  const { inTruth, tableColumns, inResults } = namesIn(truth, results);
  const tableOf = (name: string) => {
    const dot = name.indexOf('.');
    return dot > 0 && tableColumns.has(name.slice(0, dot)) ? name.slice(0, dot) : undefined;
  };
  const comparatorOf = comparatorsFor(
    config,
    (name) =>
      inTruth.has(name) ||
      inResults.has(name) ||
      (tableOf(name) !== undefined &&
        tableColumns.get(tableOf(name) ?? '')?.has(name.slice((tableOf(name) ?? '').length + 1)) === true),
  );
  // Fields the config names that only the results have are compared too (every value is then an fp).
  const plain = [...inTruth];
  for (const name of Object.keys(config?.fields ?? {}))
    if (!inTruth.has(name) && tableOf(name) === undefined && !plain.includes(name)) plain.push(name);

  const matching = matchDocuments(results, truth);
  if (results.length === 0) throw new EvalInputError('the results hold no document: is the batch run yet?');
  if (truth.length === 0) throw new EvalInputError('the truth file has no rows: add one row per document');
  if (matching.pairs.length === 0) {
    throw new EvalInputError(
      `no truth row matches any of the ${results.length} results: the truth's "file" must be a result's base name (e.g. ${baseOf(results[0]?.file)}), its path relative to the batch's input, or its SHA-256`,
    );
  }
  const tally = new Tally();
  for (const name of plain) tally.field(name); // listed even when no document has it
  for (const [table, columns] of tableColumns) for (const c of columns) tally.field(`${table}.${c}`);
  for (const [ri, ti] of matching.pairs) {
    const doc = results[ri] as ResultDocument;
    const row = truth[ti] as TruthRow;
    const got = indexResult(doc);
    for (const name of plain)
      tally.add(name, doc.file, row.fields[name], got.fields.get(name), comparatorOf(name));
    for (const [table, columns] of tableColumns) {
      compareTable(
        tally,
        doc.file,
        table,
        [...columns],
        row.tables?.[table] ?? [],
        got.tables.get(table),
        comparatorOf,
      );
    }
  }
  return {
    documents: results.length,
    matched: matching.pairs.length,
    unmatchedTruth: matching.unmatchedTruth,
    unmatchedResults: matching.unmatchedResults,
    fields: tally.fields,
    scored: tally.scored,
  };
}

function baseOf(path: string | undefined): string {
  return (path ?? '').replace(/\\/g, '/').split('/').pop() ?? '';
}
