import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AGE_MS, RateBudget, type RequestKind, requestKind } from './rate-budget.js';
import { localRateSource, type RateSource } from './rate-source.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A budget of `perSecond`, burst 1, on the fake clock; records who got through, and when. */
function budget(perSecond: number, options: { ageMs?: number; slice?: number } = {}) {
  const source = localRateSource({ perSecond, burst: 1 });
  const rate = new RateBudget(source, options);
  const order: { name: string; at: number }[] = [];
  // What still waits when a test ends is failed by dispose(): that is not the test's subject.
  const take = (kind: RequestKind, name: string, signal?: AbortSignal): Promise<void> =>
    rate.take(kind, signal).then(
      () => {
        order.push({ name, at: Date.now() });
      },
      (error: unknown) => {
        if (signal) throw error;
      },
    );
  return { rate, order, take, source };
}

describe('RateBudget: one queue for every request of a batch (fake clock)', () => {
  it('lets requests through at the rate, whatever their number', async () => {
    const { rate, order, take } = budget(2);
    for (let i = 0; i < 10; i++) void take('poll', `p${i}`);
    await vi.advanceTimersByTimeAsync(4_600);
    // The burst (1) at once, then one every 500 ms.
    expect(order.map((o) => o.at)).toEqual([0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500]);
    expect(rate.stats.admitted).toBe(10);
    rate.dispose();
  });

  it('when tokens are short, the token request goes first, then uploads, then polls', async () => {
    const { rate, order, take } = budget(1);
    void take('poll', 'p1');
    void take('poll', 'p2');
    void take('submit', 's1');
    void take('poll', 'p3');
    void take('submit', 's2');
    void take('token', 't');
    await vi.advanceTimersByTimeAsync(6_000);
    expect(order.map((o) => o.name)).toEqual(['t', 's1', 's2', 'p1', 'p2', 'p3']);
    rate.dispose();
  });

  it('no poll starves: one that has waited 10 s goes before uploads that keep coming', async () => {
    const { rate, order, take } = budget(1);
    // Uploads as a batch makes them: as soon as one goes, the next is waiting (4 at all times).
    let uploads = 0;
    const upload = (): Promise<void> =>
      take('submit', `s${uploads++}`).then(() => (uploads < 100 && !stopped ? upload() : undefined));
    let stopped = false;
    for (let i = 0; i < 4; i++) void upload();
    void take('poll', 'poll');
    await vi.advanceTimersByTimeAsync(30_000);
    const poll = order.find((o) => o.name === 'poll');
    expect(poll, 'the poll never went').toBeDefined();
    expect(poll?.at).toBeGreaterThanOrEqual(AGE_MS);
    expect(poll?.at).toBeLessThanOrEqual(AGE_MS + 1_000);
    stopped = true;
    rate.dispose();
  });

  it('a 429 on any request (the hooks) halves the rate of the whole budget', async () => {
    const { rate, order, take } = budget(2);
    const headers = new Headers({ 'retry-after': '45' });
    rate.hooks.attemptEnd?.(
      {
        operation: { name: 'getExecution', method: 'GET', url: 'u', state: new Map() },
        attempt: 1,
        headers: {},
        state: new Map(),
      },
      { status: 429, response: { status: 429, headers } },
    );
    for (let i = 0; i < 4; i++) void take('poll', `p${i}`);
    await vi.advanceTimersByTimeAsync(4_100);
    // Emptied, then 1 a second (half of 2) for 45 s (the Retry-After, longer than 30 s).
    expect(order.map((o) => o.at)).toEqual([1000, 2000, 3000, 4000]);
    expect(rate.stats.cuts).toBe(1);
    rate.dispose();
  });

  it('a request whose call ends while it waits leaves the queue', async () => {
    const { rate, order, take } = budget(1);
    void take('poll', 'first');
    const stop = new AbortController();
    const cancelled = take('poll', 'cancelled', stop.signal).catch((e: unknown) => e);
    void take('poll', 'last');
    stop.abort(new Error('stopped'));
    expect(await cancelled).toEqual(new Error('stopped'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(order.map((o) => o.name)).toEqual(['first', 'last']);
    rate.dispose();
  });

  it('a slice: several tokens per trip to the source', async () => {
    const source = localRateSource({ perSecond: 10, burst: 10 });
    let takes = 0;
    const counted: RateSource = {
      ...source,
      take: (want) => {
        takes++;
        return source.take(want);
      },
    };
    const rate = new RateBudget(counted, { slice: 5 });
    await Promise.all(Array.from({ length: 10 }, () => rate.take('poll')));
    expect(takes).toBe(2);
    rate.dispose();
  });

  it('a source that fails fails the requests waiting, and the budget serves again after', async () => {
    let fail = true;
    const source: RateSource = {
      perSecond: 1,
      take: async () => {
        if (fail) throw new Error('the store is away');
        return { dueMs: [0] };
      },
      cut: async () => {},
    };
    const rate = new RateBudget(source);
    await expect(rate.take('poll')).rejects.toThrow('the store is away');
    fail = false;
    await expect(rate.take('poll')).resolves.toBeUndefined();
    rate.dispose();
  });

  it('the client operations are told apart by name', () => {
    expect(requestKind('token')).toBe('token');
    expect(requestKind('submitExecution')).toBe('submit');
    expect(requestKind('getExecution')).toBe('poll');
  });
});
