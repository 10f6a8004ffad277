/**
 * One client operation as hooks see it: a call such as `getExecution`, one poll of a wait, a token
 * request, a `raw` request. `state` is for the hook's own bookkeeping (a span, a start time).
 *
 * @example
 * ```ts
 * const hooks: IdpHooks = { operationStart: (op) => op.state.set('t0', performance.now()) };
 * ```
 */
export interface OperationInfo {
  /** `getExecution`, `waitForExecution`, `submitExecution`, `token`, `raw`, … */
  readonly name: string;
  readonly method: string;
  /** The URL without its query string. */
  readonly url: string;
  /** The operation this one runs inside (a wait, for each of its polls). */
  readonly parent?: OperationInfo;
  readonly state: Map<unknown, unknown>;
}

/**
 * One HTTP attempt of an operation. `headers` may be changed before it is sent (a `traceparent`, say);
 * the Authorization header is not in it (hooks never see the token).
 *
 * @example
 * ```ts
 * const hooks: IdpHooks = { attemptStart: (a) => { a.headers['x-trace'] = myTraceId(); } };
 * ```
 */
export interface AttemptInfo {
  readonly operation: OperationInfo;
  /** 1 for the first attempt. A 401 replay counts as an attempt. */
  readonly attempt: number;
  readonly headers: Record<string, string>;
  readonly state: Map<unknown, unknown>;
}

/**
 * An answer as hooks see it: status and headers, and the body as text when a hook asked for it
 * (`wantsBody`). Read-only: the call reads its own copy.
 *
 * @example
 * ```ts
 * const hooks: IdpHooks = { attemptEnd: (_a, o) => o.response && console.log(o.response.headers.get('x-request-id')) };
 * ```
 */
export interface ResponseInfo {
  readonly status: number;
  readonly headers: Headers;
  /**
   * The body as text: only in `operationEnd`, only when a hook's `wantsBody` asked for it, within the
   * client's `maxResponseBytes`. A credential in it (the token request's answer) is `[redacted]`.
   */
  readonly body?: string;
}

/**
 * How an operation or an attempt ended: the HTTP status and the answer, or the error (an error answer,
 * an `IdpApiError`, has both).
 *
 * @example
 * ```ts
 * const hooks: IdpHooks = { attemptEnd: (_a, outcome) => console.log(outcome.status ?? outcome.error) };
 * ```
 */
export interface Outcome {
  status?: number;
  error?: unknown;
  /**
   * The answer the attempt got; for `operationEnd`, the operation's last answer (the one its result or
   * its error comes from; none when the last attempt got no answer, or for a wait).
   */
  response?: ResponseInfo;
}

/**
 * The client's one extension point: every request it sends passes these hooks, the token request and
 * `raw` included. A hook that throws is logged and ignored: it never breaks a call.
 * See `@idp-kit/client/otel` for OpenTelemetry spans.
 *
 * @example
 * ```ts
 * createIdpClient({ organizationId, auth, hooks: {
 *   attemptEnd: (a, outcome) => metrics.count(a.operation.name, outcome.status ?? 'error'),
 * } });
 * ```
 */
export interface IdpHooks {
  operationStart?(operation: OperationInfo): void;
  operationEnd?(operation: OperationInfo, outcome: Outcome): void;
  attemptStart?(attempt: AttemptInfo): void;
  attemptEnd?(attempt: AttemptInfo, outcome: Outcome): void;
  /**
   * Asked once for an operation's answer, before the operation reads it: `true` hands its body, as
   * text, to `operationEnd` (`outcome.response.body`). Ask only for the answers you need: a body handed
   * over is a copy, read whole before the operation reads it.
   */
  wantsBody?(operation: OperationInfo, response: ResponseInfo): boolean;
}

// `wantsBody` is a question, not an event: the pipeline asks it itself (observe.ts).
type HookName = Exclude<keyof IdpHooks, 'wantsBody'>;

/** Calls one hook of each set, in order; a throwing hook is reported and skipped. */
export function hookRunner(
  hooks: readonly IdpHooks[],
  onHookError: (name: string, error: unknown) => void,
): <K extends HookName>(name: K, ...args: Parameters<NonNullable<IdpHooks[K]>>) => void {
  return (name, ...args) => {
    for (const set of hooks) {
      const hook = set[name] as ((...a: unknown[]) => void) | undefined;
      if (!hook) continue;
      try {
        hook.apply(set, args);
      } catch (error) {
        onHookError(name, error);
      }
    }
  };
}
