/**
 * The scale a set of confidence scores is on: `percent` (0–100, what has been seen from the service) or
 * `fraction` (0.0–1.0, which a community description of the API allows).
 *
 * @example
 * ```ts
 * const scale: ConfidenceScale = confidenceScaleOf([0.93, 0.41]); // 'fraction'
 * ```
 */
export type ConfidenceScale = 'percent' | 'fraction';

/**
 * Which scale the scores of one result are on. `fraction` only when every score lies within 0–1 and at
 * least one lies strictly between them; otherwise `percent`. Scores of only 0 and 1 are read as percent:
 * the doubtful case then looks shaky (1 %) rather than certain (100 %), so a person still checks it.
 *
 * @example
 * ```ts
 * confidenceScaleOf([98.7, 71.2]); // 'percent'
 * confidenceScaleOf([0.987, 0.712]); // 'fraction'
 * ```
 */
export function confidenceScaleOf(scores: Iterable<number>): ConfidenceScale {
  let between = false;
  for (const score of scores) {
    if (!Number.isFinite(score)) continue;
    if (score > 1 || score < 0) return 'percent';
    if (score > 0 && score < 1) between = true;
  }
  return between ? 'fraction' : 'percent';
}

/**
 * A confidence score on the 0–100 scale, whichever scale it came on (clamped to 0–100). Decide the scale
 * once per result with `confidenceScaleOf()`: a lone score of 1 cannot tell 1 % from 100 %.
 * `extractFields()` does this for you (`confidence` on each field).
 *
 * @example
 * ```ts
 * normalizeConfidence(0.712, 'fraction'); // 71.2
 * normalizeConfidence(71.2, 'percent'); // 71.2
 * ```
 */
export function normalizeConfidence(score: number, scale: ConfidenceScale): number {
  const percent = scale === 'fraction' ? score * 100 : score;
  return Math.min(100, Math.max(0, Math.round(percent * 1000) / 1000));
}
