import type { EvalReport, FieldReport } from './evaluate.js';

/**
 * A report's fields, worst first: lowest F1 (none last), then lowest accuracy. The order the CLI's table
 * and the HTML report show them in.
 *
 * @example
 * ```ts
 * const [worst] = fieldsWorstFirst(report); // ['totalAmount', { f1: 0.71, … }]
 * ```
 */
export function fieldsWorstFirst(report: Pick<EvalReport, 'fields'>): [string, FieldReport][] {
  return Object.entries(report.fields).sort(
    ([, a], [, b]) => (a.f1 ?? 2) - (b.f1 ?? 2) || (a.accuracy ?? 2) - (b.accuracy ?? 2),
  );
}
