import type { Client } from 'openapi-fetch';
import { IdpValidationError } from './errors.js';
import type { IdpHooks } from './hooks.js';
import {
  executionOperations,
  type GetExecutionOptions,
  type WaitForExecutionOptions,
} from './operations/execution.js';
import { submitOperation } from './operations/submit.js';
import {
  checkCredentials,
  checkDuration,
  type IdpClientOptions,
  isTokenProvider,
  REGION_BASE_URLS,
  REGION_CONTROL_PLANES,
  resolveRetry,
} from './options.js';
import { createPipeline } from './pipeline.js';
import { MULESOFT_MIN_INTERVAL_MS } from './poll.js';
import { rawClient } from './raw.js';
import type { SubmitInput, SubmitResult } from './submit.js';
import { pipelineTokens } from './token.js';
import type { Execution, ExecutionRef, paths } from './types.js';
import { assertUuid, secureUrl } from './validate.js';
import { VERSION } from './version.js';

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
   * Retrieves an execution's status and, once available, its results, by its ids or its URL (which must
   * name this client's base URL). Retried on network errors, 408, 429 and 5xx. A FAILED execution
   * resolves; only transport, auth and timeout problems reject.
   */
  getExecution<ValueOnly extends boolean = true>(
    ref: ExecutionRef | string,
    options?: GetExecutionOptions<ValueOnly>,
  ): Promise<Execution<ValueOnly>>;
  /**
   * Polls until the execution settles (default) or is final. First poll at once, then every 10 s growing
   * to 60 s; never more often than every 10 s against MuleSoft hosts.
   */
  waitForExecution<ValueOnly extends boolean = true>(
    ref: ExecutionRef | string,
    options?: WaitForExecutionOptions<ValueOnly>,
  ): Promise<Execution<ValueOnly>>;
  /** Submits a document. Retried only when the server surely did not act on it (connection refused, 429). */
  submitExecution(input: SubmitInput): Promise<SubmitResult>;
  /** The openapi-fetch client, on this client's pipeline (auth, retries, timeouts, hooks), for anything else. */
  readonly raw: Client<paths>;
  /** The base URL requests go to. */
  readonly baseUrl: string;
  readonly organizationId: string;
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
  const { organizationId, logger } = options;
  assertUuid('organizationId', organizationId);
  const region = options.region ?? 'us-east-1';
  if (!Object.hasOwn(REGION_BASE_URLS, region)) {
    throw new IdpValidationError(
      `region must be one of ${Object.keys(REGION_BASE_URLS).join(', ')} (the only IDP regions), got ${JSON.stringify(region)}`,
    );
  }
  const base = secureUrl('baseUrl', options.baseUrl ?? REGION_BASE_URLS[region]);
  const baseUrl = base.href.replace(/\/+$/, '');
  const attemptTimeoutMs = checkDuration('timeoutMs', options.timeoutMs, 1) ?? 30_000;
  const deadlineMs = checkDuration('deadlineMs', options.deadlineMs, 1);
  const retry = resolveRetry(options.retry);
  const credentials = isTokenProvider(options.auth) ? undefined : checkCredentials(options.auth);
  const hooks: readonly IdpHooks[] =
    options.hooks === undefined
      ? []
      : Array.isArray(options.hooks)
        ? options.hooks
        : [options.hooks as IdpHooks];

  // The token goes only to the configured base URL and the region's runtime host (and loopback).
  const trustedOrigins = new Set([base.origin, new URL(REGION_BASE_URLS[region]).origin]);
  const pipeline = createPipeline({
    fetch: options.fetch ?? globalThis.fetch,
    retry,
    attemptTimeoutMs,
    deadlineMs,
    userAgent: options.userAgent ?? `idp-kit/${VERSION}`,
    hooks,
    logger,
    trustedOrigins,
  });
  pipeline.options.tokens = isTokenProvider(options.auth)
    ? options.auth
    : pipelineTokens(pipeline, credentials as NonNullable<typeof credentials>, REGION_CONTROL_PLANES[region]);

  const warned = new Set<string>();
  const warnOnce = (message: string) => {
    if (warned.has(message)) return;
    warned.add(message);
    logger?.warn?.(message);
  };
  const executions = executionOperations({
    pipeline,
    baseUrl,
    organizationId,
    minIntervalMs: /(^|\.)mulesoft\.com$/i.test(base.hostname) ? MULESOFT_MIN_INTERVAL_MS : 0,
    warnOnce,
    logger,
  });

  return {
    raw: rawClient(pipeline, baseUrl),
    baseUrl,
    organizationId,
    getExecution: executions.getExecution,
    waitForExecution: executions.waitForExecution,
    submitExecution: submitOperation(pipeline, baseUrl, organizationId),
  };
}
