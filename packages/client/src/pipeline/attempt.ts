/**
 * The attempt stage: one HTTP exchange under its own timeout and the call's signal. The timeout covers
 * reading the body too, so the attempt stays open until `close()`.
 */
import { dispatchAbort, linkedAbort } from '@idp-kit/http';

/** What fetch gets to end the attempt (a signal, or a dispatcher), and whether its timeout did. */
export interface AttemptScope {
  /** Spread into fetch's init: `{ signal }`, or `{ dispatcher }` (see `dispatch-abort.ts`). */
  readonly init: RequestInit;
  readonly timedOut: boolean;
  /** Clears the timer and lets go of the call's signal. Safe to call twice. */
  close(): void;
}

/**
 * Opens one attempt: ended when `timeoutMs` passes (a `TimeoutError`) or when the call's signal aborts
 * (the caller, the deadline), with that signal's reason.
 *
 * With no call signal and Node's own fetch (`viaDispatcher`), the timeout ends the request through
 * fetch's dispatcher, and no AbortSignal is made: a signal costs fetch a listener and a follow-up
 * signal on every request, for a timer that almost never fires. With a call signal, one linked
 * controller (concurrent attempts on one caller's signal add one listener to it, not one each).
 */
export function openAttempt(
  callSignal: AbortSignal | undefined,
  timeoutMs: number,
  viaDispatcher: boolean,
): AttemptScope {
  let timedOut = false;
  const timeout = () => new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError');
  const ending = callSignal === undefined && viaDispatcher ? dispatchAbort() : undefined;
  if (ending !== undefined) {
    const timer = setTimeout(() => {
      timedOut = true;
      ending.abort(timeout());
    }, timeoutMs);
    return {
      // A dispatcher with only `dispatch()`: all fetch calls of it (RequestInit names undici's full type).
      init: ending.init as RequestInit,
      get timedOut() {
        return timedOut;
      },
      close: () => clearTimeout(timer),
    };
  }
  const { controller, unlink } = linkedAbort(callSignal);
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(timeout());
  }, timeoutMs);
  return {
    init: { signal: controller.signal },
    get timedOut() {
      return timedOut;
    },
    close() {
      clearTimeout(timer);
      unlink();
    },
  };
}
