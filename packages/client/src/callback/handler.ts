import type { IdpClient } from '../client.js';
import { IdpValidationError } from '../errors.js';
import type { Execution, ExecutionRef } from '../types.js';
import { assertUuid, assertVersion } from '../validate.js';
import { ACTION_PARAM, NONCE_PARAM, VERSION_PARAM } from './callback-url.js';

/**
 * Largest callback body accepted (IDP's is a few hundred bytes).
 *
 * @example
 * ```ts
 * MAX_CALLBACK_BYTES; // 16384: larger callbacks get 413
 * ```
 */
export const MAX_CALLBACK_BYTES = 16 * 1024;

/**
 * Options of `createCallbackHandler()`.
 *
 * @example
 * ```ts
 * createCallbackHandler({ client: idp, secret, onResult: save, onError: (e) => log.error(e), valueOnly: false });
 * ```
 */
export interface CallbackHandlerOptions<ValueOnly extends boolean = true> {
  /** Fetches the execution named in the callback: its answer, not the callback's claims, is what counts. */
  client: Pick<IdpClient, 'getExecution'>;
  /** The secret given to `callbackUrl()`. */
  secret: string;
  /** Receives each fetched execution. Runs after IDP has been answered. */
  onResult: (execution: Execution<ValueOnly>, ref: ExecutionRef) => void | Promise<void>;
  /** Receives failures after IDP was answered: the fetch failed, or `onResult` threw. Default: ignored. */
  onError?: (error: unknown, ref: ExecutionRef) => void;
  valueOnly?: ValueOnly;
  /** How long the sender may take to deliver the body (408 after); default 10 s. */
  bodyTimeoutMs?: number;
}

/**
 * A fetch-style handler; `settled()` resolves when every accepted callback has been processed.
 *
 * @example
 * ```ts
 * const handler: CallbackHandler = createCallbackHandler({ client, secret, onResult });
 * await handler.settled(); // before shutting down
 * ```
 */
export interface CallbackHandler {
  (request: Request): Promise<Response>;
  settled(): Promise<void>;
}

const encoder = new TextEncoder();

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/** Equal in time independent of where the strings differ (both sides are hashed to equal length). */
async function sameSecret(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([digest(given), digest(expected)]);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

function problem(
  status: number,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ status, title, detail }), {
    status,
    headers: { 'Content-Type': 'application/problem+json', ...headers },
  });
}

/**
 * How long a sender may take to deliver the body: a slow drip must not hold the receiver.
 *
 * @example
 * ```ts
 * createCallbackHandler({ client, secret, onResult, bodyTimeoutMs: CALLBACK_BODY_TIMEOUT_MS / 2 });
 * ```
 */
export const CALLBACK_BODY_TIMEOUT_MS = 10_000;

/** Reads at most `limit` bytes within `timeoutMs`: the text, or why not. */
async function readLimited(
  request: Request,
  limit: number,
  timeoutMs: number,
): Promise<string | 'too large' | 'too slow'> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slow = new Promise<'too slow'>((resolve) => {
    timer = setTimeout(() => resolve('too slow'), timeoutMs);
  });
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), slow]);
      if (next === 'too slow') {
        void reader.cancel().catch(() => {});
        return next;
      }
      if (next.done) break;
      size += next.value.byteLength;
      if (size > limit) {
        void reader.cancel().catch(() => {});
        return 'too large';
      }
      chunks.push(next.value);
    }
  } finally {
    clearTimeout(timer);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/**
 * A receiver for IDP's execution callbacks, as a fetch-style `(Request) => Promise<Response>` (use
 * `toNodeHandler()` with node:http). It accepts PATCH and POST, checks the nonce in constant time (401),
 * limits the body to 16 KB (413) and 10 s (408), wants JSON with a UUID `executionId` (400), answers 204 at once, then
 * fetches the execution with `client` and hands it to `onResult`. Nothing in the body is trusted.
 *
 * @example
 * ```ts
 * const handler = createCallbackHandler({
 *   client: idp,
 *   secret: process.env.IDP_CALLBACK_SECRET!,
 *   onResult: (execution) => console.log(execution.status),
 * });
 * createServer(toNodeHandler(handler)).listen(8080);
 * ```
 */
export function createCallbackHandler<ValueOnly extends boolean = true>(
  options: CallbackHandlerOptions<ValueOnly>,
): CallbackHandler {
  const { client, secret, onResult, onError, valueOnly } = options;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? CALLBACK_BODY_TIMEOUT_MS;
  if (typeof secret !== 'string' || secret.length < 16) {
    throw new IdpValidationError('the callback secret must be at least 16 characters of random text');
  }
  if (typeof onResult !== 'function') throw new IdpValidationError('onResult is required');
  const pending = new Set<Promise<void>>();

  async function processCallback(ref: ExecutionRef): Promise<void> {
    try {
      const execution = await client.getExecution<ValueOnly>(
        ref,
        valueOnly === undefined ? {} : { valueOnly },
      );
      await onResult(execution, ref);
    } catch (error) {
      try {
        onError?.(error, ref);
      } catch {
        // an onError that throws must not become an unhandled rejection
      }
    }
  }

  const handler = async (request: Request): Promise<Response> => {
    if (request.method !== 'PATCH' && request.method !== 'POST') {
      return problem(405, 'Method Not Allowed', 'IDP callbacks are PATCH (or POST)', {
        Allow: 'PATCH, POST',
      });
    }
    const url = new URL(request.url);
    if (!(await sameSecret(url.searchParams.get(NONCE_PARAM) ?? '', secret))) {
      await request.body?.cancel().catch(() => {});
      return problem(401, 'Unauthorized', 'missing or wrong nonce');
    }
    const type = request.headers.get('content-type');
    if (type !== null && !/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
      await request.body?.cancel().catch(() => {});
      return problem(415, 'Unsupported Media Type', 'the callback body must be JSON');
    }
    const declared = Number(request.headers.get('content-length') ?? 0);
    if (declared > MAX_CALLBACK_BYTES) {
      await request.body?.cancel().catch(() => {});
      return problem(413, 'Content Too Large', `at most ${MAX_CALLBACK_BYTES} bytes`);
    }
    const text = await readLimited(request, MAX_CALLBACK_BYTES, bodyTimeoutMs);
    if (text === 'too large') return problem(413, 'Content Too Large', `at most ${MAX_CALLBACK_BYTES} bytes`);
    if (text === 'too slow') return problem(408, 'Request Timeout', `the body took over ${bodyTimeoutMs} ms`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return problem(400, 'Bad Request', 'the body is not JSON');
    }
    const claims = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    let ref: ExecutionRef;
    try {
      assertUuid('executionId', claims.executionId);
      const actionId = url.searchParams.get(ACTION_PARAM) ?? claims.actionId;
      const actionVersion = url.searchParams.get(VERSION_PARAM) ?? claims.version ?? claims.actionVersion;
      assertUuid('actionId', actionId);
      assertVersion('version', actionVersion);
      ref = { actionId, actionVersion, executionId: claims.executionId };
    } catch (error) {
      return problem(400, 'Bad Request', (error as Error).message);
    }
    const work = processCallback(ref).finally(() => pending.delete(work));
    pending.add(work);
    return new Response(null, { status: 204 });
  };

  return Object.assign(handler, {
    settled: async () => {
      while (pending.size > 0) await Promise.all(pending);
    },
  });
}
