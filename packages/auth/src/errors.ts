/**
 * A token request failed: the token endpoint refused the credentials, answered something that is not a
 * token, or could not be reached. Never holds the client secret or a token.
 *
 * @example
 * ```ts
 * try { await provider.getToken(); }
 * catch (e) { if (e instanceof AuthError && e.oauthError === 'invalid_client') console.error(e.message); }
 * ```
 */
export class AuthError extends Error {
  override name = 'AuthError';
  // `declare`: no own property unless set, so `'status' in error` tells whether there was an answer and
  // util.inspect shows no `status: undefined` (a plain field would be defined, as undefined, on every error).
  /** HTTP status of the token endpoint's answer, when there was one. */
  declare readonly status?: number;
  /** OAuth `error` code, e.g. `invalid_client`. */
  declare readonly oauthError?: string;
  /** OAuth `error_description`, as the server sent it (with any secret redacted). */
  declare readonly errorDescription?: string;

  constructor(
    message: string,
    details: { status?: number; oauthError?: string; errorDescription?: string; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    if (details.status !== undefined) this.status = details.status;
    if (details.oauthError !== undefined) this.oauthError = details.oauthError;
    if (details.errorDescription !== undefined) this.errorDescription = details.errorDescription;
  }
}
