/**
 * The arithmetic of a token bucket whose rate a 429 halves for a while: pure functions of a state and
 * a clock, shared by the in-process bucket (`localRateSource`) and written again, the same, in SQL for
 * the PostgreSQL bucket (`postgres-rate.ts`), whose tests hold both to the same figures.
 */

/**
 * The bucket's settings: a steady rate and how many requests may go at once after a quiet spell.
 *
 * @example
 * ```ts
 * const config: BucketConfig = { perSecond: 10, burst: 2 };
 * ```
 */
export interface BucketConfig {
  /** Requests per second. */
  perSecond: number;
  /** Most tokens the bucket holds (at least 1). */
  burst: number;
}

/** What the bucket remembers. Times in milliseconds of the bucket's own clock. */
export interface BucketState {
  tokens: number;
  /** When `tokens` was last brought up to date. */
  at: number;
  /** The share of `perSecond` in force until `cutUntil`: 1, ½, ¼ … (never below `MIN_FACTOR`). */
  factor: number;
  cutUntil: number;
  /** When the rate was last cut: 429s that answer requests sent before it do not cut again. */
  cutAt: number;
}

/** A rate is never cut below 1/16 of the budget: polls still go, slowly. */
export const MIN_FACTOR = 1 / 16;
/** A cut lasts at least this long, longer when the server's `Retry-After` asks for more. */
export const CUT_MS = 30_000;
/** A cut lasts at most this long, whatever `Retry-After` says. */
export const MAX_CUT_MS = 10 * 60_000;
/** 429s within this long of a cut answer requests sent before it: they do not cut again. */
export const CUT_GAP_MS = 2_000;
/**
 * The burst by default: a fifth of a second of the rate, at least one request. Any 10 s window then
 * holds at most 2 % more than the bucket's pace.
 */
export const BURST_SECONDS = 0.2;
/**
 * The bucket paces this much below the budget: requests reach the server later than their token was
 * due by however long a loaded machine and its network take (0.3–0.4 s seen on 2 busy cores), and
 * those late ones bunch with the next. 3 % keeps any 10 s window within 5 % of the budget all the same.
 */
export const HEADROOM = 0.03;

/**
 * The bucket for a budget of `perSecond`: paced 3 % below it (`HEADROOM`), with a burst of a fifth of
 * a second (at least 1).
 *
 * @example
 * ```ts
 * bucketConfig(10); // { perSecond: 9.7, burst: 2 }
 * ```
 */
export function bucketConfig(perSecond: number, burst?: number): BucketConfig {
  return { perSecond: perSecond * (1 - HEADROOM), burst: Math.max(1, burst ?? perSecond * BURST_SECONDS) };
}

/** A full bucket at `now`, at the whole rate. */
export function freshBucket(config: BucketConfig, now: number): BucketState {
  return { tokens: config.burst, at: now, factor: 1, cutUntil: now, cutAt: -Infinity };
}

/** The rate in force at `now`, per millisecond. */
function ratePerMs(state: BucketState, config: BucketConfig, now: number): number {
  return (config.perSecond * (now < state.cutUntil ? state.factor : 1)) / 1000;
}

/**
 * The bucket brought up to `now`: the time before `cutUntil` refills at the cut rate, the time after
 * at the whole rate, up to the burst; a cut that has passed is forgotten.
 */
export function refill(state: BucketState, config: BucketConfig, now: number): BucketState {
  const from = Math.min(state.at, now);
  const cutMs = Math.max(0, Math.min(now, state.cutUntil) - from);
  const fullMs = Math.max(0, now - Math.max(from, state.cutUntil));
  const added = (cutMs * config.perSecond * state.factor + fullMs * config.perSecond) / 1000;
  const over = now >= state.cutUntil;
  return {
    ...state,
    tokens: Math.min(config.burst, state.tokens + added),
    at: Math.max(state.at, now),
    factor: over ? 1 : state.factor,
  };
}

/**
 * `want` tokens reserved at `now`, each with the time it is due (ms from `now`): at once while the
 * bucket has them, then one every 1/rate. The bucket goes into debt for the rest, so the next taker's
 * tokens come after these: a taker never asks twice for one token, and the tokens handed out never
 * come closer together than the rate (after the burst) whoever takes them.
 *
 * @example
 * ```ts
 * const config = bucketConfig(10);
 * reserveTokens(freshBucket(config, 0), config, 4, 0).dueMs; // [0, 0, 100, 200]
 * ```
 */
export function reserveTokens(
  state: BucketState,
  config: BucketConfig,
  want: number,
  now: number,
): { state: BucketState; dueMs: number[] } {
  const full = refill(state, config, now);
  return {
    state: { ...full, tokens: full.tokens - want },
    dueMs: dueTimes(full.tokens, want, ratePerMs(full, config, now)),
  };
}

/** When each of `want` tokens taken from a bucket at `tokens` is due (ms), at `perMs` tokens a ms. */
export function dueTimes(tokens: number, want: number, perMs: number): number[] {
  return Array.from({ length: want }, (_, i) => Math.ceil(Math.max(0, 1 - (tokens - i)) / perMs));
}

/**
 * A 429 at `now`: the bucket is emptied (the service said stop, so no burst follows), and the rate is
 * halved (down to `MIN_FACTOR`) for `CUT_MS`, or for `retryAfterMs` when the server asks longer
 * (capped at `MAX_CUT_MS`); then it comes back whole. A 429 within `CUT_GAP_MS` of the last cut
 * answers a request sent before it, and only lengthens the cut.
 */
export function cutRate(
  state: BucketState,
  config: BucketConfig,
  now: number,
  retryAfterMs?: number,
): BucketState {
  const full = refill(state, config, now);
  const forMs = Math.min(MAX_CUT_MS, Math.max(CUT_MS, retryAfterMs ?? 0));
  const again = now - full.cutAt < CUT_GAP_MS;
  return {
    ...full,
    tokens: Math.min(full.tokens, 0),
    factor: again ? full.factor : Math.max(MIN_FACTOR, full.factor / 2),
    cutUntil: Math.max(full.cutUntil, now + forMs),
    cutAt: again ? full.cutAt : now,
  };
}
