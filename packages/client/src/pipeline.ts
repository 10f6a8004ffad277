import { AuthError, type TokenProvider } from '@idp-kit/auth';
import { backoffDelay, linkedAbort, parseRetryAfter, RETRYABLE_STATUSES, sleep } from '@idp-kit/http';
import { apiError, jsonOrText } from './api-error.js';
import { limitBody } from './body-limit.js';
import {
  IdpAbortError,
  IdpAuthError,
  IdpConnectionError,
  IdpError,
  IdpRedirectError,
  IdpRequestTimeoutError,
  IdpValidationError,
} from './errors.js';
import type { AttemptInfo, IdpHooks, OperationInfo } from './hooks.js';
import { hookRunner } from './hooks.js';
import type { Logger } from './logger.js';
import { scrubError } from './redaction.js';
import type { Redactor } from './redactor.js';
import { isRedirect, isTrustedUrl, MAX_REDIRECTS, redirectError, redirectTarget } from './redirects.js';

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
  /** Cap for any delay, computed or asked for by `Retry-After` (polls included). */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { maxRetries: 3, baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * Options every operation takes, each overriding the client's setting for this one call.
 *
 * @example
 * ```ts
 * await idp.getExecution(ref, { deadlineMs: 20_000, retry: { maxRetries: 1 }, headers: { 'x-trace': id } });
 * ```
 */
export interface CallOptions {
  /** Ends the call at once: it rejects with `IdpAbortError` carrying the signal's reason. */
  signal?: AbortSignal;
  /** Timeout of each attempt, reading the body included. */
  attemptTimeoutMs?: number;
  /** The whole call, token, retries and backoff included: past it, `IdpRequestTimeoutError`. */
  deadlineMs?: number;
  /** Retries of this call; `false` turns them off. */
  retry?: RetryOptions | false;
  /** Extra request headers (never `Authorization`). */
  headers?: Record<string, string>;
}

/** What an operation hands the pipeline: a typed description, nothing about how it is sent. */
export interface Operation<T> {
  /** `getExecution`, `token`, `raw`, …: names it in errors, logs and hooks. */
  name: string;
  method: string;
  /** Absolute URL, ids already escaped. */
  url: string;
  headers?: Record<string, string>;
  /** A fresh body for each attempt (a body can be sent once). */
  body?: () => NonNullable<RequestInit['body']>;
  /**
   * `manual`: `read` gets a redirect as it is (the token request: a redirect there means a wrong token
   * URL). Otherwise the pipeline's rule applies: a GET follows up to 5 redirects within the trusted
   * origins; any other redirect is an `IdpRedirectError`, and nothing is sent to its target.
   */
  redirect?: 'manual';
  /**
   * Safe to repeat: retried on network errors, timeouts, 408, 429 and 5xx. Otherwise (a submit) retried
   * only when the server surely did not act: connection refused, 429.
   */
  idempotent: boolean;
  /** Sends the bearer token, and replays once with a fresh one after a 401. */
  auth: boolean;
  /** HTTP Basic may stand in for the token (review and control-plane operations), when configured. */
  basic?: boolean;
  /**
   * Statuses `read` handles; any other is retried when retryable, then an `IdpApiError`. Default: 2xx.
   * `'any'`: retryable statuses are still retried, and `read` gets the last answer, whatever it is.
   */
  expect?: readonly number[] | 'any';
  /** Reads the answer inside the attempt's timeout (a stalled body is a timeout). */
  read(response: Response, attempt: { sentAt: number; number: number }): Promise<T>;
  /** What to do, for an error answer of this operation (wins over the general advice). */
  advice?(status: number): string | undefined;
  /**
   * Rewrites the error of a request that failed in transport after every attempt: a submit says whether
   * the server may have acted, the token request names its endpoint.
   */
  transportFailure?(error: IdpError, how: { refused: boolean; attempts: number; reason: string }): Error;
  parent?: OperationInfo;
}

export interface PipelineOptions {
  fetch: typeof fetch;
  retry: Required<RetryOptions>;
  attemptTimeoutMs: number;
  deadlineMs: number | undefined;
  userAgent: string;
  /** The token for operations with `auth`; undefined until set (the token provider is built on this pipeline). */
  tokens?: TokenProvider;
  /** Opt-in Basic credentials for operations marked `basic`. */
  basic?: { header(): string };
  hooks: readonly IdpHooks[];
  logger: Logger | undefined;
  /**
   * Origins the token may go to, and a GET may be redirected to: the configured base URL and control
   * plane, the region's hosts. Scheme, host and port must match: loopback is trusted only as configured.
   */
  trustedOrigins: ReadonlySet<string>;
  /** Cap on an answer's body, in bytes; a larger one is an `IdpResponseTooLargeError`, never retried. */
  maxResponseBytes: number;
  /** Every error leaving the pipeline, and every error a hook or log line sees, passes through it. */
  redactor: Redactor;
}

export interface Pipeline {
  run<T>(operation: Operation<T>, call?: CallOptions): Promise<{ value: T; response: Response }>;
  /** An operation made of other operations (a wait made of polls): hooks see it as their parent. */
  compose<T>(
    meta: { name: string; method: string; url: string },
    body: (parent: OperationInfo | undefined) => Promise<T>,
  ): Promise<T>;
  options: PipelineOptions;
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

function withoutQuery(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? url : url.slice(0, at);
}

/**
 * A request fetch refused to build (undici: "… is an invalid header value", a header that is no
 * ByteString): nothing was sent, and sending again gives the same, so it is not retried.
 */
function isUnsendable(error: unknown): boolean {
  return error instanceof TypeError && /invalid header value|ByteString/i.test(error.message);
}

/** Thrown inside the pipeline for a deadline that passed; turned into the public error at the edge. */
class DeadlinePassed extends Error {}

/**
 * Refuses, before any token is fetched, a request to a host the token must not go to. The token goes
 * only to the configured base URL and control plane and the region's MuleSoft hosts, port included:
 * a loopback host is trusted when it was configured, not because it is loopback (another local
 * process on another port is another party).
 */
export function checkTrustedOrigin(url: string, trusted: ReadonlySet<string>, what: string): void {
  // Fast path (every request): an origin is followed by '/', '?' or the end; no parsing needed.
  for (const origin of trusted) {
    if (url.startsWith(origin)) {
      const next = url.charAt(origin.length);
      if (next === '/' || next === '?' || next === '') return;
    }
  }
  const target = new URL(url);
  if (trusted.has(target.origin)) return;
  throw new IdpValidationError(
    `${what}: refusing to send the IDP token to ${target.origin}; it goes only to ${[...trusted].join(', ')}. ` +
      'To reach IDP through another host (a proxy or a mock), configure it as baseUrl.',
  );
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const { logger } = options;
  const hook = hookRunner(options.hooks, (name, error) =>
    logger?.warn?.(
      `a ${name} hook threw (ignored): ${error instanceof Error ? error.message : String(error)}`,
    ),
  );
  const hooked = options.hooks.length > 0;

  // Every log line names its operation (`getExecution#12`): the attempts of concurrent calls can be told
  // apart. Numbered only when there is a logger (the hot path stays free of it).
  let operations = 0;
  const operationIds = new WeakMap<Operation<unknown>, number>();
  const label = (op: Operation<unknown>) => `${op.name}#${operationIds.get(op) ?? 0}`;

  function log(op: Operation<unknown>, attempt: number, started: number, outcome: number | string) {
    if (!logger?.debug) return;
    const durationMs = Math.round(performance.now() - started);
    const path = new URL(op.url).pathname;
    logger.debug(`${label(op)} ${op.method} ${path} → ${outcome} (attempt ${attempt}, ${durationMs} ms)`, {
      operation: op.name,
      operationId: operationIds.get(op) ?? 0,
      method: op.method,
      path,
      status: typeof outcome === 'number' ? outcome : undefined,
      attempt,
      durationMs,
    });
  }

  /** The token for one attempt, as an IdpError when it cannot be had. */
  async function token(op: Operation<unknown>, signal: AbortSignal | undefined): Promise<string> {
    const tokens = options.tokens;
    if (!tokens) throw new IdpAuthError(`${op.name}: no token provider`);
    try {
      return await tokens.getToken(signal ? { signal } : undefined);
    } catch (error) {
      if (signal?.aborted || error instanceof IdpError) throw error;
      if (error instanceof AuthError) {
        throw new IdpAuthError(error.message, {
          ...(error.status !== undefined ? { status: error.status } : {}),
          ...(error.oauthError !== undefined ? { oauthError: error.oauthError } : {}),
          cause: error,
        });
      }
      throw new IdpAuthError(`${op.name}: the token provider failed: ${describe(error)}`, { cause: error });
    }
  }

  async function run<T>(op: Operation<T>, call: CallOptions = {}): Promise<{ value: T; response: Response }> {
    if (op.auth) checkTrustedOrigin(op.url, options.trustedOrigins, op.name);
    if (logger) operationIds.set(op, ++operations);
    const retry =
      call.retry === undefined
        ? options.retry
        : call.retry === false
          ? { ...options.retry, maxRetries: 0 }
          : { ...options.retry, ...call.retry };
    const attemptTimeoutMs = call.attemptTimeoutMs ?? options.attemptTimeoutMs;
    const deadlineMs = call.deadlineMs ?? options.deadlineMs;

    // One signal for the whole call: the caller's, plus the deadline. Built only when needed (hot path).
    let signal = call.signal;
    let deadline: ReturnType<typeof setTimeout> | undefined;
    let unlinkCaller: (() => void) | undefined;
    if (deadlineMs !== undefined) {
      const linked = linkedAbort(call.signal);
      deadline = setTimeout(() => linked.controller.abort(new DeadlinePassed()), deadlineMs);
      unlinkCaller = linked.unlink;
      signal = linked.controller.signal;
    }

    const info: OperationInfo | undefined = hooked
      ? {
          name: op.name,
          method: op.method,
          url: withoutQuery(op.url),
          ...(op.parent ? { parent: op.parent } : {}),
          state: new Map(),
        }
      : undefined;
    if (info) hook('operationStart', info);
    try {
      const result = await attempts(op, call, signal, retry, attemptTimeoutMs, info);
      if (info) hook('operationEnd', info, { status: result.response.status });
      return result;
    } catch (thrown) {
      let error = scrubError(thrown, options.redactor);
      if (signal?.aborted) {
        error =
          signal.reason instanceof DeadlinePassed
            ? new IdpRequestTimeoutError(
                `${op.name}: no result within its deadline of ${deadlineMs} ms (token, retries and waits included)`,
              )
            : new IdpAbortError(op.name, signal.reason);
        scrubError(error, options.redactor);
      }
      if (info) hook('operationEnd', info, { error });
      throw error;
    } finally {
      clearTimeout(deadline);
      unlinkCaller?.();
    }
  }

  /**
   * A GET follows a redirect within the trusted origins, up to MAX_REDIRECTS hops; anything else
   * (an upload, another method, a foreign origin, no Location) is the error, and nothing is sent to
   * the target. Returns the first answer that is not a redirect.
   */
  async function follow(
    op: Operation<unknown>,
    first: Response,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<Response | IdpRedirectError> {
    let response = first;
    let from = op.url;
    for (let hops = 0; isRedirect(response.status); hops++) {
      const target = redirectTarget(response, from);
      await response.body?.cancel();
      const refusal =
        op.method !== 'GET'
          ? op.idempotent
            ? 'method'
            : 'upload'
          : target === undefined || !isTrustedUrl(target, options.trustedOrigins)
            ? 'untrusted'
            : hops >= MAX_REDIRECTS
              ? 'too many'
              : undefined;
      if (refusal !== undefined || target === undefined) {
        return redirectError(op.name, response, withoutQuery(op.url), target, refusal ?? 'untrusted');
      }
      from = target.href;
      response = await options.fetch(from, { method: 'GET', headers, signal, redirect: 'manual' });
    }
    return response;
  }

  /**
   * Reads an answer under the body cap. A reader that swallowed the cap's error (a submit's JSON
   * fallback) still fails with it: the cap is asked, not the reader.
   */
  async function readCapped<R>(
    op: Operation<unknown>,
    response: Response,
    read: (capped: Response) => Promise<R>,
  ): Promise<R> {
    const limited = limitBody(response, options.maxResponseBytes, op.name);
    let value: R;
    try {
      value = await read(limited.response);
    } catch (error) {
      throw limited.exceeded() ?? error;
    }
    const exceeded = limited.exceeded();
    if (exceeded) throw exceeded;
    return value;
  }

  async function attempts<T>(
    op: Operation<T>,
    call: CallOptions,
    signal: AbortSignal | undefined,
    retry: Required<RetryOptions>,
    attemptTimeoutMs: number,
    info: OperationInfo | undefined,
  ): Promise<{ value: T; response: Response }> {
    signal?.throwIfAborted();
    const expect = op.expect;
    let replayed = false;
    let retries = 0;
    for (let number = 1; ; number++) {
      const canRetry = retries < retry.maxRetries;
      const basic = op.auth && op.basic ? options.basic : undefined;
      const bearer = op.auth && !basic ? await token(op, signal) : undefined;
      const headers: Record<string, string> = {
        'User-Agent': options.userAgent,
        ...op.headers,
        ...call.headers,
      };
      const attemptInfo: AttemptInfo | undefined = info
        ? { operation: info, attempt: number, headers, state: new Map() }
        : undefined;
      if (attemptInfo) hook('attemptStart', attemptInfo);
      if (bearer !== undefined) headers.Authorization = `Bearer ${bearer}`;
      else if (basic) headers.Authorization = basic.header();

      // The attempt's own timer, and the call's signal (caller, deadline) passed through.
      // Shared fan-out: concurrent calls on one caller's signal add one listener to it, not one each.
      const { controller, unlink } = linkedAbort(signal);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort(new DOMException(`no answer within ${attemptTimeoutMs} ms`, 'TimeoutError'));
      }, attemptTimeoutMs);
      const started = performance.now();
      const sentAt = Date.now();
      let response: Response | undefined;
      try {
        response = await options.fetch(op.url, {
          method: op.method,
          headers,
          ...(op.body ? { body: op.body() } : {}),
          signal: controller.signal,
          // Never followed by fetch: it would re-send an upload, and to any origin (see redirects.ts).
          redirect: 'manual',
        });
        if (op.redirect === undefined && isRedirect(response.status)) {
          const followed = await follow(op, response, headers, controller.signal);
          if (followed instanceof IdpRedirectError) {
            log(op, number, started, response.status);
            if (attemptInfo) hook('attemptEnd', attemptInfo, { status: response.status });
            throw followed;
          }
          response = followed;
        }
        const status = response.status;
        if (status === 401 && bearer !== undefined && !replayed && options.tokens) {
          // The 401 rule: drop that token, try once more with a fresh one (not counted as a retry).
          replayed = true;
          options.tokens.invalidate(bearer);
          await response.body?.cancel();
          log(op, number, started, status);
          if (attemptInfo) hook('attemptEnd', attemptInfo, { status });
          continue;
        }
        const listed = Array.isArray(expect)
          ? expect.includes(status)
          : expect === undefined && status >= 200 && status < 300;
        if (!listed) {
          const retryable = op.idempotent ? RETRYABLE_STATUSES.has(status) : status === 429;
          if (retryable && canRetry) {
            const asked = parseRetryAfter(response.headers.get('retry-after'));
            const delay = Math.min(asked ?? backoffDelay(retries, retry), retry.maxDelayMs);
            await response.body?.cancel();
            log(op, number, started, status);
            if (attemptInfo) hook('attemptEnd', attemptInfo, { status });
            logger?.warn?.(
              `${label(op)} ${op.method} ${new URL(op.url).pathname}: HTTP ${status}; retrying in ${delay} ms (${retries + 1}/${retry.maxRetries})`,
            );
            clearTimeout(timer);
            retries++;
            await sleep(delay, signal);
            continue;
          }
          // 'any': the operation reads whatever the last answer is (raw; the token's own errors).
          if (expect !== 'any') {
            const text = await readCapped(op, response, (capped) => capped.text());
            log(op, number, started, status);
            if (attemptInfo) hook('attemptEnd', attemptInfo, { status });
            throw apiError(op.name, response, jsonOrText(text), withoutQuery(op.url), op.advice?.(status));
          }
        }
        const value = await readCapped(op, response, (capped) => op.read(capped, { sentAt, number }));
        log(op, number, started, status);
        if (attemptInfo) hook('attemptEnd', attemptInfo, { status });
        return { value, response };
      } catch (error) {
        // First: the hooks, the log lines and the messages built below see it redacted.
        scrubError(error, options.redactor);
        if (error instanceof IdpError || error instanceof AuthError || signal?.aborted) {
          if (attemptInfo && response === undefined) hook('attemptEnd', attemptInfo, { error });
          throw error;
        }
        if (response === undefined && isUnsendable(error)) {
          if (attemptInfo) hook('attemptEnd', attemptInfo, { error });
          throw new IdpValidationError(`${op.name}: the request cannot be sent: ${describe(error)}`, {
            cause: error,
          });
        }
        // Network error, or a body cut or stalled after the headers: a failed attempt.
        const what = timedOut ? `no answer within ${attemptTimeoutMs} ms` : describe(error);
        log(op, number, started, what);
        if (attemptInfo) hook('attemptEnd', attemptInfo, { error });
        const refused = isConnectionRefused(error);
        if (canRetry && (op.idempotent || refused)) {
          logger?.warn?.(
            `${label(op)} ${op.method} ${new URL(op.url).pathname}: ${what}; retrying (${retries + 1}/${retry.maxRetries})`,
          );
          clearTimeout(timer);
          await sleep(backoffDelay(retries, retry), signal);
          retries++;
          continue;
        }
        const tries = `${number} attempt${number === 1 ? '' : 's'}`;
        const failed = timedOut
          ? new IdpRequestTimeoutError(`${op.method} ${new URL(op.url).pathname}: ${what} (${tries})`, {
              cause: error,
            })
          : new IdpConnectionError(
              `${op.method} ${new URL(op.url).pathname} failed after ${tries}: ${what}`,
              { cause: error, refused },
            );
        throw op.transportFailure
          ? op.transportFailure(failed, { refused, attempts: number, reason: what })
          : failed;
      } finally {
        clearTimeout(timer);
        unlink();
      }
    }
  }

  async function compose<T>(
    meta: { name: string; method: string; url: string },
    body: (parent: OperationInfo | undefined) => Promise<T>,
  ): Promise<T> {
    const info: OperationInfo | undefined = hooked
      ? { name: meta.name, method: meta.method, url: withoutQuery(meta.url), state: new Map() }
      : undefined;
    if (info) hook('operationStart', info);
    try {
      const value = await body(info);
      if (info) hook('operationEnd', info, {});
      return value;
    } catch (error) {
      // A wait's own errors (its timeout names the last status the server chose) are redacted too.
      scrubError(error, options.redactor);
      if (info) hook('operationEnd', info, { error });
      throw error;
    }
  }

  return { run, compose, options };
}
