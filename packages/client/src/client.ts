import { CONTROL_PLANE_TOKEN_URLS } from '@idp-kit/auth';
import { isLoopbackHost } from '@idp-kit/http';
import type { Client } from 'openapi-fetch';
import { IdpValidationError } from './errors.js';
import type { IdpHooks } from './hooks.js';
import {
  actionOperations,
  type IterateActionsOptions,
  type ListActionsOptions,
} from './operations/actions.js';
import {
  executionOperations,
  type GetExecutionOptions,
  type WaitForExecutionOptions,
} from './operations/execution.js';
import { type ReviewRef, reviewOperations } from './operations/reviews.js';
import { submitOperation } from './operations/submit.js';
import {
  basicAuthorization,
  CONTROL_PLANE_URLS,
  checkCredentials,
  checkDuration,
  type IdpClientOptions,
  isTokenProvider,
  REGION_BASE_URLS,
  REGION_CONTROL_PLANES,
  resolveMaxResponseBytes,
  resolveRetry,
} from './options.js';
import type { IterateOptions, PageOptions } from './pages.js';
import { type CallOptions, createPipeline } from './pipeline.js';
import { MULESOFT_MIN_INTERVAL_MS } from './poll.js';
import { rawClient } from './raw.js';
import { redactingLogger, registeringTokens } from './redaction.js';
import { createRedactor, type Redactor } from './redactor.js';
import type { SubmitInput, SubmitResult } from './submit.js';
import { onPipeline, pipelineTokens } from './token.js';
import type {
  Action,
  ActionList,
  ActionVersion,
  Execution,
  ExecutionRef,
  paths,
  Review,
  Reviewer,
  ReviewTask,
} from './types.js';
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

  /** One page of the review tasks waiting for a person (executions in MANUAL_VALIDATION_REQUIRED). */
  listReviews(options?: PageOptions & CallOptions): Promise<ReviewTask[]>;
  /**
   * Every review task, a page at a time as you iterate (`for await`). At most `maxPages` pages (default
   * 1,000); a page repeated by the server ends it with `IdpPagingError`.
   */
  reviews(options?: IterateOptions & CallOptions): AsyncGenerator<ReviewTask, void, undefined>;
  /** The low-confidence items of one execution's review task. 404 once the review is done. */
  getReview(ref: ReviewRef | ExecutionRef | string, options?: CallOptions): Promise<Review>;
  /**
   * Sends corrections: the payload `getReview()` returned with corrected results (`correctReview()`).
   * Checked before sending; answers the updated payload.
   */
  updateReview(
    ref: ReviewRef | ExecutionRef | string,
    review: Review,
    options?: CallOptions,
  ): Promise<Review>;
  /** Closes the review task: the execution becomes SUCCEEDED (`waitForExecution(…, { until: 'final' })`). */
  approveReview(ref: ReviewRef | ExecutionRef | string, options?: CallOptions): Promise<void>;

  /** One page of the organization's document actions and the total (control plane). */
  listActions(options?: ListActionsOptions): Promise<ActionList>;
  /** Every action, a page at a time as you iterate. */
  actions(options?: IterateActionsOptions): AsyncGenerator<Action, void, undefined>;
  /** One action, with what it extracts (`configuration.content.output`). */
  getAction(actionId: string, options?: CallOptions): Promise<Action>;
  /** One page of an action's versions. */
  listActionVersions(actionId: string, options?: ListActionsOptions): Promise<ActionVersion[]>;
  /** Every version of an action, a page at a time as you iterate. */
  actionVersions(
    actionId: string,
    options?: IterateActionsOptions,
  ): AsyncGenerator<ActionVersion, void, undefined>;
  /** One version, with where it is published (`runtimeBaseUrl(version)`). */
  getActionVersion(actionId: string, version: string, options?: CallOptions): Promise<ActionVersion>;
  /** Who may review the action's executions. */
  listReviewers(actionId: string, options?: CallOptions): Promise<Reviewer[]>;

  /**
   * `text` with every secret this client knows blanked: the client secret, every token it was issued
   * (old ones too), Basic credentials, each also JSON-escaped and URL-encoded. For anything you print,
   * log or write that may hold what a server sent. Errors the client throws are redacted already.
   */
  redact(text: string): string;
  /** The redactor behind `redact()`: share it (`createIdpClient({ redactor })`), or add your own secrets. */
  readonly redactor: Redactor;

  /** The openapi-fetch client, on this client's pipeline (auth, retries, timeouts, hooks), for anything else. */
  readonly raw: Client<paths>;
  /** The base URL requests go to. */
  readonly baseUrl: string;
  /** The Anypoint control plane that action discovery goes to. */
  readonly controlPlaneUrl: string;
  /**
   * Where client-credentials tokens are asked for: the configured `tokenUrl`, else the region's control
   * plane. `undefined` when `auth` is a token provider of your own.
   */
  readonly tokenUrl: string | undefined;
  /**
   * The origins (scheme, host and port) the token may go to, and a GET may be redirected to: the base
   * URL, the control plane and the region's hosts. Loopback only as configured.
   */
  readonly trustedOrigins: readonly string[];
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
  const { organizationId } = options;
  // Before anything can fail or log: the secrets the options hold are known from the start.
  const redactor = options.redactor ?? createRedactor();
  if (!isTokenProvider(options.auth)) redactor.add((options.auth as { clientSecret?: string })?.clientSecret);
  const { username, password } = (options.basicAuth ?? {}) as { username?: unknown; password?: unknown };
  if (typeof username === 'string' && typeof password === 'string') redactor.addBasic(username, password);
  const logger = redactingLogger(options.logger, redactor);
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
  const maxResponseBytes = resolveMaxResponseBytes(options.maxResponseBytes);
  const credentials = isTokenProvider(options.auth) ? undefined : checkCredentials(options.auth);
  const hooks: readonly IdpHooks[] =
    options.hooks === undefined
      ? []
      : Array.isArray(options.hooks)
        ? options.hooks
        : [options.hooks as IdpHooks];

  // A mock on loopback serves both the runtime and the control plane.
  const controlPlane = secureUrl(
    'controlPlaneUrl',
    options.controlPlaneUrl ??
      (options.baseUrl !== undefined && isLoopbackHost(base.hostname) ? baseUrl : CONTROL_PLANE_URLS[region]),
  );
  const controlPlaneUrl = controlPlane.href.replace(/\/+$/, '');
  const basic = options.basicAuth === undefined ? undefined : basicAuthorization(options.basicAuth);

  // The token goes only to the configured hosts and the region's, port included (loopback as configured).
  const trustedOrigins = new Set([
    base.origin,
    new URL(REGION_BASE_URLS[region]).origin,
    controlPlane.origin,
    new URL(CONTROL_PLANE_URLS[region]).origin,
  ]);
  const pipeline = createPipeline({
    fetch: options.fetch ?? globalThis.fetch,
    retry,
    attemptTimeoutMs,
    deadlineMs,
    userAgent: options.userAgent ?? `idp-kit/${VERSION}`,
    hooks,
    ...(options.admit ? { admit: options.admit } : {}),
    logger,
    trustedOrigins,
    maxResponseBytes,
    redactor,
    ...(basic ? { basic } : {}),
  });
  pipeline.options.tokens = registeringTokens(
    isTokenProvider(options.auth)
      ? onPipeline(pipeline, options.auth)
      : pipelineTokens(
          pipeline,
          credentials as NonNullable<typeof credentials>,
          REGION_CONTROL_PLANES[region],
        ),
    redactor,
  );

  const warned = new Set<string>();
  const warnOnce = (message: string) => {
    if (warned.has(message)) return;
    warned.add(message);
    logger?.warn?.(message);
  };

  const executionContext = {
    pipeline,
    baseUrl,
    organizationId,
    minIntervalMs: /(^|\.)mulesoft\.com$/i.test(base.hostname) ? MULESOFT_MIN_INTERVAL_MS : 0,
    warnOnce,
    logger,
  };
  const executions = executionOperations(executionContext);
  const reviews = reviewOperations(executionContext);
  const actions = actionOperations(pipeline, controlPlaneUrl, organizationId);

  return {
    raw: rawClient(pipeline, baseUrl),
    redact: (text) => redactor.redact(text),
    redactor,
    baseUrl,
    controlPlaneUrl,
    tokenUrl:
      credentials === undefined
        ? undefined
        : (credentials.tokenUrl ?? CONTROL_PLANE_TOKEN_URLS[REGION_CONTROL_PLANES[region]]),
    trustedOrigins: [...trustedOrigins],
    organizationId,
    getExecution: executions.getExecution,
    waitForExecution: executions.waitForExecution,
    submitExecution: submitOperation(pipeline, baseUrl, organizationId),
    ...reviews,
    ...actions,
  };
}
