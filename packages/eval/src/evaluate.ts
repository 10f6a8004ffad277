import { aurocSorted, brier, ece, type ScoredValue } from './calibration.js';
import { type Comparison, compareAll, type EvalConfig } from './compare.js';
import { type Counts, rates } from './counts.js';
import type { ResultDocument, TruthRow } from './inputs.js';
import { adviseFromCurve, ascending, errorCaptureSorted, thresholdCurveSorted } from './review-budget.js';

/**
 * The figures of one field, or of all fields micro-averaged (`overall`). Rates are `null` where their
 * denominator is 0.
 *
 * @example
 * ```ts
 * const { f1, calibration: { ece }, threshold }: FieldReport = report.fields.total!;
 * ```
 */
export interface FieldReport extends Counts {
  precision: number | null;
  recall: number | null;
  f1: number | null;
  accuracy: number | null;
  calibration: { ece: number | null; brier: number | null; auroc: number | null };
  /** Share of the wrong values caught by reviewing the lowest-scored 5, 10, 20 % of values. */
  errorCapture: { '5': number | null; '10': number | null; '20': number | null };
  /** The lowest threshold whose accepted values reach the target accuracy; `null` when none does. */
  threshold: { value: number; straightThrough: number; acceptedAccuracy: number } | null;
}

/**
 * What `idp eval --json` prints.
 *
 * @example
 * ```ts
 * const report: EvalReport = evaluate(results, truth);
 * console.log(`${report.matched} of ${report.documents} documents had truth`);
 * ```
 */
export interface EvalReport {
  documents: number;
  matched: number;
  unmatchedTruth: string[];
  unmatchedResults: string[];
  fields: Record<string, FieldReport>;
  overall: FieldReport;
}

/**
 * Options of {@link evaluate}.
 *
 * @example
 * ```ts
 * const options: EvalOptions = { config: { fields: { total: 'number' } }, targetAccuracy: 0.98 };
 * ```
 */
export interface EvalOptions {
  config?: EvalConfig;
  /** The accuracy threshold advice aims at; default 0.99. */
  targetAccuracy?: number;
}

/**
 * The review budgets error capture is reported at, in percent.
 *
 * @example
 * ```ts
 * for (const b of REVIEW_BUDGETS) console.log(`${b}%: ${report.overall.errorCapture[b]}`);
 * ```
 */
export const REVIEW_BUDGETS = [5, 10, 20] as const;

/**
 * The figures of a set of counts and scored values.
 *
 * @example
 * ```ts
 * const r = fieldReport({ tp: 1, fp: 0, fn: 0, tn: 0 }, 1, [{ confidence: 90, correct: true }], 0.99);
 * ```
 */
export function fieldReport(
  counts: Counts,
  units: number,
  scored: readonly ScoredValue[],
  targetAccuracy: number,
): FieldReport {
  // One stable sort serves error capture, the threshold curve and AUROC (sorting is most of the cost).
  const sorted = ascending(scored);
  const [b5, b10, b20] = REVIEW_BUDGETS.map((b) => errorCaptureSorted(sorted, b));
  return {
    ...counts,
    ...rates(counts, units),
    calibration: { ece: ece(scored), brier: brier(scored), auroc: aurocSorted(sorted) },
    errorCapture: { '5': b5 ?? null, '10': b10 ?? null, '20': b20 ?? null },
    threshold: adviseFromCurve(thresholdCurveSorted(sorted), targetAccuracy),
  };
}

/**
 * The report of a {@link Comparison}: per field, and overall (counts summed, calibration over all scored
 * values in the results' order).
 *
 * @example
 * ```ts
 * const report = reportOf(compareAll(results, truth), 0.99);
 * ```
 */
export function reportOf(comparison: Comparison, targetAccuracy = 0.99): EvalReport {
  const fields: Record<string, FieldReport> = {};
  const total: Counts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  let units = 0;
  for (const [name, f] of comparison.fields) {
    fields[name] = fieldReport(f.counts, f.units, f.scored, targetAccuracy);
    total.tp += f.counts.tp;
    total.fp += f.counts.fp;
    total.fn += f.counts.fn;
    total.tn += f.counts.tn;
    units += f.units;
  }
  return {
    documents: comparison.documents,
    matched: comparison.matched,
    unmatchedTruth: comparison.unmatchedTruth,
    unmatchedResults: comparison.unmatchedResults,
    fields,
    overall: fieldReport(total, units, comparison.scored, targetAccuracy),
  };
}

/**
 * How right the results are against the truth: per field counts, precision/recall/F1/accuracy,
 * calibration (ECE, Brier, AUROC), error capture at review budgets of 5/10/20 % and threshold advice.
 * Pure: read the inputs with `readResults()` and `readTruth()`.
 *
 * @example
 * ```ts
 * const report = evaluate(await readResults('batch-out'), await readTruth('truth.csv'), {
 *   config: { fields: { total: 'number', dueDate: 'date' } },
 *   targetAccuracy: 0.99,
 * });
 * console.log(report.fields.total?.threshold); // { value: 87.5, straightThrough: 0.91, acceptedAccuracy: 0.992 }
 * ```
 */
export function evaluate(
  results: readonly ResultDocument[],
  truth: readonly TruthRow[],
  options: EvalOptions = {},
): EvalReport {
  return reportOf(compareAll(results, truth, options.config), options.targetAccuracy ?? 0.99);
}
