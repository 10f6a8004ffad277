import { answerJson, unexpectedShape } from '../api-error.js';
import { IdpValidationError } from '../errors.js';
import { parseExecutionUrl } from '../execution-url.js';
import type { OperationInfo } from '../hooks.js';
import type { Logger } from '../logger.js';
import type { CallOptions, Operation, Pipeline } from '../pipeline.js';
import { type PollOptions, pollUntilDone } from '../poll.js';
import { isKnownStatus } from '../status.js';
import type { Execution, ExecutionRef, paths } from '../types.js';
import { assertExecutionRef } from '../validate.js';

const EXECUTION_PATH =
  '/api/v1/organizations/{organizationId}/actions/{actionId}/versions/{actionVersion}/executions/{executionId}';
type ExecutionQuery = NonNullable<paths[typeof EXECUTION_PATH]['get']['parameters']['query']>;
// Errors come as problem+json: asking for JSON alone would invite a 406 or another representation.
const ACCEPT = 'application/json, application/problem+json';
// One object for every request: the pipeline copies it into each attempt's own headers.
const ACCEPT_HEADERS: Readonly<Record<string, string>> = Object.freeze({ Accept: ACCEPT });

/**
 * Options of `getExecution()`: `valueOnly`, and the options every call takes.
 *
 * @example
 * ```ts
 * await idp.getExecution(ref, { valueOnly: false, signal: AbortSignal.timeout(60_000) });
 * ```
 */
export interface GetExecutionOptions<ValueOnly extends boolean> extends CallOptions {
  /** `true` (the service default) sends values only; `false` adds `confidenceScore` and `geometry`. */
  valueOnly?: ValueOnly;
}

/**
 * Options of `waitForExecution()`: those of `getExecution()` (applied to each poll) plus the polling ones.
 *
 * @example
 * ```ts
 * await idp.waitForExecution(ref, { until: 'final', timeoutMs: 30 * 60_000, onProgress: (e) => console.log(e.status) });
 * ```
 */
export interface WaitForExecutionOptions<ValueOnly extends boolean>
  extends Omit<GetExecutionOptions<ValueOnly>, 'signal'>,
    PollOptions<Execution<ValueOnly>> {}

export interface ExecutionContext {
  pipeline: Pipeline;
  baseUrl: string;
  organizationId: string;
  minIntervalMs: number;
  warnOnce: (message: string) => void;
  logger: Logger | undefined;
}

/**
 * A ref, or an execution URL. A URL must name this client's base URL and organization: the client sends
 * requests, and its token, only where it was configured to.
 */
export function resolveRef(context: ExecutionContext, refOrUrl: ExecutionRef | string): ExecutionRef {
  if (typeof refOrUrl !== 'string') {
    assertExecutionRef(refOrUrl);
    return refOrUrl;
  }
  const { baseUrl, organizationId, ...ref } = parseExecutionUrl(refOrUrl);
  if (baseUrl !== context.baseUrl) {
    throw new IdpValidationError(
      `the execution URL names ${baseUrl}, but this client sends requests (and its token) only to ${context.baseUrl}; ` +
        'create a client with that baseUrl (or region) if you trust it',
    );
  }
  if (organizationId.toLowerCase() !== context.organizationId.toLowerCase()) {
    throw new IdpValidationError(
      `the execution URL names organization ${organizationId}, but this client is for ${context.organizationId}`,
    );
  }
  return ref;
}

export function executionOperations(context: ExecutionContext) {
  const { pipeline, baseUrl, warnOnce } = context;
  const prefix = `${baseUrl}/api/v1/organizations/${encodeURIComponent(context.organizationId)}/actions/`;

  function readExecution<V extends boolean>(url: string) {
    return async (response: Response): Promise<Execution<V>> => {
      const text = await response.text();
      const body = answerJson('getExecution', response, text, url, 'the wrong baseUrl');
      const unexpected = (what: string) =>
        unexpectedShape('getExecution', response, url, what, 'the wrong baseUrl');
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
      return execution;
    };
  }

  /** The retrieval hot path: one typed operation on the pipeline. */
  function fetchExecution<V extends boolean>(
    ref: ExecutionRef,
    valueOnly: boolean,
    call: CallOptions,
    parent?: OperationInfo,
  ) {
    const path = `${prefix}${encodeURIComponent(ref.actionId)}/versions/${encodeURIComponent(ref.actionVersion)}/executions/${encodeURIComponent(ref.executionId)}`;
    const url = `${path}?valueOnly=${valueOnly satisfies ExecutionQuery['valueOnly']}`;
    const operation: Operation<Execution<V>> = {
      name: 'getExecution',
      method: 'GET',
      url,
      headers: ACCEPT_HEADERS,
      idempotent: true,
      auth: true,
      read: readExecution<V>(path),
    };
    if (parent) operation.parent = parent;
    return pipeline.run(operation, call);
  }

  return {
    async getExecution<V extends boolean = true>(
      refOrUrl: ExecutionRef | string,
      options: GetExecutionOptions<V> = {},
    ): Promise<Execution<V>> {
      const ref = resolveRef(context, refOrUrl);
      return (await fetchExecution<V>(ref, options.valueOnly ?? true, options)).value;
    },

    async waitForExecution<V extends boolean = true>(
      refOrUrl: ExecutionRef | string,
      options: WaitForExecutionOptions<V> = {},
    ): Promise<Execution<V>> {
      const ref = resolveRef(context, refOrUrl);
      const valueOnly = options.valueOnly ?? true;
      const { signal: _signal, timeoutMs: _timeout, ...call } = options;
      return pipeline.compose(
        {
          name: 'waitForExecution',
          method: 'GET',
          url: `${prefix}${ref.actionId}/versions/${ref.actionVersion}/executions/${ref.executionId}`,
        },
        (parent) =>
          pollUntilDone<Execution<V>>(
            (signal) =>
              fetchExecution<V>(ref, valueOnly, { ...call, signal }, parent).then(({ value, response }) => ({
                execution: value,
                response,
              })),
            options,
            {
              minIntervalMs: context.minIntervalMs,
              maxDelayMs: pipeline.options.retry.maxDelayMs,
              warnOnce,
              logger: context.logger,
            },
          ),
      );
    },
  };
}
