/**
 * Supplies bearer tokens for the IDP runtime API. `clientCredentials()` is the standard one; any object
 * of this shape works (a fixed token in tests, a token from a vault, …).
 *
 * @example
 * ```ts
 * const fixed: TokenProvider = { getToken: async () => process.env.IDP_TOKEN ?? '', invalidate() {} };
 * ```
 */
export interface TokenProvider {
  /** A valid access token, fetched or refreshed as needed. `signal` ends this caller's wait only. */
  getToken(options?: { signal?: AbortSignal; forceRefresh?: boolean }): Promise<string>;
  /** Drops the cached token (only if it is still `token`, when given) so the next call fetches a new one. */
  invalidate(token?: string): void;
}
