import type { RateSource } from './rate-source.js';
import { type BucketConfig, CUT_GAP_MS, CUT_MS, dueTimes, MAX_CUT_MS, MIN_FACTOR } from './token-bucket.js';

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
 * `reserveTokens()` as one statement: `$2` tokens taken (the bucket may go into debt), and the level
 * before and the rate in force returned, from which the worker knows when each token is due. The row
 * is locked for the length of one UPDATE (no transaction around it): one trip per reservation, and no
 * worker ever polls an empty bucket.
 */
const TAKE = `UPDATE idp_batch_rate r SET
    granted = $2::float8,
    tokens = ${REFILLED} - $2::float8,
    factor = ${FACTOR},
    at = GREATEST(r.at, c.now)
  FROM ${NOW} c
  WHERE r.batch = $1
  RETURNING r.tokens + $2::float8 AS before, r.per_second * CASE WHEN c.now < r.cut_until THEN r.factor ELSE 1 END AS rate`;

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
 * cuts the rate of all (the cut is in the row). Each reservation is one statement; with
 * `RateBudget`'s `slice`, a worker reserves several tokens at a time and comes back less often.
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
      let { rows } = await query(TAKE, [batch, want]);
      if (rows.length === 0) {
        // The row went (a batch removed and made again while workers ran): start a full one.
        await query(OPEN, [batch, config.perSecond, config.burst]);
        ({ rows } = await query(TAKE, [batch, want]));
      }
      const row = rows[0];
      if (!row) throw new Error(`the rate budget of batch ${batch} is not in the store`);
      return { dueMs: dueTimes(Number(row.before), want, Number(row.rate) / 1000) };
    },
    async cut(retryAfterMs) {
      await query(CUT, [batch, Math.min(MAX_CUT_MS, Math.max(CUT_MS, retryAfterMs ?? 0))]);
    },
  };
}
