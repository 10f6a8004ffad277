import { describe, expect, it } from 'vitest';
import {
  type BucketConfig,
  bucketConfig,
  CUT_GAP_MS,
  CUT_MS,
  cutRate,
  freshBucket,
  MIN_FACTOR,
  reserveTokens,
} from './token-bucket.js';

/**
 * A taker that always has a request waiting: reserves one token, sends when it is due, reserves the
 * next; until `end` (ms). Returns when each request went.
 */
function greedy(config = exact(10), end = 60_000, cutAt?: number) {
  let state = freshBucket(config, 0);
  const sent: number[] = [];
  let now = 0;
  while (now <= end) {
    if (cutAt !== undefined && now >= cutAt && state.cutAt < cutAt) state = cutRate(state, config, now);
    const taken = reserveTokens(state, config, 1, now);
    state = taken.state;
    now += taken.dueMs[0] as number;
    if (now <= end) sent.push(now);
  }
  return sent;
}

/** A bucket at exactly `perSecond` (no headroom), burst a fifth of a second: round figures. */
function exact(perSecond: number): BucketConfig {
  return { perSecond, burst: Math.max(1, perSecond * 0.2) };
}

/** The most requests in any window of `ms` (windows starting at each request). */
function peak(sent: number[], ms: number): number {
  let best = 0;
  let j = 0;
  for (let i = 0; i < sent.length; i++) {
    while ((sent[j] as number) < (sent[i] as number) - ms + 1) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('the token bucket (a fake clock: times are numbers)', () => {
  it('the burst is a fifth of a second of the rate; a greedy taker gets the rate and the burst, no more', () => {
    const sent = greedy(exact(10), 60_000);
    // 60 s at 10/s, plus the burst a full bucket starts with.
    expect(sent.length).toBe(600 + 2);
    // Any 10 s window: the rate's 100, and the burst only once: at most 1.02 × the budget.
    expect(peak(sent, 10_000)).toBeLessThanOrEqual(102);
    const later = sent.filter((t) => t >= 1_000);
    expect(peak(later, 10_000)).toBeLessThanOrEqual(101);
  });

  it('a budget is paced 3 % below its rate, so that late requests do not take a window past 5 %', () => {
    expect(bucketConfig(10)).toEqual({ perSecond: 9.7, burst: 2 });
    expect(bucketConfig(0.2).burst).toBe(1);
    const sent = greedy(bucketConfig(10), 60_000);
    expect(peak(sent, 10_000)).toBeLessThanOrEqual(97 + 2 + 1);
    // Sent 0.4 s late each, then bunched with the next (a loaded machine): still within 5 %.
    const late = sent.map((t, i) => (i % 2 === 0 ? t + 400 : t));
    expect(peak(late, 10_000)).toBeLessThanOrEqual(105);
  });

  it('tokens past the bucket are reserved in debt, each due 1/rate after the last', () => {
    const config = exact(4); // burst 1
    const first = reserveTokens(freshBucket(config, 0), config, 3, 0);
    expect(first.dueMs).toEqual([0, 250, 500]);
    expect(first.state.tokens).toBe(-2);
    // The next taker's token comes after those: never two takers on one token.
    expect(reserveTokens(first.state, config, 1, 100).dueMs).toEqual([650]);
  });

  it('a 429 empties the bucket and halves the rate for 30 s, then the rate is whole again', () => {
    const config = exact(10);
    const cut = cutRate(freshBucket(config, 0), config, 1_000);
    expect(cut.tokens).toBe(0);
    expect(cut.factor).toBe(0.5);
    expect(cut.cutUntil).toBe(1_000 + CUT_MS);
    // 5 tokens a second during the cut: the next one comes after 200 ms, not 100.
    expect(reserveTokens(cut, config, 1, 1_000).dueMs).toEqual([200]);
    const sent = greedy(config, 60_000, 10_000);
    const during = sent.filter((t) => t > 10_000 && t <= 10_000 + CUT_MS).length;
    const after = sent.filter((t) => t > 10_000 + CUT_MS && t <= 60_000).length;
    expect(during).toBe(150);
    expect(after).toBeGreaterThanOrEqual(199);
  });

  it('429s that answer requests sent before the cut do not cut again; later ones do, down to 1/16', () => {
    const config = exact(16);
    let state = cutRate(freshBucket(config, 0), config, 0);
    state = cutRate(state, config, CUT_GAP_MS - 1);
    expect(state.factor).toBe(0.5);
    for (let i = 1; i <= 6; i++) state = cutRate(state, config, i * CUT_GAP_MS);
    expect(state.factor).toBe(MIN_FACTOR);
  });

  it('a longer Retry-After makes the cut last as long; a short one leaves it at 30 s', () => {
    const config = exact(10);
    expect(cutRate(freshBucket(config, 0), config, 0, 90_000).cutUntil).toBe(90_000);
    expect(cutRate(freshBucket(config, 0), config, 0, 1_000).cutUntil).toBe(CUT_MS);
    // Refill across the end of a cut: half rate before it, whole after.
    const cut = cutRate(freshBucket(config, 0), config, 0);
    expect(reserveTokens(cut, config, 1, CUT_MS + 200).state.tokens).toBeCloseTo(1, 6); // 2 - 1: capped at the burst
    const inDebt = { ...cut, tokens: -200 };
    expect(reserveTokens(inDebt, config, 1, CUT_MS + 1_000).state.tokens).toBeCloseTo(-200 + 150 + 10 - 1, 6);
  });
});
