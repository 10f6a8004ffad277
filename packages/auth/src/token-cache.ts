/**
 * A token and when it stops being valid (epoch milliseconds).
 *
 * @example
 * ```ts
 * const cached: CachedToken = { token: 'eyJ…', expiresAt: Date.now() + 3_600_000 };
 * ```
 */
export interface CachedToken {
  token: string;
  expiresAt: number;
}

/**
 * Where tokens are kept between calls, and between processes when the store is shared (Redis, …).
 * Keys are derived from the token URL and the client id, never from the secret.
 *
 * @example
 * ```ts
 * const redisCache: TokenCache = {
 *   async get(key) { const v = await redis.get(key); return v ? JSON.parse(v) : undefined; },
 *   async set(key, token, expiresAt) {
 *     await redis.set(key, JSON.stringify({ token, expiresAt }), 'PXAT', expiresAt);
 *   },
 * };
 * ```
 */
export interface TokenCache {
  get(key: string): CachedToken | undefined | Promise<CachedToken | undefined>;
  set(key: string, token: string, expiresAt: number): void | Promise<void>;
  /** Optional: forget a token the server rejected. */
  delete?(key: string): void | Promise<void>;
}

/**
 * The default cache: a Map in this process.
 *
 * @example
 * ```ts
 * const auth = clientCredentials({ clientId, clientSecret, cache: memoryTokenCache() });
 * ```
 */
export function memoryTokenCache(): TokenCache {
  const entries = new Map<string, CachedToken>();
  return {
    get: (key) => entries.get(key),
    set: (key, token, expiresAt) => {
      entries.set(key, { token, expiresAt });
    },
    delete: (key) => {
      entries.delete(key);
    },
  };
}
