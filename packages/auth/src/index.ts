/**
 * Supplies bearer tokens for the IDP runtime API.
 *
 * @example
 * ```ts
 * const token = await provider.getToken();
 * ```
 */
export interface TokenProvider {
  /** A valid access token, fetched or refreshed as needed. */
  getToken(options?: { signal?: AbortSignal; forceRefresh?: boolean }): Promise<string>;
  /** Drops the cached token (only if it is still `token`, when given) so the next call fetches a new one. */
  invalidate(token?: string): void;
}
