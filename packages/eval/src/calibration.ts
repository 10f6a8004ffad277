/**
 * One extracted value with a confidence (0–100, as `extractFields` gives it) and whether it was right
 * (a true positive).
 *
 * @example
 * ```ts
 * const v: ScoredValue = { confidence: 97.5, correct: true };
 * ```
 */
export interface ScoredValue {
  confidence: number;
  correct: boolean;
}

/**
 * One of the 10 equal-width confidence bins: `[from, from + 10)`, the last one `[90, 100]`.
 *
 * @example
 * ```ts
 * const { from, count, accuracy, meanConfidence }: CalibrationBin = reliabilityBins(values)[9]!;
 * ```
 */
export interface CalibrationBin {
  from: number;
  count: number;
  /** Share of right values in the bin; `null` when the bin is empty. */
  accuracy: number | null;
  /** Mean confidence (0–100) in the bin; `null` when the bin is empty. */
  meanConfidence: number | null;
}

/**
 * Values in 10 bins by ⌊confidence / 10⌋, with 100 in the last: the reliability diagram's data.
 *
 * @example
 * ```ts
 * reliabilityBins([{ confidence: 100, correct: true }])[9]; // { from: 90, count: 1, accuracy: 1, meanConfidence: 100 }
 * ```
 */
export function reliabilityBins(values: readonly ScoredValue[]): CalibrationBin[] {
  const sums = Array.from({ length: 10 }, () => ({ n: 0, right: 0, confidence: 0 }));
  for (const v of values) {
    const bin = sums[Math.min(9, Math.max(0, Math.floor(v.confidence / 10)))];
    if (!bin) continue;
    bin.n++;
    bin.right += v.correct ? 1 : 0;
    bin.confidence += v.confidence;
  }
  return sums.map((s, i) => ({
    from: i * 10,
    count: s.n,
    accuracy: s.n === 0 ? null : s.right / s.n,
    meanConfidence: s.n === 0 ? null : s.confidence / s.n,
  }));
}

/**
 * Expected calibration error: Σ (bin size / n) × |bin accuracy − bin mean confidence / 100| over the 10
 * bins (empty bins add nothing); `null` with no values.
 *
 * @example
 * ```ts
 * ece([{ confidence: 90, correct: true }, { confidence: 90, correct: false }]); // 0.4
 * ```
 */
export function ece(values: readonly ScoredValue[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const bin of reliabilityBins(values)) {
    if (bin.count === 0) continue;
    sum += (bin.count / values.length) * Math.abs((bin.accuracy ?? 0) - (bin.meanConfidence ?? 0) / 100);
  }
  return sum;
}

/**
 * Brier score: the mean of (confidence / 100 − correct)²; `null` with no values.
 *
 * @example
 * ```ts
 * brier([{ confidence: 80, correct: true }, { confidence: 40, correct: false }]); // (0.04 + 0.16) / 2 = 0.1
 * ```
 */
export function brier(values: readonly ScoredValue[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += (v.confidence / 100 - (v.correct ? 1 : 0)) ** 2;
  return sum / values.length;
}

/**
 * AUROC: the probability that a right value scores higher than a wrong one, ties counting ½ (the
 * Mann–Whitney U statistic, by mid-ranks). `null` when there is no right value or no wrong one.
 *
 * @example
 * ```ts
 * auroc([{ confidence: 90, correct: true }, { confidence: 90, correct: false }]); // 0.5
 * ```
 */
export function auroc(values: readonly ScoredValue[]): number | null {
  return aurocSorted([...values].sort((a, b) => a.confidence - b.confidence));
}

/**
 * {@link auroc} of values already sorted by confidence, ascending.
 *
 * @example
 * ```ts
 * aurocSorted([{ confidence: 10, correct: false }, { confidence: 90, correct: true }]); // 1
 * ```
 */
export function aurocSorted(sorted: readonly ScoredValue[]): number | null {
  let right = 0;
  for (const v of sorted) if (v.correct) right++;
  const wrong = sorted.length - right;
  if (right === 0 || wrong === 0) return null;
  let rankSum = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j]?.confidence === sorted[i]?.confidence) j++;
    const midRank = (i + 1 + j) / 2; // ranks i+1 … j share their mean
    for (let k = i; k < j; k++) if (sorted[k]?.correct) rankSum += midRank;
    i = j;
  }
  return (rankSum - (right * (right + 1)) / 2) / (right * wrong);
}
