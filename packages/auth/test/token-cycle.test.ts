import { getEventListeners } from 'node:events';
import { inspect } from 'node:util';
import { until } from '@idp-kit/testkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type IssuedToken, memoryTokenCache, type TokenCache, tokenCycle } from '../src/index.js';

afterEach(() => {
  vi.useRealTimers();
});

/** One event-loop turn: lets a settled fetch land in the cycle. */
const landed = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A token source that counts its calls (synchronously, as the cycle starts a request) and issues
 * `vault-N` tokens that live `lifetimeMs` from the fake clock's now; `fail()` makes the next calls reject.
 */
function source(lifetimeMs = 3_600_000, name = 'vault') {
  const state = { calls: 0, failing: false };
  const fetchToken = async (): Promise<IssuedToken> => {
    state.calls++;
    if (state.failing) throw new Error('vault is down');
    return { token: `${name}-${state.calls}`, issuedAt: Date.now(), expiresAt: Date.now() + lifetimeMs };
  };
  return { state, fetchToken };
}

describe('tokenCycle over any token source', () => {
  it('one fetch for 1,000 concurrent callers; refresh in the window; invalidate after a 401', async () => {
    let calls = 0;
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    const auth = tokenCycle(
      async () => {
        calls++;
        return { token: `vault-${calls}`, issuedAt: Date.now(), expiresAt: Date.now() + 60_000 };
      },
      { refreshBeforeExpiryMs: 10_000, describe: { source: 'vault' } },
    );
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => auth.getToken()));
    expect(new Set(tokens)).toEqual(new Set(['vault-1']));
    expect(calls).toBe(1);
    vi.setSystemTime(start + 50_000); // inside the window: served the valid token, refreshed behind it
    expect(await auth.getToken()).toBe('vault-1');
    await until(() => calls === 2, 'the background refresh');
    await landed();
    expect(await auth.getToken()).toBe('vault-2');
    auth.invalidate('vault-2');
    expect(await auth.getToken()).toBe('vault-3');
    expect(inspect(auth)).toBe('TokenProvider {"source":"vault"}');
  });

  it.each([-1, Number.NaN])('refreshBeforeExpiryMs %d is refused, naming the option', (value) => {
    expect(() => tokenCycle(source().fetchToken, { refreshBeforeExpiryMs: value })).toThrow(
      /refreshBeforeExpiryMs must be a number ≥ 0/,
    );
  });
});

describe('tokenCycle: when the background refresh starts', () => {
  it('by default 5 minutes before expiry: a valid token outside the window is served with no request', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { state, fetchToken } = source(3_600_000);
    const auth = tokenCycle(fetchToken);
    const start = Date.now();
    expect(await auth.getToken()).toBe('vault-1');
    vi.setSystemTime(start + 3_300_000 - 1);
    expect(await auth.getToken()).toBe('vault-1');
    expect(state.calls).toBe(1);
    vi.setSystemTime(start + 3_300_000);
    expect(await auth.getToken()).toBe('vault-1');
    expect(state.calls).toBe(2);
  });

  it('the given window, not the default', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { state, fetchToken } = source(60_000);
    const auth = tokenCycle(fetchToken, { refreshBeforeExpiryMs: 10_000 });
    const start = Date.now();
    await auth.getToken();
    vi.setSystemTime(start + 50_000 - 1);
    await auth.getToken();
    expect(state.calls).toBe(1);
    vi.setSystemTime(start + 50_000);
    await auth.getToken();
    expect(state.calls).toBe(2);
  });

  it("a window longer than the token's life is cut to half of it", async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { state, fetchToken } = source(4_000);
    const auth = tokenCycle(fetchToken, { refreshBeforeExpiryMs: 3_000 });
    const start = Date.now();
    await auth.getToken();
    vi.setSystemTime(start + 2_000 - 1);
    await auth.getToken();
    expect(state.calls).toBe(1);
    vi.setSystemTime(start + 2_000);
    await auth.getToken();
    expect(state.calls).toBe(2);
  });
});

describe('tokenCycle: after a failed background refresh', () => {
  // The pause is a quarter of what is left of the token's life, at least 1 s and at most 30 s: the
  // endpoint is not stormed, and there is time for another try before the token expires.
  it.each([
    ['5 min left: 30 s (the cap)', 300_000, 30_000],
    ['8 s left: 2 s', 8_000, 2_000],
    ['2 s left: 1 s (the floor)', 2_000, 1_000],
  ])('%s', async (_name, leftMs, pauseMs) => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { state, fetchToken } = source(3_600_000);
    const auth = tokenCycle(fetchToken);
    const start = Date.now();
    await auth.getToken();
    state.failing = true;
    const failedAt = start + 3_600_000 - leftMs;
    vi.setSystemTime(failedAt);
    expect(await auth.getToken()).toBe('vault-1');
    expect(state.calls).toBe(2);
    await landed();
    vi.setSystemTime(failedAt + pauseMs - 1);
    expect(await auth.getToken()).toBe('vault-1');
    expect(state.calls).toBe(2);
    vi.setSystemTime(failedAt + pauseMs);
    expect(await auth.getToken()).toBe('vault-1');
    expect(state.calls).toBe(3);
  });
});

describe('tokenCycle: invalidate and forceRefresh', () => {
  it('forceRefresh on the very first call fetches one token', async () => {
    const { state, fetchToken } = source();
    const auth = tokenCycle(fetchToken);
    expect(await auth.getToken({ forceRefresh: true })).toBe('vault-1');
    expect(state.calls).toBe(1);
  });

  it('two requests that both got a 401 with the same token both invalidate it: one new token', async () => {
    const { state, fetchToken } = source();
    const auth = tokenCycle(fetchToken);
    const token = await auth.getToken();
    auth.invalidate(token);
    auth.invalidate(token);
    expect(await Promise.all([auth.getToken(), auth.getToken()])).toEqual(['vault-2', 'vault-2']);
    expect(state.calls).toBe(2);
  });
});

describe('tokenCycle: a shared cache', () => {
  function cacheWithout(deleteToo: boolean): TokenCache & { entries: Map<string, unknown> } {
    const memory = memoryTokenCache();
    const entries = new Map<string, unknown>();
    return {
      entries,
      get: (key) => memory.get(key),
      set: (key, token, expiresAt) => {
        entries.set(key, token);
        return memory.set(key, token, expiresAt);
      },
      ...(deleteToo ? { delete: (key: string) => memory.delete?.(key) } : {}),
    };
  }

  it('a token invalidated in one process is not reused by another that shares the store', async () => {
    const cache = memoryTokenCache();
    const first = source(3_600_000, 'first');
    const second = source(3_600_000, 'second');
    const a = tokenCycle(first.fetchToken, { cache, cacheKey: 'app' });
    const b = tokenCycle(second.fetchToken, { cache, cacheKey: 'app' });
    const rejected = await a.getToken();
    a.invalidate(rejected);
    await landed();
    expect(await b.getToken()).toBe('second-1');
    expect(second.state.calls).toBe(1);
  });

  it('a store without delete(): after a 401 the rejected token is not taken back from it', async () => {
    const cache = cacheWithout(false);
    const { state, fetchToken } = source();
    const auth = tokenCycle(fetchToken, { cache, cacheKey: 'app' });
    const rejected = await auth.getToken();
    auth.invalidate(rejected);
    expect(await auth.getToken()).toBe('vault-2');
    expect(await auth.getToken({ forceRefresh: true })).toBe('vault-3');
    expect(state.calls).toBe(3);
  });

  it('an expired token in the store (one kept without a TTL) is not used', async () => {
    const cache = memoryTokenCache();
    await cache.set('app', 'stale', Date.now() - 1);
    const { fetchToken } = source();
    expect(await tokenCycle(fetchToken, { cache, cacheKey: 'app' }).getToken()).toBe('vault-1');
  });

  it('a token in the store that expires at this very moment is not used', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const cache = memoryTokenCache();
    await cache.set('app', 'expiring', Date.now());
    const { fetchToken } = source();
    expect(await tokenCycle(fetchToken, { cache, cacheKey: 'app' }).getToken()).toBe('vault-1');
  });

  it('the early refresh still fetches a new token, not the one in the store', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const cache = cacheWithout(true);
    const { state, fetchToken } = source(3_600_000);
    const auth = tokenCycle(fetchToken, { cache, cacheKey: 'app' });
    const start = Date.now();
    expect(await auth.getToken()).toBe('vault-1');
    vi.setSystemTime(start + 3_300_000);
    expect(await auth.getToken()).toBe('vault-1');
    await until(() => state.calls === 2, 'the background refresh');
    await landed();
    expect(await auth.getToken()).toBe('vault-2');
    expect(cache.entries.get('app')).toBe('vault-2');
  });
});

describe("tokenCycle: a caller's signal", () => {
  it('an aborted signal rejects even when a valid token is held', async () => {
    const { fetchToken } = source();
    const auth = tokenCycle(fetchToken);
    await auth.getToken();
    await expect(auth.getToken({ signal: AbortSignal.abort(new Error('cancelled')) })).rejects.toThrow(
      'cancelled',
    );
  });

  it('a long-lived signal (a shutdown signal passed to every call) keeps no listener after each call', async () => {
    const { state, fetchToken } = source();
    const auth = tokenCycle(fetchToken);
    const shutdown = new AbortController();
    expect(await auth.getToken({ signal: shutdown.signal })).toBe('vault-1');
    state.failing = true;
    auth.invalidate();
    await expect(auth.getToken({ signal: shutdown.signal })).rejects.toThrow('vault is down');
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
  });
});
