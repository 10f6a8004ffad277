/**
 * The attempt stage: one HTTP exchange under its own timeout and the call's signal. The timeout covers
 * reading the body too, so the attempt stays open until `close()`.
 */
import { linkedAbort } from '@idp-kit/http';

/** The signal fetch gets for one attempt, and whether its own timeout ended it. */
export interface AttemptScope {
  readonly signal: AbortSignal;
  readonly timedOut: boolean;
  /** Clears the timer and lets go of the call's signal. Safe to call twice. */
  close(): void;
}

/**
 * Opens one attempt: aborted when `timeoutMs` passes (a `TimeoutError`) or when the call's signal
 * aborts (the caller, the deadline), with that signal's reason. Concurrent attempts on one caller's
 * signal add one listener to it, not one each (`linkedAbort`).
 */
export function openAttempt(callSignal: AbortSignal | undefined, timeoutMs: number): AttemptScope {
  const { controller, unlink } = linkedAbort(callSignal);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    close() {
      clearTimeout(timer);
      unlink();
    },
  };
}
