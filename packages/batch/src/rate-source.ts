import { type BucketConfig, type BucketState, cutRate, freshBucket, reserveTokens } from './token-bucket.js';

/**
 * Where a `RateBudget` takes its tokens: a bucket in this process (`localRateSource`, for the file
 * journal) or one row of the PostgreSQL store that every worker of the batch takes from
 * (`store.rateSource()`).
 *
 * @example
 * ```ts
 * const source: RateSource = localRateSource(bucketConfig(10));
 * const { dueMs } = await source.take(1); // [0]: now; [250]: in 250 ms
 * ```
 */
export interface RateSource {
  /** The budget's rate, requests per second. */
  readonly perSecond: number;
  /**
   * Reserves `want` tokens: each is due (may be spent) `dueMs[i]` ms from now. A reservation is never
   * asked again; one not spent is lost to the budget, never spent twice.
   */
  take(want: number): Promise<{ dueMs: number[] }>;
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
      const taken = reserveTokens(state, config, want, now());
      state = taken.state;
      return { dueMs: taken.dueMs };
    },
    async cut(retryAfterMs) {
      state = cutRate(state, config, now(), retryAfterMs);
    },
  };
}
