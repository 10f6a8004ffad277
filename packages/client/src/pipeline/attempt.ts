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
  return ending !== undefined
    ? new DispatchedAttempt(ending, timeoutMs)
    : new SignalledAttempt(callSignal, timeoutMs);
}

function timeoutError(timeoutMs: number): DOMException {
  return new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError');
}

/**
 * The hot path (no call signal, Node's fetch): one object per attempt, its timer given the attempt as
 * an argument rather than a closure.
 */
class DispatchedAttempt implements AttemptScope {
  timedOut = false;
  readonly signal = undefined;
  private readonly timer: ReturnType<typeof setTimeout>;
  constructor(
    private readonly ending: DispatchAbort,
    private readonly timeoutMs: number,
  ) {
    this.timer = setTimeout(expireDispatched, timeoutMs, this);
  }

  get dispatcher(): object {
    return this.ending.dispatcher;
  }

  expire(): void {
    this.timedOut = true;
    this.ending.abort(timeoutError(this.timeoutMs));
  }

  close(): void {
    clearTimeout(this.timer);
  }
}

function expireDispatched(attempt: DispatchedAttempt): void {
  attempt.expire();
}

/** An attempt ended through a signal: the call's, linked, or its own. */
class SignalledAttempt implements AttemptScope {
  timedOut = false;
  readonly dispatcher = undefined;
  readonly signal: AbortSignal;
  private readonly timer: ReturnType<typeof setTimeout>;
  private readonly unlink: () => void;
  private readonly controller: AbortController;
  constructor(
    callSignal: AbortSignal | undefined,
    private readonly timeoutMs: number,
  ) {
    const { controller, unlink } = linkedAbort(callSignal);
    this.controller = controller;
    this.unlink = unlink;
    this.signal = controller.signal;
    this.timer = setTimeout(expireSignalled, timeoutMs, this);
  }

  expire(): void {
    this.timedOut = true;
    this.controller.abort(timeoutError(this.timeoutMs));
  }

  close(): void {
    clearTimeout(this.timer);
    this.unlink();
  }
}

function expireSignalled(attempt: SignalledAttempt): void {
  attempt.expire();
}
