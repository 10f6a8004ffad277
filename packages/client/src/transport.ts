import { backoffDelay, parseRetryAfter, RETRYABLE_STATUSES, sleep } from '@idp-kit/auth';
import { IdpConnectionError, IdpTimeoutError } from './errors.js';
import type { Logger } from './logger.js';

/**
 * How failed requests are retried. Defaults: 3 retries, 500 ms base delay, 30 s cap.
 *
 * @example
 * ```ts
 * createIdpClient({ organizationId, auth, retry: { maxRetries: 5, maxDelayMs: 60_000 } });
 * ```
 */
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
  /** Per attempt, reading the body included. */
  timeoutMs: number;
  logger?: Logger | undefined;
}

/** One request, as the retry loop sees it. */
export interface Exchange<T> {
  method: string;
  /** For logs and errors: the path, never the query or a header. */
  path: string;
  /** GET: retried on network errors, timeouts, 408, 429, 5xx. Otherwise only on connection refused and 429. */
  idempotent: boolean;
  signal?: AbortSignal | undefined;
  /** Sends attempt `attempt` (from 0); `last` when no retry can follow. */
  send(signal: AbortSignal, attempt: number, last: boolean): Promise<Response>;
  /** Reads what the caller needs, inside the attempt's timeout (so a stalled body is a timeout). */
  read(response: Response): Promise<T>;
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
function attemptSignal(caller: AbortSignal | undefined, timeoutMs: number) {
  const controller = new AbortController();
  const onAbort = () => controller.abort(caller?.reason);
  if (caller?.aborted) controller.abort(caller.reason);
  else caller?.addEventListener('abort', onAbort, { once: true });
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
      caller?.removeEventListener('abort', onAbort);
    },
  };
}

export interface Transport {
  /** Runs one exchange with retries, backoff, `Retry-After`, a timeout per attempt and a log line per attempt. */
  run<T>(exchange: Exchange<T>): Promise<{ status: number; response: Response; value: T }>;
  /** The same, as the `fetch` openapi-fetch calls (used by `raw` and submit). */
  fetch: typeof fetch;
}

export function createTransport(options: TransportOptions): Transport {
  const { retry, timeoutMs, logger } = options;
  const fetchImpl = options.fetch;

  function log(exchange: Exchange<unknown>, attempt: number, started: number, outcome: number | string) {
    if (!logger?.debug) return;
    const durationMs = Math.round(performance.now() - started);
    const { method, path } = exchange;
    logger.debug(`${method} ${path} → ${outcome} (attempt ${attempt + 1}, ${durationMs} ms)`, {
      method,
      path,
      status: typeof outcome === 'number' ? outcome : undefined,
      attempt: attempt + 1,
      durationMs,
    });
  }

  async function run<T>(exchange: Exchange<T>): Promise<{ status: number; response: Response; value: T }> {
    const { method, path, idempotent, signal: caller } = exchange;
    for (let attempt = 0; ; attempt++) {
      const canRetry = attempt < retry.maxRetries;
      const started = performance.now();
      const attemptCtl = attemptSignal(caller, timeoutMs);
      try {
        const response = await exchange.send(attemptCtl.signal, attempt, !canRetry);
        const retryable = idempotent ? RETRYABLE_STATUSES.has(response.status) : response.status === 429;
        if (retryable && canRetry) {
          log(exchange, attempt, started, response.status);
          const asked = parseRetryAfter(response.headers.get('retry-after'));
          const delay = Math.min(asked ?? backoffDelay(attempt, retry), retry.maxDelayMs);
          logger?.warn?.(
            `${method} ${path}: HTTP ${response.status}; retrying in ${delay} ms (${attempt + 1}/${retry.maxRetries})`,
          );
          attemptCtl.done();
          await response.body?.cancel();
          await sleep(delay, caller);
          continue;
        }
        const value = await exchange.read(response);
        log(exchange, attempt, started, response.status);
        return { status: response.status, response, value };
      } catch (error) {
        if (caller?.aborted) throw caller.reason;
        const timedOut = attemptCtl.timedOut();
        const what = timedOut ? `no answer within ${timeoutMs} ms` : describe(error);
        log(exchange, attempt, started, what);
        // A body cut or stalled after the headers counts as a failed attempt, like a network error.
        if (canRetry && (idempotent || isConnectionRefused(error))) {
          logger?.warn?.(`${method} ${path}: ${what}; retrying (${attempt + 1}/${retry.maxRetries})`);
          attemptCtl.done();
          await sleep(backoffDelay(attempt, retry), caller);
          continue;
        }
        const attempts = `${attempt + 1} attempt${attempt === 0 ? '' : 's'}`;
        if (timedOut) throw new IdpTimeoutError(`${method} ${path}: ${what} (${attempts})`, { cause: error });
        throw new IdpConnectionError(`${method} ${path} failed after ${attempts}: ${what}`, { cause: error });
      } finally {
        attemptCtl.done();
      }
    }
  }

  const transportFetch = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    const idempotent = request.method === 'GET' || request.method === 'HEAD';
    const { value } = await run({
      method: request.method,
      path: new URL(request.url).pathname,
      idempotent,
      signal: request.signal,
      // A body can be sent once: keep the original unread while another attempt may follow.
      send: (signal, _attempt, last) =>
        fetchImpl(!last && request.body !== null ? request.clone() : request, { signal }),
      read: async (response) =>
        idempotent && response.body !== null
          ? new Response(await response.arrayBuffer(), response)
          : response,
    });
    return value;
  };

  return { run, fetch: transportFetch as typeof fetch };
}
