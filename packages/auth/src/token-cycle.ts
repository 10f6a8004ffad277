import { onAbort } from '@idp-kit/http';
import type { TokenCache } from './token-cache.js';
import type { TokenProvider } from './token-provider.js';

/**
 * A token as its issuer handed it out: the token, when it expires and when it was issued (both epoch ms).
 *
 * @example
 * ```ts
 * const issued: IssuedToken = { token, issuedAt: Date.now(), expiresAt: Date.now() + 3_600_000 };
 * ```
 */
export interface IssuedToken {
  token: string;
  issuedAt: number;
  expiresAt: number;
}

/**
 * Options of `tokenCycle()`.
 *
 * @example
 * ```ts
 * const options: TokenCycleOptions = { refreshBeforeExpiryMs: 60_000, cache, cacheKey: 'my-app' };
 * ```
 */
export interface TokenCycleOptions {
  /** Refresh this long before expiry (at most half the token's lifetime); default 5 min. */
  refreshBeforeExpiryMs?: number;
  /** Share tokens across processes through a store you run; default: this process only. */
  cache?: TokenCache;
  /** The key in `cache`; required with it. */
  cacheKey?: string;
  /** What `toJSON()` and `util.inspect()` show of the provider (never a secret or a token). */
  describe?: Record<string, string>;
  /** The name `util.inspect()` shows; default `TokenProvider`. */
  label?: string;
}

interface Entry {
  token: string;
  expiresAt: number;
  refreshAt: number;
}

/** Resolves with `promise`, or rejects with the signal's reason as soon as it aborts (the work goes on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    // Shared fan-out: many callers waiting for one token on one signal add a single listener to it.
    const unlink = onAbort(signal, () => reject(signal.reason));
    promise.then(
      (value) => {
        unlink();
        resolve(value);
      },
      (error: unknown) => {
        unlink();
        reject(error);
      },
    );
  });
}

/**
 * The token cycle, for any way of getting a token: one request at a time however many callers wait (they
 * all share it), a refresh in the background before expiry while callers keep the valid token, a pause
 * after a failed background refresh (no request storm), and `invalidate()` after a 401.
 * `clientCredentials()` is this cycle over the client-credentials grant.
 *
 * @example
 * ```ts
 * const auth = tokenCycle(async () => {
 *   const { token, ttlMs } = await myVault.readToken();
 *   return { token, issuedAt: Date.now(), expiresAt: Date.now() + ttlMs };
 * });
 * ```
 */
export function tokenCycle(
  fetchToken: () => Promise<IssuedToken>,
  options: TokenCycleOptions = {},
): TokenProvider {
  const refreshBeforeMs = options.refreshBeforeExpiryMs ?? 5 * 60_000;
  if (!Number.isFinite(refreshBeforeMs) || refreshBeforeMs < 0) {
    throw new TypeError(`tokenCycle: refreshBeforeExpiryMs must be a number ≥ 0, got ${refreshBeforeMs}`);
  }
  const { cache } = options;
  const cacheKey = options.cacheKey ?? 'idp-kit:token';

  let current: Entry | undefined;
  let inflight: Promise<Entry> | undefined;
  let rejected: string | undefined;
  let nextBackgroundTry = 0;

  const entryOf = (token: string, expiresAt: number, issuedAt: number): Entry => ({
    token,
    expiresAt,
    refreshAt: expiresAt - Math.min(refreshBeforeMs, (expiresAt - issuedAt) / 2),
  });

  /** One refresh at a time: every caller that needs a token joins the same request. */
  function refresh(): Promise<Entry> {
    inflight ??= (async () => {
      if (cache) {
        // Another process sharing the store may already hold a fresher token.
        const shared = await cache.get(cacheKey);
        const now = Date.now();
        if (
          shared &&
          shared.token !== rejected &&
          shared.token !== current?.token &&
          shared.expiresAt > now
        ) {
          // Counted from now, its refresh time is after now for any token that has not expired (it is at
          // least half of what is left away): served as it is, with no check of its own.
          return entryOf(shared.token, shared.expiresAt, now);
        }
      }
      const issued = await fetchToken();
      const entry = entryOf(issued.token, issued.expiresAt, issued.issuedAt);
      await cache?.set(cacheKey, entry.token, entry.expiresAt);
      return entry;
    })()
      .then((entry) => {
        current = entry;
        return entry;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  }

  function invalidate(token?: string): void {
    if (token !== undefined && current !== undefined && current.token !== token) return;
    rejected = token ?? current?.token;
    current = undefined;
    void Promise.resolve(cache?.delete?.(cacheKey)).catch(() => {});
  }

  async function getToken(
    callOptions: { signal?: AbortSignal; forceRefresh?: boolean } = {},
  ): Promise<string> {
    const { signal, forceRefresh } = callOptions;
    signal?.throwIfAborted();
    if (forceRefresh) invalidate();
    const now = Date.now();
    const entry = current;
    if (entry && now < entry.expiresAt) {
      if (now >= entry.refreshAt && !inflight && now >= nextBackgroundTry) {
        // Serve the valid token; refresh behind it. A failure waits a while before the next try.
        refresh().catch(() => {
          nextBackgroundTry =
            Date.now() + Math.min(30_000, Math.max(1_000, (entry.expiresAt - Date.now()) / 4));
        });
      }
      return entry.token;
    }
    return (await untilAborted(refresh(), signal)).token;
  }

  const description = options.describe ?? {};
  return {
    getToken,
    invalidate,
    toJSON: () => description,
    [Symbol.for('nodejs.util.inspect.custom')]: () =>
      `${options.label ?? 'TokenProvider'} ${JSON.stringify(description)}`,
  } as TokenProvider;
}
