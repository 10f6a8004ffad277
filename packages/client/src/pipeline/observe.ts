/**
 * The hooks stage: what `IdpHooks` see of an operation and its attempts. Each attempt ends exactly
 * once; the operation's last answer (status, headers, and the body when a hook asked) goes to
 * `operationEnd`, so that a hook sees each operation once, however many times it was retried.
 */
import type { AttemptInfo, IdpHooks, OperationInfo, Outcome, ResponseInfo } from '../hooks.js';
import { hookRunner } from '../hooks.js';

/** One attempt, as hooks see it. */
export interface ObservedAttempt {
  /** Ends the attempt for the hooks; later calls do nothing (an attempt ends once). */
  end(outcome: Outcome): void;
}

/** One operation, as hooks see it. */
export interface ObservedOperation {
  readonly info: OperationInfo | undefined;
  /** `attemptStart`, with the request headers a hook may add to (never the token: it is added after). */
  attempt(number: number, headers: Record<string, string>): ObservedAttempt;
  /** Records `response` as the operation's last answer; true when a hook asked for its body. */
  answer(response: Response): boolean;
  /** The body of the last answer, for the hooks that asked (redacted by the caller). */
  body(text: string): void;
  /** `operationEnd`: the status or the error, and the last answer. */
  end(outcome: Outcome): void;
}

const NO_ATTEMPT: ObservedAttempt = { end: () => {} };
const UNOBSERVED: ObservedOperation = {
  info: undefined,
  attempt: () => NO_ATTEMPT,
  // Stryker disable next-line BooleanLiteral,ArrowFunction: with no hooks the shared copy reads the same
  answer: () => false,
  body: () => {},
  end: () => {},
};

export type OperationMeta = { name: string; method: string; url: string; parent?: OperationInfo };

/** The hooks of a pipeline: `observe(meta)` starts an operation for them. */
export function pipelineHooks(
  hooks: readonly IdpHooks[],
  onHookError: (name: string, error: unknown) => void,
): { observe(meta: OperationMeta): ObservedOperation } {
  // Stryker disable next-line ConditionalExpression: with no hooks nothing is observed either way
  if (hooks.length === 0) return { observe: () => UNOBSERVED }; // the hot path: nothing built
  const hook = hookRunner(hooks, onHookError);
  const wantsBody = (info: OperationInfo, response: ResponseInfo) => {
    let wanted = false;
    for (const set of hooks) {
      try {
        if (set.wantsBody?.(info, response)) wanted = true;
      } catch (error) {
        onHookError('wantsBody', error);
      }
    }
    return wanted;
  };

  function observe(meta: OperationMeta): ObservedOperation {
    const info: OperationInfo = {
      name: meta.name,
      method: meta.method,
      url: withoutQuery(meta.url),
      ...(meta.parent ? { parent: meta.parent } : {}),
      state: new Map(),
    };
    hook('operationStart', info);
    let last: { status: number; headers: Headers; body?: string } | undefined;
    return {
      info,
      attempt(number, headers) {
        last = undefined; // an attempt that gets no answer leaves the operation none
        const attempt: AttemptInfo = { operation: info, attempt: number, headers, state: new Map() };
        hook('attemptStart', attempt);
        let ended = false;
        return {
          end(outcome) {
            if (ended) return;
            ended = true;
            hook('attemptEnd', attempt, outcome);
          },
        };
      },
      answer(response) {
        last = { status: response.status, headers: response.headers };
        return wantsBody(info, last);
      },
      body(text) {
        // Stryker disable next-line ConditionalExpression: body() comes only after answer() set last
        if (last) last.body = text;
      },
      end(outcome) {
        hook('operationEnd', info, last ? { ...outcome, response: last } : outcome);
      },
    };
  }
  return { observe };
}

/** A URL without its query string (hooks and errors never see query values). */
export function withoutQuery(url: string): string {
  const at = url.indexOf('?');
  // Stryker disable next-line EqualityOperator: no absolute URL starts with '?'
  return at < 0 ? url : url.slice(0, at);
}
