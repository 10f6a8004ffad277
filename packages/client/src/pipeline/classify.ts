/**
 * The classify stage: what an answer or a failed attempt means for the call. Pure functions of the
 * operation and what happened; the pipeline acts on the verdict.
 */
import { AuthError } from '@idp-kit/auth';
import { RETRYABLE_STATUSES } from '@idp-kit/http';
import { IdpConnectionError, IdpError, IdpRequestTimeoutError } from '../errors.js';

/**
 * What to do with an answer:
 * - `replay`: a 401 to a bearer token, the first one: drop the token and send again (not a retry);
 * - `retry`: a status a retry may fix, and retries are left;
 * - `error`: an answer the operation does not handle: an `IdpApiError`;
 * - `read`: the operation reads it.
 */
export type AnswerVerdict = 'replay' | 'retry' | 'error' | 'read';

/**
 * @param replayable a bearer token was sent, and the call has not replayed yet.
 * @param canRetry retries are left.
 */
export function classifyAnswer(
  operation: { idempotent: boolean; expect?: readonly number[] | 'any' },
  status: number,
  replayable: boolean,
  canRetry: boolean,
): AnswerVerdict {
  if (status === 401 && replayable) return 'replay';
  const { expect } = operation;
  const listed = Array.isArray(expect)
    ? expect.includes(status)
    : // Stryker disable next-line ConditionalExpression,EqualityOperator,LogicalOperator: no final 1xx; a 3xx never gets here
      expect === undefined && status >= 200 && status < 300;
  if (listed) return 'read';
  // A request that is not safe to repeat (a submit) is retried only when the server surely did not act.
  const retryable = operation.idempotent ? RETRYABLE_STATUSES.has(status) : status === 429;
  if (retryable && canRetry) return 'retry';
  // 'any': the operation reads whatever the last answer is (raw; the token's own errors).
  return expect === 'any' ? 'read' : 'error';
}

/**
 * What to do with an attempt that threw:
 * - `rethrow`: already the call's answer (an `IdpError`, an auth error, or the call was aborted);
 * - `unsendable`: fetch refused to build the request; sending again gives the same;
 * - `retry`: a network error, a timeout or a body cut short, and it is safe to send again;
 * - `fail`: the same, with no retry left or not safe: the call fails in transport.
 */
export type FailureVerdict = 'rethrow' | 'unsendable' | 'retry' | 'fail';

export function classifyFailure(
  operation: { idempotent: boolean },
  error: unknown,
  how: { answered: boolean; aborted: boolean; canRetry: boolean },
): FailureVerdict {
  if (error instanceof IdpError || error instanceof AuthError || how.aborted) return 'rethrow';
  if (!how.answered && isUnsendable(error)) return 'unsendable';
  // Stryker disable next-line StringLiteral: any verdict but 'retry' fails the same way
  return how.canRetry && (operation.idempotent || isConnectionRefused(error)) ? 'retry' : 'fail';
}

/** The error of a call whose last attempt failed in transport (a timeout, or a connection error). */
export function transportError(
  request: { method: string; url: string },
  error: unknown,
  how: { timedOut: boolean; what: string; attempts: number },
): IdpError {
  const path = new URL(request.url).pathname;
  const tries = `${how.attempts} attempt${how.attempts === 1 ? '' : 's'}`;
  return how.timedOut
    ? new IdpRequestTimeoutError(`${request.method} ${path}: ${how.what} (${tries})`, { cause: error })
    : new IdpConnectionError(`${request.method} ${path} failed after ${tries}: ${how.what}`, {
        cause: error,
        refused: isConnectionRefused(error),
      });
}

/** Connection refused: the server surely did not see the request, so even a submit may be retried. */
export function isConnectionRefused(error: unknown): boolean {
  // Stryker disable next-line EqualityOperator: a depth of 6 or 5, both bounded
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if ((e as { code?: unknown }).code === 'ECONNREFUSED') return true;
  }
  return false;
}

/**
 * A request fetch refused to build (undici: "… is an invalid header value", a header that is no
 * ByteString): nothing was sent, and sending again gives the same, so it is not retried.
 */
function isUnsendable(error: unknown): boolean {
  return error instanceof TypeError && /invalid header value|ByteString/i.test(error.message);
}

/** An error as one line: its message and its cause's code (ECONNRESET) or message. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause =
    error.cause instanceof Error
      ? ` (${(error.cause as { code?: string }).code ?? error.cause.message})`
      : '';
  return `${error.message}${cause}`;
}
