import type { ScoredValue } from './calibration.js';

/**
 * The share of all wrong values a person would catch by reviewing the lowest-scored `budget` percent:
 * values sorted by confidence ascending (ties keep the order given), the first ⌈budget/100 × n⌉
 * reviewed. `null` when there is no wrong value to catch.
 *
 * @example
 * ```ts
 * errorCapture([{ confidence: 10, correct: false }, { confidence: 90, correct: true }], 50); // 1
 * ```
 */
export function errorCapture(values: readonly ScoredValue[], budget: number): number | null {
  const wrong = values.filter((v) => !v.correct).length;
  if (wrong === 0) return null;
  // Integer arithmetic first: 7/100 × 100 is 7.000000000000001 in floating point, whose ceiling is 8.
  const reviewed = Math.ceil((budget * values.length) / 100);
  // Array.prototype.sort is stable (ES2019): ties stay in the results' order.
  const ascending = [...values].sort((a, b) => a.confidence - b.confidence);
  let caught = 0;
  for (const v of ascending.slice(0, reviewed)) if (!v.correct) caught++;
  return caught / wrong;
}

/**
 * One point of the threshold curve: accept every value scored ≥ `threshold` without review.
 *
 * @example
 * ```ts
 * const { threshold, straightThrough, acceptedAccuracy }: ThresholdPoint = thresholdCurve(values)[0]!;
 * ```
 */
export interface ThresholdPoint {
  /** An observed confidence (0–100). */
  threshold: number;
  /** Share of all scored values at or above it: what goes through with no person. */
  straightThrough: number;
  /** Share of right values among those. */
  acceptedAccuracy: number;
}

/**
 * For each distinct observed confidence T, ascending: the straight-through rate and the accuracy of the
 * values scored ≥ T.
 *
 * @example
 * ```ts
 * thresholdCurve([{ confidence: 50, correct: false }, { confidence: 90, correct: true }]);
 * // [{ threshold: 50, straightThrough: 1, acceptedAccuracy: 0.5 }, { threshold: 90, straightThrough: 0.5, acceptedAccuracy: 1 }]
 * ```
 */
export function thresholdCurve(values: readonly ScoredValue[]): ThresholdPoint[] {
  const descending = [...values].sort((a, b) => b.confidence - a.confidence);
  const points: ThresholdPoint[] = [];
  let accepted = 0;
  let right = 0;
  for (let i = 0; i < descending.length; i++) {
    const v = descending[i] as ScoredValue;
    accepted++;
    right += v.correct ? 1 : 0;
    // A point once all values with this confidence are in (≥ T takes every tie).
    if (descending[i + 1]?.confidence !== v.confidence) {
      points.push({
        threshold: v.confidence,
        straightThrough: accepted / values.length,
        acceptedAccuracy: right / accepted,
      });
    }
  }
  return points.reverse();
}

/**
 * Threshold advice: the lowest observed confidence T such that the values scored ≥ T are at least
 * `target` right, with its straight-through rate and the accuracy reached. `null` when no T reaches the
 * target (or there are no scored values).
 *
 * @example
 * ```ts
 * const advice = adviseThreshold(values, 0.99);
 * if (advice) console.log(`set the threshold to ${advice.value}: ${advice.straightThrough * 100}% need no review`);
 * ```
 */
export function adviseThreshold(
  values: readonly ScoredValue[],
  target: number,
): { value: number; straightThrough: number; acceptedAccuracy: number } | null {
  // The curve ascends in T; the first point that reaches the target is the lowest such T.
  for (const p of thresholdCurve(values)) {
    // A hair under the target for floating point: 99 of 100 right is 0.99, not 0.98999….
    if (p.acceptedAccuracy >= target - 1e-12)
      return { value: p.threshold, straightThrough: p.straightThrough, acceptedAccuracy: p.acceptedAccuracy };
  }
  return null;
}
