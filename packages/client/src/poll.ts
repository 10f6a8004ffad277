import { linkedAbort, parseRetryAfter, sleep } from '@idp-kit/http';
import { IdpAbortError, IdpValidationError, IdpWaitTimeoutError } from './errors.js';
import type { Logger } from './logger.js';
import { isFinal, isSettled } from './status.js';

/**
 * How `waitForExecution` polls.
 *
 * @example
 * ```ts
 * await idp.waitForExecution(ref, { pollIntervalMs: 15_000, maxPollIntervalMs: 120_000, timeoutMs: 3_600_000 });
 * ```
 */
export interface PollOptions<E> {
  /** Abort the wait: rejects at once with `IdpAbortError` carrying the signal's reason. */
  signal?: AbortSignal;
  /** Give up after this long: rejects with `IdpWaitTimeoutError` carrying the last status. Default: no limit. */
  timeoutMs?: number;
  /** First interval between polls; default 10 s. Clamped to 10 s against MuleSoft hosts (service rule). */
  pollIntervalMs?: number;
  /** The interval grows ×1.5 per poll up to this; default 60 s. */
  maxPollIntervalMs?: number;
  /** `settled` (default) stops at MANUAL_VALIDATION_REQUIRED too; `final` waits until a reviewer is done. */
  until?: 'settled' | 'final';
  /** Called with every poll's execution, in order. */
  onProgress?: (execution: E) => void;
  /**
   * Holds a slot around each poll (resolves with its release, which is called with the execution
   * and the answer's size in bytes (its `Content-Length`, when it has one) when the poll answered,
   * without them when it failed): a caller with many waits bounds how many polls, and so how many
   * large bodies, are in flight at once. The batch engine uses it, keeps a final poll's slot until it
   * has stored the result, and sizes its budget of result bytes from the answers.
   *
   * @example
   * ```ts
   * await idp.waitForExecution(ref, { gate: (signal) => slots.acquire(signal) });
   * ```
   */
  gate?: (signal: AbortSignal) => Promise<(polled?: E, answer?: { bytes: number | undefined }) => void>;
}

/** The answer's declared length in bytes, or undefined (none, or not a length). */
function declaredLength(response: Response): number | undefined {
  const declared = response.headers.get('content-length');
  const bytes = declared === null ? Number.NaN : Number(declared);
  return Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : undefined;
}

/** One poll: the execution and the response it came in (for `Retry-After`). */
export type Poll<E> = (signal: AbortSignal) => Promise<{ execution: E; response: Response }>;

export const MULESOFT_MIN_INTERVAL_MS = 10_000;
const DEFAULT_INTERVAL_MS = 10_000;
const DEFAULT_MAX_INTERVAL_MS = 60_000;
const GROWTH = 1.5;
const JITTER = 0.1;

function checkDuration(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
    throw new IdpValidationError(`${name} must be a number of milliseconds ≥ 0, got ${value}`);
  }
}

/**
 * Polls until the execution settles (or is final), the timeout passes or the signal aborts.
 * First poll at once; then the interval, with ±10% jitter, growing to the maximum; `Retry-After` on a
 * response replaces the next interval. Leaves no timer or listener behind when it settles.
 */
export async function pollUntilDone<E extends { status: string }>(
  poll: Poll<E>,
  options: PollOptions<E>,
  context: {
    minIntervalMs: number;
    /** The cap on a `Retry-After` (the client's `retry.maxDelayMs`), as for any retry. */
    maxDelayMs?: number;
    warnOnce: (message: string) => void;
    logger?: Logger | undefined;
  },
  random: () => number = Math.random,
): Promise<E> {
  checkDuration('timeoutMs', options.timeoutMs);
  checkDuration('pollIntervalMs', options.pollIntervalMs);
  checkDuration('maxPollIntervalMs', options.maxPollIntervalMs);
  if (options.until !== undefined && options.until !== 'settled' && options.until !== 'final') {
    throw new IdpValidationError(`until must be 'settled' or 'final', got ${JSON.stringify(options.until)}`);
  }
  const done = options.until === 'final' ? isFinal : isSettled;
  const floor = context.minIntervalMs;
  let interval = options.pollIntervalMs ?? DEFAULT_INTERVAL_MS;
  if (interval < floor) {
    context.warnOnce(
      `pollIntervalMs ${interval} is below the service's minimum of ${floor} ms between polls; using ${floor} ms`,
    );
    interval = floor;
  }
  const maxInterval = Math.max(interval, options.maxPollIntervalMs ?? DEFAULT_MAX_INTERVAL_MS);

  const caller = options.signal;
  if (caller?.aborted) throw new IdpAbortError('waitForExecution', caller.reason);
  // One listener per shared signal, not one per wait: a batch waits on hundreds with one signal.
  const { controller, unlink } = linkedAbort(caller);
  let last: E | undefined;
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          const status = last?.status;
          controller.abort(
            new IdpWaitTimeoutError(
              `waitForExecution: not ${options.until ?? 'settled'} after ${options.timeoutMs} ms` +
                `${status ? ` (last status ${status})` : ' (no poll answered)'}. Wait longer, or check the execution later by its id.`,
              status === undefined ? {} : { lastStatus: status },
            ),
          );
        }, options.timeoutMs);

  try {
    for (;;) {
      const release = await options.gate?.(controller.signal);
      let polled: Awaited<ReturnType<Poll<E>>>;
      try {
        polled = await poll(controller.signal);
      } catch (error) {
        release?.();
        throw error;
      }
      release?.(polled.execution, { bytes: declaredLength(polled.response) });
      const { execution, response } = polled;
      last = execution;
      options.onProgress?.(execution);
      if (done(execution.status)) return execution;
      const jittered = interval * (1 - JITTER + 2 * JITTER * random());
      const asked = parseRetryAfter(response.headers.get('retry-after'));
      const capped = asked === undefined ? undefined : Math.min(asked, context.maxDelayMs ?? asked);
      const wait = Math.max(floor, capped ?? jittered);
      context.logger?.debug?.(`waitForExecution: ${execution.status}; next poll in ${Math.round(wait)} ms`);
      interval = Math.min(interval * GROWTH, maxInterval);
      await sleep(wait, controller.signal);
    }
  } catch (error) {
    // Whatever was in flight when the signal fired, the caller hears why the wait ended.
    if (controller.signal.aborted) {
      const reason: unknown = controller.signal.reason;
      throw reason instanceof IdpWaitTimeoutError ? reason : new IdpAbortError('waitForExecution', reason);
    }
    throw error;
  } finally {
    clearTimeout(timer);
    unlink();
  }
}
