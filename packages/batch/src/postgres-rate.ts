import type { RateSource } from './rate-source.js';
import { type BucketConfig, CUT_GAP_MS, CUT_MS, MAX_CUT_MS, MIN_FACTOR } from './token-bucket.js';

/** Runs one statement (the store's `query`: retried through an outage, ended by the run's signal). */
type Query = (text: string, values: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

/** Milliseconds of the database's clock: one clock for the whole fleet, whatever the workers' say. */
const NOW = `(SELECT extract(epoch FROM clock_timestamp()) * 1000 AS now)`;

/** `refill()` of token-bucket.ts, in SQL, over the row `r` at `c.now`: the tokens, up to the burst. */
const FROM = 'LEAST(r.at, c.now)';
const REFILLED = `LEAST(r.burst, r.tokens + (
    GREATEST(0, LEAST(c.now, r.cut_until) - ${FROM}) * r.per_second * r.factor
  + GREATEST(0, c.now - GREATEST(${FROM}, r.cut_until)) * r.per_second) / 1000)`;
/** The factor once a cut that has passed is forgotten. */
const FACTOR = 'CASE WHEN c.now >= r.cut_until THEN 1 ELSE r.factor END';

/**
 * `takeTokens()` as one statement: the row is locked for the length of one UPDATE (no transaction
 * around it), so workers queue on it for microseconds. `$2` tokens are wanted; the answer is how many
 * were granted, what is left, and the rate in force (to say how long until the next one).
 */
const TAKE = `UPDATE idp_batch_rate r SET
    granted = CASE WHEN ${REFILLED} >= 1 THEN LEAST(GREATEST(1, floor($2::float8)), floor(${REFILLED})) ELSE 0 END,
    tokens = ${REFILLED} - CASE WHEN ${REFILLED} >= 1 THEN LEAST(GREATEST(1, floor($2::float8)), floor(${REFILLED})) ELSE 0 END,
    factor = ${FACTOR},
    at = GREATEST(r.at, c.now)
  FROM ${NOW} c
  WHERE r.batch = $1
  RETURNING r.granted, r.tokens, r.per_second * CASE WHEN c.now < r.cut_until THEN r.factor ELSE 1 END AS rate`;

/** `cutRate()` as one statement: `$2` is how long the cut lasts (ms). */
const CUT = `UPDATE idp_batch_rate r SET
    tokens = LEAST(${REFILLED}, 0),
    factor = CASE WHEN c.now - r.cut_at < ${CUT_GAP_MS} THEN ${FACTOR} ELSE GREATEST(${MIN_FACTOR}, ${FACTOR} / 2) END,
    cut_until = GREATEST(r.cut_until, c.now + $2::float8),
    cut_at = CASE WHEN c.now - r.cut_at < ${CUT_GAP_MS} THEN r.cut_at ELSE c.now END,
    at = GREATEST(r.at, c.now)
  FROM ${NOW} c
  WHERE r.batch = $1`;

/**
 * The batch's row, full, at this rate; a worker that starts later sets its own rate and burst (the last
 * one started wins) and keeps the tokens and the cut as they are, so that a restart is no burst.
 */
const OPEN = `INSERT INTO idp_batch_rate AS r (batch, per_second, burst, tokens, at)
  SELECT $1, $2, $3, $3, c.now FROM ${NOW} c
  ON CONFLICT (batch) DO UPDATE SET per_second = EXCLUDED.per_second, burst = EXCLUDED.burst,
    tokens = LEAST(r.tokens, EXCLUDED.burst)`;

/**
 * The token bucket of a PostgreSQL batch, in one row of `idp_batch_rate` (migration 6) that every
 * worker takes from: the fleet's budget, whatever the number of workers, and a 429 seen by any of them
 * cuts the rate of all (the cut is in the row). Each take is one statement; with `RateBudget`'s
 * `slice`, a worker takes several tokens at a time and comes back less often.
 *
 * @example
 * ```ts
 * const budget = new RateBudget(await store.rateSource(bucketConfig(parseRate('600/min'))));
 * ```
 */
export async function postgresRateSource(
  query: Query,
  batch: string,
  config: BucketConfig,
): Promise<RateSource> {
  await query(OPEN, [batch, config.perSecond, config.burst]);
  return {
    perSecond: config.perSecond,
    async take(want) {
      const { rows } = await query(TAKE, [batch, want]);
      const row = rows[0];
      if (!row) throw new Error(`the rate budget of batch ${batch} is gone from the store`);
      const granted = Number(row.granted);
      const tokens = Number(row.tokens);
      const perMs = Number(row.rate) / 1000;
      return { granted, waitMs: granted > 0 ? 0 : Math.ceil((1 - tokens) / perMs) };
    },
    async cut(retryAfterMs) {
      await query(CUT, [batch, Math.min(MAX_CUT_MS, Math.max(CUT_MS, retryAfterMs ?? 0))]);
    },
  };
}
