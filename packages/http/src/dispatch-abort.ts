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
 */
export interface DispatchAbort {
  readonly init: { dispatcher: Dispatcher };
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
  const global = inner as Dispatcher;
  let current: Abort | undefined;
  let reason: Error | undefined;
  const take = (abort: Abort) => {
    current = abort;
    // Aborted before the request started: end it as soon as it can be.
    if (reason !== undefined) abort(reason);
  };
  const dispatcher: Dispatcher = {
    dispatch(options, handler) {
      // The handler is fetch's own object for this one request: wrapping its method in place keeps
      // `this` and every other method as undici wrote them.
      if (typeof handler.onRequestStart === 'function') {
        const start = handler.onRequestStart;
        handler.onRequestStart = function (this: unknown, controller, ...rest) {
          take((r) => controller.abort(r));
          return start.call(this, controller, ...rest);
        };
      } else if (typeof handler.onConnect === 'function') {
        const connect = handler.onConnect;
        handler.onConnect = function (this: unknown, abort, ...rest) {
          const result = connect.call(this, abort, ...rest);
          take(abort);
          return result;
        };
      } else {
        // A fetch whose handler offers no abort (no undici seen so far): this request could not be
        // ended by its timeout, so it is not sent (a failed attempt), and later ones use a signal.
        supported = false;
        throw new TypeError('this fetch gives its requests no abort; the next attempts use an AbortSignal');
      }
      return global.dispatch(options, handler);
    },
  };
  return {
    init: { dispatcher },
    abort(r) {
      if (reason !== undefined) return;
      reason = r;
      current?.(r);
    },
  };
}
