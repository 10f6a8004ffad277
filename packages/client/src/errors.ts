import type { ExecutionStatus, Problem } from './types.js';

/**
 * Base class of every error idp-kit throws for IDP calls (auth failures are `AuthError`s from
 * `@idp-kit/auth`). Never holds a secret or a token.
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
 * The service answered with an HTTP error status (after any retries), or a body that is not an execution.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof IdpApiError && e.status === 404) console.error(e.problem?.detail, e.requestId); }
 * ```
 */
export class IdpApiError extends IdpError {
  override name = 'IdpApiError';
  /** HTTP status of the last answer. */
  readonly status: number;
  /** The problem+json body, when the server sent one. */
  readonly problem?: Problem;
  /** The server's request id (`x-request-id` or similar), for support cases. */
  readonly requestId?: string;
  /** The client operation, e.g. `getExecution`. */
  readonly operation: string;
  /** The request URL (it never holds a secret: tokens travel in a header). */
  readonly url: string;

  constructor(
    message: string,
    details: {
      status: number;
      operation: string;
      url: string;
      problem?: Problem;
      requestId?: string;
      cause?: unknown;
    },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.operation = details.operation;
    this.url = details.url;
    if (details.problem) this.problem = details.problem;
    if (details.requestId) this.requestId = details.requestId;
  }
}

/**
 * No answer in time: a request's per-attempt timeout after every retry, or `waitForExecution`'s `timeoutMs`.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof IdpTimeoutError) console.error(`still ${e.lastStatus} after 10 min`); }
 * ```
 */
export class IdpTimeoutError extends IdpError {
  override name = 'IdpTimeoutError';
  /** The status seen on the last successful poll, if any. */
  readonly lastStatus?: ExecutionStatus | (string & {});

  constructor(message: string, details: { lastStatus?: string; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    if (details.lastStatus !== undefined) this.lastStatus = details.lastStatus;
  }
}

/**
 * The service could not be reached (connection refused or reset, DNS failure) after every retry.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof IdpConnectionError) console.error('IDP unreachable:', e.message); }
 * ```
 */
export class IdpConnectionError extends IdpError {
  override name = 'IdpConnectionError';
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
