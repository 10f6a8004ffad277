/**
 * The attempt stage: one HTTP exchange under its own timeout and the call's signal. The timeout covers
 * reading the body too, so the attempt stays open until `close()`.
 */
import { type DispatchAbort, dispatchAbort, linkedAbort } from '@idp-kit/http';

/** What fetch gets to end the attempt (a signal, or a dispatcher), and whether its timeout did. */
export interface AttemptScope {
  /** Given to fetch as `dispatcher`: ends the request without a signal (see `dispatch-abort.ts`). */
  readonly dispatcher: object | undefined;
  /** Given to fetch as `signal`, when there is no dispatcher to end it with. */
  readonly signal: AbortSignal | undefined;
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
  const ending = callSignal === undefined && viaDispatcher ? dispatchAbort() : undefined;
  if (ending !== undefined) return new Attempt(ending, undefined, timeoutMs);
  const { controller, unlink } = linkedAbort(callSignal);
  return new Attempt(controller, unlink, timeoutMs);
}

/**
 * One attempt, ended through its dispatcher (the hot path: no call signal, Node's fetch) or a signal
 * (the call's, linked, or its own). One object per attempt: its timer is given the attempt as an
 * argument rather than a closure.
 */
class Attempt implements AttemptScope {
  timedOut = false;
  readonly dispatcher: object | undefined;
  readonly signal: AbortSignal | undefined;
  private readonly timer: ReturnType<typeof setTimeout>;
  constructor(
    private readonly ending: DispatchAbort | AbortController,
    private readonly unlink: (() => void) | undefined,
    private readonly timeoutMs: number,
  ) {
    if (ending instanceof AbortController) this.signal = ending.signal;
    else this.dispatcher = ending.dispatcher;
    this.timer = setTimeout(expire, timeoutMs, this);
  }

  expire(): void {
    this.timedOut = true;
    this.ending.abort(new DOMException(`no answer within ${this.timeoutMs} ms`, 'TimeoutError'));
  }

  close(): void {
    clearTimeout(this.timer);
    this.unlink?.();
  }
}

function expire(attempt: Attempt): void {
  attempt.expire();
}
