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
  return errorCaptureSorted(ascending(values), budget);
}

/**
 * Sorted by confidence, ascending; ties keep the order given (Array.prototype.sort is stable since
 * ES2019). Sort once, then hand the result to each `…Sorted` figure.
 *
 * @example
 * ```ts
 * const sorted = ascending(values);
 * errorCaptureSorted(sorted, 10);
 * ```
 */
export function ascending(values: readonly ScoredValue[]): ScoredValue[] {
  return onThousandthsGrid(values)
    ? countingSort(values)
    : [...values].sort((a, b) => a.confidence - b.confidence);
}

/** Scores as `extractFields` gives them: 0–100 with at most 3 decimals (normalizeConfidence rounds so). */
function onThousandthsGrid(values: readonly ScoredValue[]): boolean {
  if (values.length < 1000) return false; // a comparison sort is as quick, and simpler to trust
  for (const v of values) {
    const k = v.confidence * 1000;
    if (!(v.confidence >= 0 && v.confidence <= 100) || Math.abs(k - Math.round(k)) > 1e-6) return false;
  }
  return true;
}

/**
 * Stable, in O(n + 100,001): one bucket per thousandth of a point. A batch's 200,000 scores sort in
 * milliseconds instead of a comparison sort's hundreds, three figures over (issue 25's 3× budget).
 */
function countingSort(values: readonly ScoredValue[]): ScoredValue[] {
  const counts = new Uint32Array(100_002);
  for (const v of values) (counts[Math.round(v.confidence * 1000) + 1] as number)++;
  for (let i = 1; i < counts.length; i++) counts[i] = (counts[i] as number) + (counts[i - 1] as number);
  const out = new Array<ScoredValue>(values.length);
  for (const v of values) {
    const k = Math.round(v.confidence * 1000);
    out[counts[k] as number] = v;
    counts[k] = (counts[k] as number) + 1;
  }
  return out;
}

/**
 * {@link errorCapture} of values already sorted with {@link ascending}.
 *
 * @example
 * ```ts
 * errorCaptureSorted(ascending(values), 20);
 * ```
 */
export function errorCaptureSorted(sorted: readonly ScoredValue[], budget: number): number | null {
  let wrong = 0;
  for (const v of sorted) if (!v.correct) wrong++;
  if (wrong === 0) return null;
  // Integer arithmetic first: 7/100 × 100 is 7.000000000000001 in floating point, whose ceiling is 8.
  const reviewed = Math.min(sorted.length, Math.ceil((budget * sorted.length) / 100));
  let caught = 0;
  for (let i = 0; i < reviewed; i++) if (!sorted[i]?.correct) caught++;
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
  return thresholdCurveSorted(ascending(values));
}

/**
 * {@link thresholdCurve} of values already sorted with {@link ascending}.
 *
 * @example
 * ```ts
 * thresholdCurveSorted(ascending(values));
 * ```
 */
export function thresholdCurveSorted(sorted: readonly ScoredValue[]): ThresholdPoint[] {
  const points: ThresholdPoint[] = [];
  let accepted = 0;
  let right = 0;
  // From the top down: the values ≥ T are a suffix of the ascending order.
  for (let i = sorted.length - 1; i >= 0; i--) {
    const v = sorted[i] as ScoredValue;
    accepted++;
    right += v.correct ? 1 : 0;
    // A point once all values with this confidence are in (≥ T takes every tie).
    if (sorted[i - 1]?.confidence !== v.confidence) {
      points.push({
        threshold: v.confidence,
        straightThrough: accepted / sorted.length,
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
  return adviseFromCurve(thresholdCurve(values), target);
}

/**
 * {@link adviseThreshold} from a curve already computed.
 *
 * @example
 * ```ts
 * adviseFromCurve(thresholdCurveSorted(ascending(values)), 0.99);
 * ```
 */
export function adviseFromCurve(
  curve: readonly ThresholdPoint[],
  target: number,
): { value: number; straightThrough: number; acceptedAccuracy: number } | null {
  // The curve ascends in T; the first point that reaches the target is the lowest such T.
  for (const p of curve) {
    // A hair under the target for floating point: 99 of 100 right is 0.99, not 0.98999….
    if (p.acceptedAccuracy >= target - 1e-12)
      return { value: p.threshold, straightThrough: p.straightThrough, acceptedAccuracy: p.acceptedAccuracy };
  }
  return null;
}
