import { authMiddleware, clientCredentials, retryOn401, type TokenProvider } from '@idp-kit/auth';
import createClient, { type Client } from 'openapi-fetch';
import { IdpApiError, IdpConnectionError, IdpError, IdpTimeoutError, IdpValidationError } from './errors.js';
import type { Logger } from './logger.js';
import { MULESOFT_MIN_INTERVAL_MS, type PollOptions, pollUntilDone } from './poll.js';
import { isKnownStatus } from './status.js';
import { prepareSubmission, type SubmitInput, type SubmitResult } from './submit.js';
import { createTransport, DEFAULT_RETRY, isConnectionRefused, type RetryOptions } from './transport.js';
import type { Execution, ExecutionRef, Problem, paths } from './types.js';
import { assertExecutionRef, assertUuid, secureUrl } from './validate.js';
import { VERSION } from './version.js';

/**
 * Base URLs of the IDP runtime, by region.
 *
 * @example
 * ```ts
 * REGION_BASE_URLS['eu-central-1']; // 'https://idp-rt.eu-central-1.eu1.anypoint.mulesoft.com'
 * ```
 */
export const REGION_BASE_URLS = {
  'us-east-1': 'https://idp-rt.us-east-1.anypoint.mulesoft.com',
  'eu-central-1': 'https://idp-rt.eu-central-1.eu1.anypoint.mulesoft.com',
} as const;

/**
 * An IDP region: only these two exist.
 *
 * @example
 * ```ts
 * createIdpClient({ organizationId, auth, region: 'eu-central-1' satisfies IdpRegion });
 * ```
 */
export type IdpRegion = keyof typeof REGION_BASE_URLS;

/**
 * Client id and secret of an Anypoint connected app; `tokenUrl` overrides the region's control plane.
 *
 * @example
 * ```ts
 * createIdpClient({ organizationId, auth: { clientId, clientSecret } });
 * ```
 */
export interface ClientCredentialsAuth {
  clientId: string;
  clientSecret: string;
  tokenUrl?: string;
}

/**
 * Options of `createIdpClient()`; every one is checked when the client is created.
 *
 * @example
 * ```ts
 * const options: IdpClientOptions = { organizationId, region: 'eu-central-1', auth: { clientId, clientSecret } };
 * ```
 */
export interface IdpClientOptions {
  /** The business group that owns the document actions (the parent organization gives 404). */
  organizationId: string;
  /** IDP region; default `us-east-1`. Also picks the token's control plane (eu-central-1 → eu). */
  region?: IdpRegion;
  /** Overrides `region` (a mock or a proxy): https, or http to a loopback host. */
  baseUrl?: string;
  /** A `TokenProvider`, or the connected app's credentials (then `clientCredentials()` is used). */
  auth: TokenProvider | ClientCredentialsAuth;
  /** Retries of failed requests; `false` turns them off. Default: 3 retries, 500 ms base, 30 s cap. */
  retry?: RetryOptions | false;
  /** Timeout of each attempt, reading the body included; default 30 s. */
  timeoutMs?: number;
  /** A fetch implementation; default the global one. Used for tokens too when `auth` is credentials. */
  fetch?: typeof fetch;
  /** `User-Agent` header; default `idp-kit/<version>`. */
  userAgent?: string;
  /** Receives one debug line per HTTP attempt and warnings; never the Authorization header. */
  logger?: Logger;
}

/**
 * Options of `getExecution()`.
 *
 * @example
 * ```ts
 * await idp.getExecution(ref, { valueOnly: false, signal: AbortSignal.timeout(60_000) });
 * ```
 */
export interface GetExecutionOptions<ValueOnly extends boolean> {
  /** `true` (the service default) sends values only; `false` adds `confidenceScore` and `geometry`. */
  valueOnly?: ValueOnly;
  signal?: AbortSignal;
}

/**
 * Options of `waitForExecution()`: those of `getExecution()` plus the polling ones.
 *
 * @example
 * ```ts
 * await idp.waitForExecution(ref, { until: 'final', timeoutMs: 30 * 60_000, onProgress: (e) => console.log(e.status) });
 * ```
 */
export interface WaitForExecutionOptions<ValueOnly extends boolean>
  extends GetExecutionOptions<ValueOnly>,
    PollOptions<Execution<ValueOnly>> {}

/**
 * A client for one organization of the IDP runtime API; see `createIdpClient()`.
 *
 * @example
 * ```ts
 * const idp: IdpClient = createIdpClient({ organizationId, auth });
 * const execution = await idp.getExecution(ref);
 * ```
 */
export interface IdpClient {
  /**
   * Retrieves an execution's status and, once available, its results. Retried on network errors,
   * 408, 429 and 5xx. A FAILED execution resolves; only transport, auth and timeout problems reject.
   */
  getExecution<ValueOnly extends boolean = true>(
    ref: ExecutionRef,
    options?: GetExecutionOptions<ValueOnly>,
  ): Promise<Execution<ValueOnly>>;
  /**
   * Polls until the execution settles (default) or is final. First poll at once, then every 10 s growing
   * to 60 s; never more often than every 10 s against MuleSoft hosts.
   */
  waitForExecution<ValueOnly extends boolean = true>(
    ref: ExecutionRef,
    options?: WaitForExecutionOptions<ValueOnly>,
  ): Promise<Execution<ValueOnly>>;
  /** Submits a document. Retried only when the server surely did not act on it (connection refused, 429). */
  submitExecution(input: SubmitInput): Promise<SubmitResult>;
  /** The openapi-fetch client (auth, retries and timeouts included), for anything else. */
  readonly raw: Client<paths>;
  /** The base URL requests go to. */
  readonly baseUrl: string;
  readonly organizationId: string;
}

const EXECUTION_PATH =
  '/api/v1/organizations/{organizationId}/actions/{actionId}/versions/{actionVersion}/executions/{executionId}';
type ExecutionOperation = paths[typeof EXECUTION_PATH]['get'];
type ExecutionQuery = NonNullable<ExecutionOperation['parameters']['query']>;
const SUBMIT_PATH =
  '/api/v1/organizations/{organizationId}/actions/{actionId}/versions/{actionVersion}/executions';
// Errors come as problem+json: asking for JSON alone would invite a 406 or another representation.
const ACCEPT = 'application/json, application/problem+json';
const REQUEST_ID_HEADERS = ['x-request-id', 'x-correlation-id', 'x-amzn-requestid', 'x-b3-traceid'];
const MAYBE_CREATED =
  'The execution may or may not have been created: resubmitting can create a duplicate (each page costs credits). ' +
  "Check the document action's executions in Anypoint IDP before submitting again.";

function isTokenProvider(auth: unknown): auth is TokenProvider {
  return (
    typeof auth === 'object' &&
    auth !== null &&
    typeof (auth as TokenProvider).getToken === 'function' &&
    typeof (auth as TokenProvider).invalidate === 'function'
  );
}

function resolveAuth(options: IdpClientOptions): TokenProvider {
  const { auth } = options;
  if (isTokenProvider(auth)) return auth;
  if (typeof auth !== 'object' || auth === null) {
    throw new IdpValidationError(
      'auth is required: a TokenProvider, or { clientId, clientSecret } of an Anypoint connected app',
    );
  }
  try {
    return clientCredentials({
      clientId: auth.clientId,
      clientSecret: auth.clientSecret,
      controlPlane: options.region === 'eu-central-1' ? 'eu' : 'us',
      ...(auth.tokenUrl !== undefined ? { tokenUrl: auth.tokenUrl } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  } catch (error) {
    if (error instanceof TypeError)
      throw new IdpValidationError(error.message.replace('clientCredentials:', 'auth:'));
    throw error;
  }
}

function resolveRetry(retry: IdpClientOptions['retry']): Required<RetryOptions> {
  if (retry === false) return { ...DEFAULT_RETRY, maxRetries: 0 };
  const resolved = { ...DEFAULT_RETRY, ...retry };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isFinite(value) || value < 0) {
      throw new IdpValidationError(`retry.${name} must be a number ≥ 0, got ${value}`);
    }
  }
  return { ...resolved, maxRetries: Math.floor(resolved.maxRetries) };
}

function excerpt(text: string): string {
  const plain = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > 160 ? `${plain.slice(0, 157)}…` : plain;
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isProblem(value: unknown): value is Problem {
  return (
    typeof value === 'object' &&
    value !== null &&
    (typeof (value as Problem).title === 'string' || typeof (value as Problem).detail === 'string')
  );
}

const ADVICE: Record<number, string> = {
  401: 'The token was refused, also a fresh one: check that the connected app has the scope "Execute Published Actions".',
  403: 'Check that the connected app has the scope "Execute Published Actions" and access to this business group.',
  404: 'Check the ids and version, and that organizationId is the business group that owns the action (the parent organization gives 404). Results of a successful execution are kept 24 hours.',
  406: 'The service cannot answer in an acceptable representation.',
  429: 'Rate limited (requests per minute per IP), also after retries: slow down and try again later.',
};

/** What a failed submit means for the user: each page costs credits, so say whether anything was created. */
const SUBMIT_ADVICE: Record<number, string> = {
  400: 'The service refused the upload, and nothing was created: send one PDF, PNG, JPG or TIFF file whose name carries its extension.',
  404: 'Nothing was created: check actionId and actionVersion (the published version, e.g. 1.1.0) and that organizationId is the business group that owns the action.',
  413: 'The document is larger than the service accepts (15 MB, 150 pages), and nothing was created: split or compress it, then submit again.',
  415: 'The service does not take this file type, and nothing was created: send a PDF, PNG, JPG or TIFF.',
};

function apiError(
  operation: string,
  response: Response,
  body: unknown,
  url: string,
  advice?: string,
): IdpApiError {
  const { status } = response;
  const problem = isProblem(body) ? body : undefined;
  const requestId = REQUEST_ID_HEADERS.map((h) => response.headers.get(h)).find((v) => v) ?? undefined;
  const parts = [`${operation} failed: HTTP ${status}`];
  if (problem?.title) parts.push(` ${problem.title}`);
  if (problem?.detail) parts.push(` — ${problem.detail}`);
  if (!problem && typeof body === 'string' && body.trim()) {
    parts.push(` — ${response.headers.get('content-type') ?? 'untyped'} body: "${excerpt(body)}"`);
  }
  if (requestId) parts.push(` (request id ${requestId})`);
  const hint =
    advice ??
    ADVICE[status] ??
    (status >= 500 ? 'The service failed, also after retries: try again later.' : '');
  if (hint) parts.push(`. ${hint}`);
  return new IdpApiError(parts.join(''), {
    status,
    operation,
    url,
    ...(problem ? { problem } : {}),
    ...(requestId ? { requestId } : {}),
  });
}

/** Says, for a submit that failed in transport, whether the execution may exist. */
function submitFailure(error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted || !(error instanceof IdpError)) return error;
  if (error instanceof IdpConnectionError && isConnectionRefused(error.cause)) {
    return new IdpConnectionError(`submitExecution: ${error.message}. Nothing was sent.`, { cause: error });
  }
  const Kind = error instanceof IdpTimeoutError ? IdpTimeoutError : IdpConnectionError;
  return new Kind(`submitExecution: ${error.message}. ${MAYBE_CREATED}`, { cause: error });
}

/**
 * Creates a client for the IDP runtime API. Options are checked here: a bad one throws
 * `IdpValidationError` before anything is sent.
 *
 * @example
 * ```ts
 * const idp = createIdpClient({
 *   organizationId: '01f79c97-9a83-4194-b922-15b64fd7305e',
 *   auth: { clientId: process.env.IDP_CLIENT_ID!, clientSecret: process.env.IDP_CLIENT_SECRET! },
 * });
 * const execution = await idp.waitForExecution({ actionId, actionVersion: '1.1.0', executionId });
 * ```
 */
export function createIdpClient(options: IdpClientOptions): IdpClient {
  if (typeof options !== 'object' || options === null) {
    throw new IdpValidationError('createIdpClient expects { organizationId, auth, region? | baseUrl? }');
  }
  const { organizationId, region, logger } = options;
  assertUuid('organizationId', organizationId);
  if (region !== undefined && !Object.hasOwn(REGION_BASE_URLS, region)) {
    throw new IdpValidationError(
      `region must be one of ${Object.keys(REGION_BASE_URLS).join(', ')} (the only IDP regions), got ${JSON.stringify(region)}`,
    );
  }
  const base = secureUrl('baseUrl', options.baseUrl ?? REGION_BASE_URLS[region ?? 'us-east-1']);
  const baseUrl = base.href.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new IdpValidationError(`timeoutMs must be a number of milliseconds > 0, got ${timeoutMs}`);
  }
  const retry = resolveRetry(options.retry);
  const auth = resolveAuth(options);
  const minIntervalMs = /(^|\.)mulesoft\.com$/i.test(base.hostname) ? MULESOFT_MIN_INTERVAL_MS : 0;

  const fetchImpl = options.fetch ?? globalThis.fetch;
  const userAgent = options.userAgent ?? `idp-kit/${VERSION}`;
  const transport = createTransport({ fetch: fetchImpl, retry, timeoutMs, logger });
  const raw = createClient<paths>({ baseUrl, headers: { 'User-Agent': userAgent }, fetch: transport.fetch });
  raw.use(authMiddleware(auth));

  const warned = new Set<string>();
  const warnOnce = (message: string) => {
    if (warned.has(message)) return;
    warned.add(message);
    logger?.warn?.(message);
  };

  const actionsPrefix = `/api/v1/organizations/${organizationId}/actions/`;
  /**
   * The retrieval hot path. It sends with fetch directly rather than through openapi-fetch's request
   * pipeline (which costs ~30% of a loopback call: apps/bench), with the same auth, retry and timeout
   * rules; the types still come from the generated `paths`.
   */
  async function fetchExecution<V extends boolean>(
    ref: ExecutionRef,
    valueOnly: boolean,
    signal?: AbortSignal,
  ) {
    const path = `${actionsPrefix}${encodeURIComponent(ref.actionId)}/versions/${encodeURIComponent(ref.actionVersion)}/executions/${encodeURIComponent(ref.executionId)}`;
    const url = `${baseUrl}${path}?valueOnly=${valueOnly satisfies ExecutionQuery['valueOnly']}`;
    const exchange = (token: string) =>
      transport.run({
        method: 'GET',
        path,
        idempotent: true,
        signal,
        send: (attemptSignal) =>
          fetchImpl(url, {
            headers: {
              Authorization: `Bearer ${token}`,
              'User-Agent': userAgent,
              Accept: ACCEPT,
            },
            signal: attemptSignal,
          }),
        read: (response) => response.text(),
      });
    const token = await auth.getToken(signal ? { signal } : undefined);
    let result = await exchange(token);
    if (result.status === 401) result = await retryOn401(auth, result, token, exchange, signal);
    const { response, value: data } = result;
    if (!response.ok) throw apiError('getExecution', response, jsonOrText(data), url);
    const unexpected = (what: string) =>
      apiError(
        'getExecution',
        response,
        undefined,
        url,
        `${what}: a proxy or the wrong baseUrl may be answering.`,
      );
    if (!data) throw unexpected('The body is empty');
    let body: unknown;
    try {
      body = JSON.parse(data);
    } catch {
      throw unexpected(
        `The body is not JSON (${response.headers.get('content-type') ?? 'no content type'}: "${excerpt(data)}")`,
      );
    }
    if (
      typeof body !== 'object' ||
      body === null ||
      typeof (body as { status?: unknown }).status !== 'string'
    ) {
      throw unexpected('The body is not an execution (no status)');
    }
    const execution = body as Execution<V>;
    if (!isKnownStatus(execution.status)) {
      warnOnce(`getExecution: unknown status ${JSON.stringify(execution.status)}; treated as not settled`);
    }
    return { execution, response };
  }

  return {
    raw,
    baseUrl,
    organizationId,

    async getExecution<V extends boolean = true>(
      ref: ExecutionRef,
      callOptions: GetExecutionOptions<V> = {},
    ) {
      assertExecutionRef(ref);
      const { execution } = await fetchExecution<V>(ref, callOptions.valueOnly ?? true, callOptions.signal);
      return execution;
    },

    async waitForExecution<V extends boolean = true>(
      ref: ExecutionRef,
      waitOptions: WaitForExecutionOptions<V> = {},
    ) {
      assertExecutionRef(ref);
      const valueOnly = waitOptions.valueOnly ?? true;
      return pollUntilDone<Execution<V>>((signal) => fetchExecution<V>(ref, valueOnly, signal), waitOptions, {
        minIntervalMs,
        warnOnce,
        logger,
      });
    },

    async submitExecution(input) {
      const { file, callback } = prepareSubmission(input);
      const { actionId, actionVersion, fileName } = input;
      const url = `${baseUrl}/api/v1/organizations/${organizationId}/actions/${actionId}/versions/${actionVersion}/executions`;
      const { data, error, response } = await raw
        .POST(SUBMIT_PATH, {
          params: {
            path: { organizationId, actionId, actionVersion },
            ...(input.salesforceOrgId ? { header: { 'x-sfdc-core-tenant-id': input.salesforceOrgId } } : {}),
          },
          body: { file, ...(callback ? { callback } : {}) },
          bodySerializer(body) {
            const form = new FormData();
            form.set('file', body.file, fileName);
            if (body.callback) form.set('callback', body.callback);
            return form;
          },
          ...(input.signal ? { signal: input.signal } : {}),
        })
        .catch((failure: unknown) => {
          throw submitFailure(failure, input.signal);
        });
      if (!response.ok) {
        const advice = response.status >= 500 ? MAYBE_CREATED : SUBMIT_ADVICE[response.status];
        throw apiError('submitExecution', response, error, url, advice);
      }
      if (!data || typeof data.id !== 'string') {
        throw apiError(
          'submitExecution',
          response,
          undefined,
          url,
          `The answer carries no execution id. ${MAYBE_CREATED}`,
        );
      }
      return {
        executionId: data.id,
        documentName: data.documentName,
        ...(data.status !== undefined ? { status: data.status } : {}),
      };
    },
  };
}
