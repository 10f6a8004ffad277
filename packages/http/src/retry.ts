/**
 * Retry timing shared by the token flow and the IDP client: full-jitter exponential backoff,
 * `Retry-After` parsing, and an abortable sleep that leaves no timer behind.
 */

import { onAbort } from './abort.js';

/**
 * How long retries wait: the first backoff and the cap.
 *
 * @example
 * ```ts
 * backoffDelay(2, { baseDelayMs: 500, maxDelayMs: 30_000 }); // somewhere in [0, 2000] ms
 * ```
 */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter. */
  baseDelayMs: number;
  /** No delay, computed or server-given, exceeds this. */
  maxDelayMs: number;
}

/**
 * Full-jitter exponential backoff (AWS architecture blog): a random delay in
 * `[0, min(maxDelayMs, baseDelayMs * 2^attempt)]`. `attempt` counts from 0.
 *
 * @example
 * ```ts
 * await sleep(backoffDelay(attempt, { baseDelayMs: 500, maxDelayMs: 30_000 }));
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

const DELAY_SECONDS = /^\s*(\d{1,10})\s*$/;

/**
 * Milliseconds to wait as a `Retry-After` header says: delay-seconds or an HTTP date.
 * Returns `undefined` for a missing, negative or unparseable value (then use backoff); a date in the past is 0.
 *
 * @example
 * ```ts
 * parseRetryAfter('2'); // 2000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:58 GMT')); // 2000
 * ```
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value == null) return undefined;
  const seconds = DELAY_SECONDS.exec(value);
  if (seconds?.[1] !== undefined) return Number(seconds[1]) * 1000;
  // An HTTP date always names a weekday or month; refusing bare numbers keeps "-5" or "1.5" out.
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. The timer is cleared
 * either way, so a settled sleep keeps no process alive.
 *
 * @example
 * ```ts
 * await sleep(1_000, AbortSignal.timeout(500)); // rejects after 500 ms with a TimeoutError
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const stop = signal
      ? onAbort(signal, () => {
          clearTimeout(timer);
          reject(signal.reason);
        })
      : undefined;
    const timer = setTimeout(() => {
      stop?.();
      resolve();
    }, ms);
  });
}

/**
 * HTTP statuses worth retrying for an idempotent request.
 *
 * @example
 * ```ts
 * if (RETRYABLE_STATUSES.has(response.status)) await sleep(backoffDelay(attempt, backoff));
 * ```
 */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);
