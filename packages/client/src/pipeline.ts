import type { TokenProvider } from '@idp-kit/auth';
import { sleep } from '@idp-kit/http';
import type { Admit } from './admit.js';
import { apiError, jsonOrText } from './api-error.js';
import { type IdpError, IdpRedirectError, IdpValidationError } from './errors.js';
import type { IdpHooks, OperationInfo } from './hooks.js';
import type { Logger } from './logger.js';
import { type AttemptScope, openAttempt } from './pipeline/attempt.js';
import { retryDelay, retrySettings } from './pipeline/backoff.js';
import { type CallScope, openCallScope } from './pipeline/call-scope.js';
import {
  classifyAnswer,
  classifyFailure,
  describeError,
  isConnectionRefused,
  transportError,
} from './pipeline/classify.js';
import { followRedirects } from './pipeline/follow.js';
import { pipelineLog } from './pipeline/log.js';
import { type ObservedOperation, pipelineHooks, withoutQuery } from './pipeline/observe.js';
import { readCapped, readShared } from './pipeline/read.js';
import { authorize } from './pipeline/token-stage.js';
import { checkTrustedOrigin } from './pipeline/trust.js';
import { scrubError } from './redaction.js';
import type { Redactor } from './redactor.js';
import { isRedirect } from './redirects.js';

export { isConnectionRefused } from './pipeline/classify.js';
export { checkTrustedOrigin } from './pipeline/trust.js';

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
  /**
   * What hooks that ask for the body may see of an answer (the token request's answer: its token
   * blanked). Every body handed to hooks is redacted besides.
   */
  hookBody?(text: string): string;
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
  /** Waited on before each attempt is sent (a rate budget); its wait is the call's, not the attempt's. */
  admit?: Admit;
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

/**
 * The one request pipeline. Its stages, each a module of `./pipeline/`, run in this order for every
 * attempt of every operation (`attempts()` below is the one place the order is written):
 *
 * 1. **token** (`token-stage.ts`): the attempt's `Authorization`, Basic or a bearer token;
 * 2. **hooks** (`observe.ts`): `attemptStart`, which may add headers (never sees the token);
 * 3. **attempt** (`attempt.ts`, `follow.ts`): fetch under the attempt's timeout and the call's signal,
 *    redirects taken by the pipeline's rule;
 * 4. **classify** (`classify.ts`): replay after a 401, retry, an API error, or read;
 * 5. **read** (`read.ts`): the body under the cap, inside the attempt's timeout; hooks that asked get
 *    a copy;
 * 6. **log** (`log.ts`) and **hooks**: one log line and one `attemptEnd` per attempt;
 * 7. **retry/backoff** (`backoff.ts`): `Retry-After` or jittered backoff, an abortable sleep.
 *
 * Around them, once per call: the trusted-origin check (`trust.ts`), the call's deadline and the
 * caller's signal (`call-scope.ts`), `operationStart`/`operationEnd` with the last answer, and the
 * redaction of every error that leaves.
 */
export function createPipeline(options: PipelineOptions): Pipeline {
  const { logger } = options;
  const hooks = pipelineHooks(options.hooks, (name, error) =>
    logger?.warn?.(
      `a ${name} hook threw (ignored): ${error instanceof Error ? error.message : String(error)}`,
    ),
  );
  const log = pipelineLog(logger);
  // Node's own fetch can be ended through its dispatcher, with no signal per attempt (attempt.ts).
  const viaDispatcher = options.fetch === globalThis.fetch;

  async function run<T>(op: Operation<T>, call: CallOptions = {}): Promise<{ value: T; response: Response }> {
    if (op.auth) checkTrustedOrigin(op.url, options.trustedOrigins, op.name);
    log.begin(op);
    const retry = retrySettings(options.retry, call.retry);
    const scope = openCallScope(call.signal, call.deadlineMs ?? options.deadlineMs);
    const observed = hooks.observe(op);
    try {
      const result = await attempts(op, call, scope, retry, observed);
      observed.end({ status: result.response.status });
      return result;
    } catch (thrown) {
      let error = scrubError(thrown, options.redactor);
      const ended = scope.ended(op.name);
      if (ended) error = scrubError(ended, options.redactor);
      observed.end({ error });
      throw error;
    } finally {
      scope.close();
    }
  }

  /** The attempts of one call, stage by stage (see `createPipeline`). */
  async function attempts<T>(
    op: Operation<T>,
    call: CallOptions,
    scope: CallScope,
    retry: Required<RetryOptions>,
    observed: ObservedOperation,
  ): Promise<{ value: T; response: Response }> {
    const { signal } = scope;
    signal?.throwIfAborted();
    const attemptTimeoutMs = call.attemptTimeoutMs ?? options.attemptTimeoutMs;
    let replayed = false;
    let retries = 0;
    for (let number = 1; ; number++) {
      const canRetry = retries < retry.maxRetries;
      const authorization = op.auth ? await authorize(op, options, signal) : undefined; // 1. token
      // A rate budget's turn: after the token (whose own request takes a turn of its own), before the
      // attempt's timeout starts, so that a wait in the queue never times an attempt out.
      await options.admit?.(
        { operation: op.name, method: op.method, url: withoutQuery(op.url), attempt: number },
        signal,
      );
      const headers = requestHeaders(op, call);
      const hooked = observed.attempt(number, headers); // 2. hooks (before the token joins the headers)
      if (authorization) headers.Authorization = authorization.header;
      const attempt = openAttempt(signal, attemptTimeoutMs, viaDispatcher); // 3. attempt
      // Only a logger reads the attempt's duration: no clock read for it otherwise (the hot path).
      const started = log.timed ? performance.now() : 0;
      const sentAt = Date.now();
      let response: Response | undefined;
      const end = (outcome: number | string, error?: unknown) => {
        log.attempt(op, number, started, outcome); // 6. log and hooks
        // Stryker disable next-line ConditionalExpression: without hooks, hooked.end is a no-op anyway
        if (observed.info === undefined) return; // no hooks: no outcome to build
        hooked.end(
          error === undefined && response !== undefined
            ? { status: response.status, response: { status: response.status, headers: response.headers } }
            : { error },
        );
      };
      try {
        response = await send(op, headers, attempt);
        if (op.redirect === undefined && isRedirect(response.status)) {
          const followed = await followRedirects(
            op,
            response,
            (url) => send(op, headers, attempt, url),
            options.trustedOrigins,
          );
          if (followed instanceof IdpRedirectError) {
            end(response.status);
            throw followed;
          }
          response = followed;
        }
        const status = response.status;
        const bearer = authorization?.bearer;
        switch (
          classifyAnswer(
            op,
            status,
            bearer !== undefined && !replayed && options.tokens !== undefined,
            canRetry,
          ) // 4. classify
        ) {
          case 'replay':
            // The 401 rule: drop that token, try once more with a fresh one (not counted as a retry).
            replayed = true;
            // Stryker disable next-line OptionalChaining: a bearer token implies a token provider
            options.tokens?.invalidate(bearer);
            // Stryker disable next-line OptionalChaining: a 401 always has a body stream
            await response.body?.cancel();
            end(status);
            continue;
          case 'retry': {
            const delay = retryDelay(retries, retry, response); // 7. retry/backoff
            // Stryker disable next-line OptionalChaining: a retryable answer always has a body stream
            await response.body?.cancel();
            end(status);
            log.retrying(op, `HTTP ${status}; retrying in ${delay} ms`, retries + 1, retry.maxRetries);
            attempt.close();
            retries++;
            await sleep(delay, signal);
            continue;
          }
          case 'error': {
            const text = await readAnswer(op, response, observed, (capped) => capped.text()); // 5. read
            end(status);
            throw apiError(op.name, response, jsonOrText(text), withoutQuery(op.url), op.advice?.(status));
          }
          case 'read': {
            const value = await readAnswer(op, response, observed, (capped) =>
              op.read(capped, { sentAt, number }),
            );
            end(status);
            return { value, response };
          }
        }
      } catch (error) {
        // First: the hooks, the log lines and the messages built below see it redacted.
        scrubError(error, options.redactor);
        const verdict = classifyFailure(op, error, {
          // Stryker disable next-line ConditionalExpression: only sending raises an invalid-header TypeError
          answered: response !== undefined,
          aborted: signal?.aborted === true,
          canRetry,
        });
        if (verdict === 'rethrow') {
          hooked.end({ error });
          throw error;
        }
        if (verdict === 'unsendable') {
          hooked.end({ error });
          throw new IdpValidationError(`${op.name}: the request cannot be sent: ${describeError(error)}`, {
            cause: error,
          });
        }
        // Network error, or a body cut or stalled after the headers: a failed attempt.
        const what = attempt.timedOut ? `no answer within ${attemptTimeoutMs} ms` : describeError(error);
        end(what, error);
        if (verdict === 'retry') {
          log.retrying(op, `${what}; retrying`, retries + 1, retry.maxRetries);
          attempt.close();
          await sleep(retryDelay(retries, retry), signal);
          retries++;
          continue;
        }
        const failed = transportError(op, error, { timedOut: attempt.timedOut, what, attempts: number });
        throw op.transportFailure
          ? op.transportFailure(failed, {
              refused: isConnectionRefused(error),
              attempts: number,
              reason: what,
            })
          : failed;
      } finally {
        attempt.close();
      }
    }
  }

  /** The attempt's headers: the client's, the operation's, the call's (a hook may add to them). */
  function requestHeaders(op: Operation<unknown>, call: CallOptions): Record<string, string> {
    const headers: Record<string, string> = { 'User-Agent': options.userAgent };
    // Plain assignments, not spreads: this runs for every attempt.
    // Stryker disable next-line ConditionalExpression: Object.assign of undefined adds nothing
    if (op.headers) Object.assign(headers, op.headers);
    // Stryker disable next-line ConditionalExpression: Object.assign of undefined adds nothing
    if (call.headers) Object.assign(headers, call.headers);
    return headers;
  }

  /** One request of an attempt: fetch never follows a redirect itself (see follow.ts). */
  function send(op: Operation<unknown>, headers: Record<string, string>, ending: AttemptScope, url?: string) {
    // Stryker disable next-line ConditionalExpression: only a GET is followed
    const init: RequestInit = { method: url === undefined ? op.method : 'GET', headers, redirect: 'manual' };
    // Stryker disable next-line ConditionalExpression: only a GET is followed, and a GET has no body
    if (url === undefined && op.body) init.body = op.body();
    // What ends the attempt: its dispatcher, or its signal (attempt.ts).
    // Stryker disable next-line ConditionalExpression: an undefined dispatcher is no dispatcher
    if (ending.dispatcher !== undefined) (init as { dispatcher?: unknown }).dispatcher = ending.dispatcher;
    // Stryker disable next-line ConditionalExpression: an undefined signal is no signal
    if (ending.signal !== undefined) init.signal = ending.signal;
    return options.fetch(url ?? op.url, init);
  }

  /**
   * The read stage: the operation's answer under the body cap. A hook that asked for the body gets a
   * copy of it, redacted (and through the operation's own filter: the token request's).
   */
  async function readAnswer<R>(
    op: Operation<unknown>,
    response: Response,
    observed: ObservedOperation,
    read: (capped: Response) => Promise<R>,
  ): Promise<R> {
    if (!observed.answer(response)) return readCapped(response, options.maxResponseBytes, op.name, read);
    const { text, copy } = await readShared(response, options.maxResponseBytes, op.name);
    observed.body(options.redactor.redact(op.hookBody ? op.hookBody(text) : text));
    return read(copy);
  }

  async function compose<T>(
    meta: { name: string; method: string; url: string },
    body: (parent: OperationInfo | undefined) => Promise<T>,
  ): Promise<T> {
    const observed = hooks.observe(meta);
    try {
      const value = await body(observed.info);
      observed.end({});
      return value;
    } catch (error) {
      // A wait's own errors (its timeout names the last status the server chose) are redacted too.
      scrubError(error, options.redactor);
      observed.end({ error });
      throw error;
    }
  }

  return { run, compose, options };
}
