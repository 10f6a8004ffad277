/** The retry/backoff stage: the call's retry settings, and how long to wait before the next attempt. */
import { backoffDelay, parseRetryAfter } from '@idp-kit/http';
import type { RetryOptions } from '../pipeline.js';

/** The client's retry settings with a call's override on top (`false`: no retries). */
export function retrySettings(
  client: Required<RetryOptions>,
  call: RetryOptions | false | undefined,
): Required<RetryOptions> {
  // Stryker disable next-line ConditionalExpression: spreading undefined adds nothing
  if (call === undefined) return client;
  // Stryker disable next-line ObjectLiteral: with {} maxRetries is undefined, and retries < undefined is false
  return call === false ? { ...client, maxRetries: 0 } : { ...client, ...call };
}

/**
 * The wait before retry number `retries + 1`: what the answer's `Retry-After` asks, else full-jitter
 * backoff; either way at most `maxDelayMs` (a server cannot park a call for an hour).
 */
export function retryDelay(
  retries: number,
  retry: Required<RetryOptions>,
  answer?: { headers: Headers },
): number {
  const asked = answer ? parseRetryAfter(answer.headers.get('retry-after')) : undefined;
  return Math.min(asked ?? backoffDelay(retries, retry), retry.maxDelayMs);
}
