import type { ExecutionStatus, Problem } from './types.js';

/**
 * Base class of every error the client throws. Never holds a secret or a token.
 *
 * ```text
 * IdpError
 * ├─ IdpValidationError        bad input, found before anything was sent
 * ├─ IdpAuthError              no token: the token endpoint refused or could not be reached
 * ├─ IdpApiError               the service answered an HTTP error (after any retries)
 * │  ├─ IdpUnauthorizedError   401: the token was refused, also a fresh one
 * │  ├─ IdpForbiddenError      403: the connected app may not do this
 * │  ├─ IdpNotFoundError       404: unknown ids, or results past their retention
 * │  ├─ IdpRateLimitError      429: `retryAfterMs` says when to come back
 * │  ├─ IdpServerError         5xx
 * │  └─ IdpRedirectError       3xx not followed: an upload, a foreign origin, too many hops
 * ├─ IdpResponseTooLargeError  an answer larger than `maxResponseBytes`: never retried
 * ├─ IdpPagingError            a list whose pages never end (repeated page, page cap)
 * ├─ IdpConnectionError        the service could not be reached (after any retries)
 * ├─ IdpTimeoutError
 * │  ├─ IdpRequestTimeoutError no answer within the attempt timeout, or the call's deadline passed
 * │  └─ IdpWaitTimeoutError    waitForExecution's timeoutMs passed; `lastStatus` says where it was
 * └─ IdpAbortError             the caller's signal aborted; `reason` is the signal's reason
 * ```
 *
 * @example
 * ```ts
 * try { await idp.getExecution(ref); } catch (e) { if (e instanceof IdpError) console.error(e.message); }
 * ```
 */
export class IdpError extends Error {
  override name = 'IdpError';
}

/**
 * Bad input, found before any request was sent: nothing was sent and nothing was charged.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof IdpValidationError) console.error(e.message); // says what to fix }
 * ```
 */
export class IdpValidationError extends IdpError {
  override name = 'IdpValidationError';
}

/**
 * No token could be had: the token endpoint refused the credentials, answered something that is not a
 * token, or could not be reached. The message carries the connected-app checklist where it applies;
 * `cause` is the `AuthError` of `@idp-kit/auth` (or what a custom `TokenProvider` threw).
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof IdpAuthError && e.oauthError === 'invalid_client') console.error(e.message); }
 * ```
 */
export class IdpAuthError extends IdpError {
  override name = 'IdpAuthError';
  // `declare`: no class field, so a detail that is not known is no own property at all (not one
  // holding `undefined`): `'status' in error` is false and `util.inspect` shows no `status: undefined`.
  /** HTTP status of the token endpoint's answer, when there was one. */
  declare readonly status?: number;
  /** OAuth `error` code, e.g. `invalid_client`. */
  declare readonly oauthError?: string;

  constructor(message: string, details: { status?: number; oauthError?: string; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    if (details.status !== undefined) this.status = details.status;
    if (details.oauthError !== undefined) this.oauthError = details.oauthError;
  }
}

/**
 * What every `IdpApiError` is built from.
 *
 * @example
 * ```ts
 * new IdpApiError('getExecution failed: HTTP 500', { status: 500, operation: 'getExecution', url, headers: new Headers() });
 * ```
 */
export interface ApiErrorDetails {
  status: number;
  operation: string;
  url: string;
  headers: Headers;
  problem?: Problem;
  requestId?: string;
  cause?: unknown;
}

/**
 * The service answered with an HTTP error status (after any retries), or a body the operation cannot use.
 * Subclasses tell the common cases apart; switch on `status` for the rest.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof IdpApiError) console.error(e.status, e.problem?.detail, e.requestId); }
 * ```
 */
export class IdpApiError extends IdpError {
  override name = 'IdpApiError';
  /** HTTP status of the last answer. */
  readonly status: number;
  // `declare`, as in IdpAuthError: set only when known, so never an own property holding `undefined`.
  /** The problem+json body, when the server sent one. */
  declare readonly problem?: Problem;
  /** The server's request id (`x-request-id` or similar), for support cases. */
  declare readonly requestId?: string;
  /** The client operation, e.g. `getExecution`. */
  readonly operation: string;
  /** The request URL (it never holds a secret: tokens travel in a header). */
  readonly url: string;
  /** The response headers of the last answer (`Retry-After`, request ids, …). */
  readonly headers: Headers;

  constructor(message: string, details: ApiErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.operation = details.operation;
    this.url = details.url;
    this.headers = details.headers;
    if (details.problem) this.problem = details.problem;
    if (details.requestId) this.requestId = details.requestId;
  }
}

/**
 * 401: the service refused the token, also a fresh one.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof IdpUnauthorizedError) console.error('check the connected app'); }
 * ```
 */
export class IdpUnauthorizedError extends IdpApiError {
  override name = 'IdpUnauthorizedError';
}

/**
 * 403: the connected app may not do this (scope, business group).
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof IdpForbiddenError) console.error('add the scope "Execute Published Actions"'); }
 * ```
 */
export class IdpForbiddenError extends IdpApiError {
  override name = 'IdpForbiddenError';
}

/**
 * 404: unknown ids or version, the wrong business group, or results past their retention (24 hours after
 * success, 7 days after a review).
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof IdpNotFoundError) markExpired(ref); }
 * ```
 */
export class IdpNotFoundError extends IdpApiError {
  override name = 'IdpNotFoundError';
}

/**
 * 429: rate limited, also after the retries. `retryAfterMs` is the server's `Retry-After`, when it sent one.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof IdpRateLimitError) await sleep(e.retryAfterMs ?? 60_000); }
 * ```
 */
export class IdpRateLimitError extends IdpApiError {
  override name = 'IdpRateLimitError';
  /** How long the server asked to wait, in ms (`Retry-After`), if it said (set only then: `declare`). */
  declare readonly retryAfterMs?: number;

  constructor(message: string, details: ApiErrorDetails & { retryAfterMs?: number }) {
    super(message, details);
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }
}

/**
 * 5xx: the service failed, also after the retries.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof IdpServerError) retryLater(ref); }
 * ```
 */
export class IdpServerError extends IdpApiError {
  override name = 'IdpServerError';
}

/**
 * A redirect the client did not follow: any redirect of an upload (the document is never sent twice,
 * nor anywhere else), a redirect to an origin the client does not trust (only the configured base URL,
 * control plane and the region's hosts are), or more than 5 hops. Nothing was sent to `location`.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof IdpRedirectError) console.error(`${e.status} to ${e.location}: set baseUrl to the final URL`); }
 * ```
 */
export class IdpRedirectError extends IdpApiError {
  override name = 'IdpRedirectError';
  /** Where the server redirected to: the target's origin only (a path or query may carry a secret). */
  readonly location: string | undefined;

  constructor(message: string, details: ApiErrorDetails & { location?: string }) {
    super(message, details);
    this.location = details.location;
  }
}

/**
 * An answer larger than the client's `maxResponseBytes` (default 64 MiB): reading stopped at the cap
 * and the call was not retried (the same answer would come again). For a submit, the execution may
 * exist: the service answered.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof IdpResponseTooLargeError) console.error(`${e.operation}: over ${e.limit} bytes`); }
 * ```
 */
export class IdpResponseTooLargeError extends IdpError {
  override name = 'IdpResponseTooLargeError';
  /** The cap that was passed, in bytes. */
  readonly limit: number;
  /** HTTP status of the answer. */
  readonly status: number;
  readonly operation: string;

  constructor(message: string, details: { limit: number; status: number; operation: string }) {
    super(message);
    this.limit = details.limit;
    this.status = details.status;
    this.operation = details.operation;
  }
}

/**
 * A paged list that does not end: the server answered a page identical to the previous one (it ignores
 * `page`), or the iterator reached its `maxPages`. Items yielded before are valid.
 *
 * @example
 * ```ts
 * try { for await (const task of idp.reviews()) show(task); } catch (e) { if (e instanceof IdpPagingError) console.error(e.message); }
 * ```
 */
export class IdpPagingError extends IdpError {
  override name = 'IdpPagingError';
}

/**
 * The service could not be reached (connection refused or reset, DNS failure) after every retry.
 * `refused`: the connection was refused, so the service surely never saw the request (a submit that
 * failed so created nothing and may be sent again).
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof IdpConnectionError && e.refused) queueAgain(document); }
 * ```
 */
export class IdpConnectionError extends IdpError {
  override name = 'IdpConnectionError';
  readonly refused: boolean;

  constructor(message: string, options: ErrorOptions & { refused?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.refused = options.refused === true;
  }
}

/**
 * Something took too long: see `IdpRequestTimeoutError` (one call) and `IdpWaitTimeoutError` (a wait).
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof IdpTimeoutError) console.error(e.message); }
 * ```
 */
export class IdpTimeoutError extends IdpError {
  override name = 'IdpTimeoutError';
}

/**
 * One call got no answer in time: every attempt hit the per-attempt timeout, or the call's whole
 * deadline (`deadlineMs`: token, retries and waits included) passed.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof IdpRequestTimeoutError) console.error(e.message); // names the limit }
 * ```
 */
export class IdpRequestTimeoutError extends IdpTimeoutError {
  override name = 'IdpRequestTimeoutError';
}

/**
 * `waitForExecution`'s `timeoutMs` passed before the execution settled (or was final).
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof IdpWaitTimeoutError) console.error(`still ${e.lastStatus} after 10 min`); }
 * ```
 */
export class IdpWaitTimeoutError extends IdpTimeoutError {
  override name = 'IdpWaitTimeoutError';
  /** The status seen on the last answered poll, if any (set only then: `declare`). */
  declare readonly lastStatus?: ExecutionStatus | (string & {});

  constructor(message: string, details: { lastStatus?: string } = {}) {
    super(message);
    if (details.lastStatus !== undefined) this.lastStatus = details.lastStatus;
  }
}

/**
 * The caller's `signal` aborted the call. `reason` is the signal's reason, as given to `abort()`.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof IdpAbortError) return; // the user stopped it }
 * ```
 */
export class IdpAbortError extends IdpError {
  override name = 'IdpAbortError';
  /** What the signal was aborted with. */
  readonly reason: unknown;

  constructor(operation: string, reason: unknown) {
    const why = reason instanceof Error ? reason.message : String(reason);
    super(`${operation} aborted: ${why}`, { cause: reason });
    this.reason = reason;
  }
}
