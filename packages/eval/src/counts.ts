/**
 * Outcome counts of one field (or of all fields, summed).
 *
 * @example
 * ```ts
 * const c: Counts = { tp: 8, fp: 1, fn: 2, tn: 1 };
 * ```
 */
export interface Counts {
  /** Both present and equal. */
  tp: number;
  /** Extracted present and wrong: not equal to the truth, or no truth value at all. */
  fp: number;
  /** Truth present and not extracted right: missing, or not equal (then it is an fp too). */
  fn: number;
  /** Neither present. */
  tn: number;
}

/**
 * What one comparison of a truth value with an extracted value adds to the counts. Both present and not
 * equal counts once as a false positive **and** once as a false negative.
 *
 * @example
 * ```ts
 * outcome(true, true, false); // { tp: 0, fp: 1, fn: 1, tn: 0 }
 * ```
 */
export function outcome(truthPresent: boolean, extractedPresent: boolean, equal: boolean): Counts {
  if (truthPresent && extractedPresent)
    return equal ? { tp: 1, fp: 0, fn: 0, tn: 0 } : { tp: 0, fp: 1, fn: 1, tn: 0 };
  if (extractedPresent) return { tp: 0, fp: 1, fn: 0, tn: 0 };
  if (truthPresent) return { tp: 0, fp: 0, fn: 1, tn: 0 };
  return { tp: 0, fp: 0, fn: 0, tn: 1 };
}

/**
 * Precision, recall, F1 and accuracy from counts; `null` where the denominator is 0.
 *
 * @param units what accuracy divides by: documents for a field, compared rows for a table column.
 * @example
 * ```ts
 * rates({ tp: 8, fp: 2, fn: 2, tn: 0 }, 10); // { precision: 0.8, recall: 0.8, f1: 0.8, accuracy: 0.8 }
 * ```
 */
export function rates(c: Counts, units: number) {
  const precision = c.tp + c.fp === 0 ? null : c.tp / (c.tp + c.fp);
  const recall = c.tp + c.fn === 0 ? null : c.tp / (c.tp + c.fn);
  // 2tp / (2tp + fp + fn) is the harmonic mean of the two, without its rounding (0.8 stays 0.8).
  const f1 = precision === null || recall === null ? null : (2 * c.tp) / (2 * c.tp + c.fp + c.fn);
  const accuracy = units === 0 ? null : (c.tp + c.tn) / units;
  return { precision, recall, f1, accuracy };
}
