import { afterEach, describe, expect, it, vi } from 'vitest';
import { AdaptiveLimit } from './limiter.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('AdaptiveLimit', () => {
  it('never lets more than the limit run; a release lets the next one in', async () => {
    const limit = new AdaptiveLimit(2);
    const a = await limit.acquire();
    await limit.acquire();
    let third = false;
    const waiting = limit.acquire().then((release) => {
      third = true;
      return release;
    });
    await Promise.resolve();
    expect(third).toBe(false);
    expect(limit.active).toBe(2);
    a();
    a(); // a second release of the same slot changes nothing
    await waiting;
    expect(third).toBe(true);
    expect(limit.active).toBe(2);
  });

  it('a 429 cuts the limit (to 1 after a burst), successes bring it back to the max', () => {
    const limit = new AdaptiveLimit(4);
    limit.rateLimited();
    expect(limit.limit).toBe(3);
    for (let i = 0; i < 5; i++) limit.rateLimited();
    expect(limit.limit).toBe(1);
    for (let i = 0; i < 20; i++) limit.succeeded();
    expect(limit.limit).toBe(4);
  });

  it('Retry-After pauses new starts until it has passed, then they resume on their own', async () => {
    vi.useFakeTimers({ now: 0 });
    const limit = new AdaptiveLimit(4);
    limit.rateLimited(1_000);
    let started = false;
    void limit.acquire().then(() => {
      started = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(started).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(started).toBe(true);
    limit.dispose();
  });

  it('an abort while waiting rejects with the reason and frees nothing it did not take', async () => {
    const limit = new AdaptiveLimit(1);
    await limit.acquire();
    const controller = new AbortController();
    const waiting = limit.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(limit.active).toBe(1);
  });
});
