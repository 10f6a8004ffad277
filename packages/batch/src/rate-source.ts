import { type BucketConfig, type BucketState, cutRate, freshBucket, takeTokens } from './token-bucket.js';

/**
 * Where a `RateBudget` takes its tokens: a bucket in this process (`localRateSource`, for the file
 * journal) or one row of the PostgreSQL store that every worker of the batch takes from
 * (`store.rateSource()`).
 *
 * @example
 * ```ts
 * const source: RateSource = localRateSource(bucketConfig(10));
 * const { granted, waitMs } = await source.take(1);
 * ```
 */
export interface RateSource {
  /** The budget's rate, requests per second. */
  readonly perSecond: number;
  /** Up to `want` tokens (none when the bucket is empty: then `waitMs` until one should be there). */
  take(want: number): Promise<{ granted: number; waitMs: number }>;
  /** A 429: the whole budget slows down (see `cutRate`). */
  cut(retryAfterMs?: number): Promise<void>;
}

/**
 * A bucket in this process: the budget of a batch whose journal is a file (one process per folder).
 *
 * @example
 * ```ts
 * const budget = new RateBudget(localRateSource(bucketConfig(600 / 60)));
 * ```
 */
export function localRateSource(config: BucketConfig, now: () => number = Date.now): RateSource {
  let state: BucketState = freshBucket(config, now());
  return {
    perSecond: config.perSecond,
    async take(want) {
      const taken = takeTokens(state, config, want, now());
      state = taken.state;
      return { granted: taken.granted, waitMs: taken.waitMs };
    },
    async cut(retryAfterMs) {
      state = cutRate(state, config, now(), retryAfterMs);
    },
  };
}
