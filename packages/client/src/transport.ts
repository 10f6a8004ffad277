import { backoffDelay, parseRetryAfter, RETRYABLE_STATUSES, sleep } from '@idp-kit/auth';
import { IdpConnectionError, IdpTimeoutError } from './errors.js';
import type { Logger } from './logger.js';

/** How failed requests are retried. Defaults: 3 retries, 500 ms base delay, 30 s cap. */
export interface RetryOptions {
  /** Retries after the first attempt; 0 turns retrying off. */
  maxRetries?: number;
  /** Backoff before the first retry (full jitter, doubling each time). */
  baseDelayMs?: number;
  /** Cap for any delay, computed or asked for by `Retry-After`. */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { maxRetries: 3, baseDelayMs: 500, maxDelayMs: 30_000 };

export interface TransportOptions {
  fetch: typeof fetch;
  retry: Required<RetryOptions>;
  /** Per attempt, including reading the body of a GET. */
  timeoutMs: number;
  logger?: Logger | undefined;
}

/** Connection refused: the server surely did not see the request, so even a submit may be retried. */
export function isConnectionRefused(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if ((e as { code?: unknown }).code === 'ECONNREFUSED') return true;
  }
  return false;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause =
    error.cause instanceof Error
      ? ` (${(error.cause as { code?: string }).code ?? error.cause.message})`
      : '';
  return `${error.message}${cause}`;
}

/** An abort signal for one attempt: the caller's signal, plus a timer of its own. */
function attemptSignal(caller: AbortSignal, timeoutMs: number) {
  const controller = new AbortController();
  const onAbort = () => controller.abort(caller.reason);
  if (caller.aborted) controller.abort(caller.reason);
  else caller.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    done() {
      clearTimeout(timer);
      caller.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * The fetch that openapi-fetch calls: retries with backoff and `Retry-After`, a timeout per attempt, one
 * log line per attempt.
 *
 * GET is retried on network errors, timeouts, 408, 429 and 5xx (502/503/504 and 500), and its body is read
 * inside the attempt so a stalled or cut body is retried too. Anything else (a submit) is retried only
 * when the server surely did not act on it: connection refused, or 429.
 */
export function createTransport(options: TransportOptions): typeof fetch {
  const { retry, timeoutMs, logger } = options;
  const fetchImpl = options.fetch;

  return async function transport(input: Request | string | URL, init?: RequestInit): Promise<Response> {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    const idempotent = request.method === 'GET' || request.method === 'HEAD';
    const caller = request.signal;
    for (let attempt = 0; ; attempt++) {
      const canRetry = attempt < retry.maxRetries;
      // A body can be sent once: keep the original unread while another attempt may follow.
      const sent = canRetry && request.body !== null ? request.clone() : request;
      const started = performance.now();
      const attemptCtl = attemptSignal(caller, timeoutMs);
      let response: Response;
      try {
        response = await fetchImpl(sent, { signal: attemptCtl.signal });
        if (idempotent && response.body !== null) {
          response = new Response(await response.arrayBuffer(), response);
        }
      } catch (error) {
        if (caller.aborted) throw caller.reason;
        const timedOut = attemptCtl.timedOut();
        const what = timedOut ? `no answer within ${timeoutMs} ms` : describe(error);
        log(logger, request, attempt, started, what);
        if (canRetry && (idempotent || isConnectionRefused(error))) {
          logger?.warn?.(
            `${request.method} ${pathOf(request)}: ${what}; retrying (${attempt + 1}/${retry.maxRetries})`,
          );
          await sleep(backoffDelay(attempt, retry), caller);
          continue;
        }
        const attempts = `${attempt + 1} attempt${attempt === 0 ? '' : 's'}`;
        if (timedOut) {
          throw new IdpTimeoutError(`${request.method} ${pathOf(request)}: ${what} (${attempts})`, {
            cause: error,
          });
        }
        throw new IdpConnectionError(
          `${request.method} ${pathOf(request)} failed after ${attempts}: ${what}`,
          {
            cause: error,
          },
        );
      } finally {
        attemptCtl.done();
      }
      log(logger, request, attempt, started, response.status);
      const retryable = idempotent ? RETRYABLE_STATUSES.has(response.status) : response.status === 429;
      if (!retryable || !canRetry) return response;
      const asked = parseRetryAfter(response.headers.get('retry-after'));
      const delay = Math.min(asked ?? backoffDelay(attempt, retry), retry.maxDelayMs);
      logger?.warn?.(
        `${request.method} ${pathOf(request)}: HTTP ${response.status}; retrying in ${delay} ms (${attempt + 1}/${retry.maxRetries})`,
      );
      await response.body?.cancel();
      await sleep(delay, caller);
    }
  };
}

function pathOf(request: Request): string {
  return new URL(request.url).pathname;
}

function log(
  logger: Logger | undefined,
  request: Request,
  attempt: number,
  started: number,
  outcome: number | string,
) {
  if (!logger?.debug) return;
  const durationMs = Math.round(performance.now() - started);
  const path = pathOf(request);
  logger.debug(`${request.method} ${path} → ${outcome} (attempt ${attempt + 1}, ${durationMs} ms)`, {
    method: request.method,
    path,
    status: typeof outcome === 'number' ? outcome : undefined,
    attempt: attempt + 1,
    durationMs,
  });
}
