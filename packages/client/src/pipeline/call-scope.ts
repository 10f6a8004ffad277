import { linkedAbort } from '@idp-kit/http';
import { IdpAbortError, IdpRequestTimeoutError } from '../errors.js';

/** Thrown inside the pipeline for a deadline that passed; turned into the public error at the edge. */
class DeadlinePassed extends Error {}

/** The signal a whole call runs under: the caller's, plus the call's deadline when it has one. */
export interface CallScope {
  /** Undefined when the caller gave no signal and there is no deadline (the hot path builds nothing). */
  readonly signal: AbortSignal | undefined;
  /** The public error for a call whose signal ended it (a deadline, or the caller's abort). */
  ended(name: string): IdpRequestTimeoutError | IdpAbortError | undefined;
  /** Clears the deadline and lets go of the caller's signal. */
  close(): void;
}

const UNBOUNDED: CallScope = { signal: undefined, ended: () => undefined, close: () => {} };

/**
 * Opens the scope of one call: the caller's signal, and a deadline over everything the call does
 * (token, attempts, backoff). No timer outlives `close()`.
 */
export function openCallScope(
  callerSignal: AbortSignal | undefined,
  deadlineMs: number | undefined,
): CallScope {
  if (deadlineMs === undefined) {
    // Stryker disable next-line ConditionalExpression: the scope built instead has no signal and ends nothing
    if (callerSignal === undefined) return UNBOUNDED; // the hot path: nothing to build
    return {
      signal: callerSignal,
      // Stryker disable next-line OptionalChaining: callerSignal is defined in this branch
      ended: (name) => (callerSignal?.aborted ? new IdpAbortError(name, callerSignal.reason) : undefined),
      close: () => {},
    };
  }
  const { controller, unlink } = linkedAbort(callerSignal);
  const timer = setTimeout(() => controller.abort(new DeadlinePassed()), deadlineMs);
  const signal = controller.signal;
  return {
    signal,
    ended(name) {
      if (!signal.aborted) return undefined;
      return signal.reason instanceof DeadlinePassed
        ? new IdpRequestTimeoutError(
            `${name}: no result within its deadline of ${deadlineMs} ms (token, retries and waits included)`,
          )
        : new IdpAbortError(name, signal.reason);
    },
    close() {
      clearTimeout(timer);
      unlink();
    },
  };
}
