/**
 * Ending a `fetch` without an AbortSignal. Handing fetch a signal costs it a listener, a follow-up
 * signal and their bookkeeping on every request; a timeout that almost never fires need not pay that.
 * Node's fetch (undici) accepts a `dispatcher`, and every dispatch handler is given an `abort`
 * function when its request starts (undici's documented `DispatchHandler.onConnect(abort)`; newer
 * undici also `onRequestStart(controller)`). A dispatcher that wraps the global one and keeps that
 * function can end the request: before the answer, while its body streams, or before it connected.
 */

/** Where undici keeps the global dispatcher (`setGlobalDispatcher()` writes it too). */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

type Abort = (reason: Error) => void;

/** False once a fetch handler offered no abort: from then on, attempts use a signal. */
let supported = true;

interface DispatchHandler {
  onConnect?: (abort: Abort, ...rest: unknown[]) => unknown;
  onRequestStart?: (controller: { abort(reason: Error): void }, ...rest: unknown[]) => unknown;
}

interface Dispatcher {
  dispatch(options: unknown, handler: DispatchHandler): boolean;
}

/**
 * A request that can be ended without a signal: pass `init` to fetch (it holds the `dispatcher`), and
 * `abort(reason)` ends it (fetch rejects, or the body being read errors, with `reason` as the cause).
 * The object is its own dispatcher (`init.dispatcher === ending.dispatcher`), so that a request pays
 * one object for it.
 */
export interface DispatchAbort {
  readonly init: { dispatcher: Dispatcher };
  /** The dispatcher to hand fetch (`{ dispatcher }`), the same as `init.dispatcher`. */
  readonly dispatcher: Dispatcher;
  abort(reason: Error): void;
}

/**
 * A `DispatchAbort` on Node's global fetch dispatcher, or `undefined` when there is none to wrap yet
 * (the global dispatcher is created by the process's first `fetch`) or it does not look like one:
 * then use a signal.
 *
 * @example
 * ```ts
 * const ending = dispatchAbort();
 * const timer = setTimeout(() => ending?.abort(new Error('too slow')), 30_000);
 * try { await (await fetch(url, { ...ending?.init })).json(); } finally { clearTimeout(timer); }
 * ```
 */
export function dispatchAbort(): DispatchAbort | undefined {
  if (!supported) return undefined;
  const inner = (globalThis as { [GLOBAL_DISPATCHER]?: Partial<Dispatcher> })[GLOBAL_DISPATCHER];
  if (typeof inner?.dispatch !== 'function') return undefined;
  return new EndableDispatch(inner as Dispatcher);
}

/**
 * One request's dispatcher (every attempt opens one): a class, so that its methods are shared and a
 * request allocates one object and one wrapper for it, not a closure per method.
 */
class EndableDispatch implements DispatchAbort, Dispatcher {
  private current: Abort | undefined;
  private reason: Error | undefined;
  constructor(private readonly global: Dispatcher) {}

  get dispatcher(): Dispatcher {
    return this;
  }

  get init(): { dispatcher: Dispatcher } {
    return { dispatcher: this };
  }

  dispatch(options: unknown, handler: DispatchHandler): boolean {
    // The handler is fetch's own object for this one request: wrapping its method in place keeps
    // `this` and every other method as undici wrote them.
    const self = this;
    if (typeof handler.onRequestStart === 'function') {
      const start = handler.onRequestStart;
      handler.onRequestStart = function (this: unknown, controller, ...rest) {
        self.take((r) => controller.abort(r));
        return start.call(this, controller, ...rest);
      };
    } else if (typeof handler.onConnect === 'function') {
      const connect = handler.onConnect;
      handler.onConnect = function (this: unknown, abort, ...rest) {
        const result = connect.call(this, abort, ...rest);
        self.take(abort);
        return result;
      };
    } else {
      // A fetch whose handler offers no abort (no undici seen so far): this request could not be
      // ended by its timeout, so it is not sent (a failed attempt), and later ones use a signal.
      supported = false;
      throw new TypeError('this fetch gives its requests no abort; the next attempts use an AbortSignal');
    }
    return this.global.dispatch(options, handler);
  }

  abort(reason: Error): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.current?.(reason);
  }

  private take(abort: Abort): void {
    this.current = abort;
    // Aborted before the request started: end it as soon as it can be.
    if (this.reason !== undefined) abort(this.reason);
  }
}
