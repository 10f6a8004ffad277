/**
 * One `abort` listener per signal, however many waits, calls and sleeps share it. A batch hands one
 * signal to hundreds of concurrent operations; a listener each would pass Node's limit of 10 per event
 * target and print `MaxListenersExceededWarning` (and hold every operation's closure until the end).
 */
const subscribers = new WeakMap<AbortSignal, { calls: Set<() => void>; handler: () => void }>();

/**
 * Calls `listener` once when `signal` aborts; returns the function that unsubscribes it. The signal gets
 * a single real listener, shared by every subscriber, and removed when the last one unsubscribes (a
 * long-lived signal keeps nothing of finished work). Check `signal.aborted` first: an already aborted
 * signal never calls back.
 *
 * @example
 * ```ts
 * const stop = onAbort(signal, () => controller.abort(signal.reason));
 * try { await work(controller.signal); } finally { stop(); }
 * ```
 */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  let entry = subscribers.get(signal);
  if (entry === undefined) {
    const calls = new Set<() => void>();
    const handler = () => {
      subscribers.delete(signal);
      for (const call of calls) call();
      calls.clear();
    };
    entry = { calls, handler };
    subscribers.set(signal, entry);
    signal.addEventListener('abort', handler, { once: true });
  }
  // A wrapper, so that the same function subscribed twice is called (and removed) twice.
  const own = () => listener();
  const { calls, handler } = entry;
  calls.add(own);
  return () => {
    if (!calls.delete(own) || calls.size > 0) return;
    if (subscribers.get(signal)?.calls === calls) subscribers.delete(signal);
    signal.removeEventListener('abort', handler);
  };
}

/**
 * A controller that aborts when `parent` does, with its reason (at once if it already has), through the
 * one shared listener of `onAbort`. `unlink()` lets go of `parent` once the work is done. The one way
 * the client links a call's, a wait's and an attempt's signals to the caller's.
 *
 * @example
 * ```ts
 * const { controller, unlink } = linkedAbort(callerSignal);
 * try { await fetch(url, { signal: controller.signal }); } finally { unlink(); }
 * ```
 */
export function linkedAbort(parent: AbortSignal | undefined): {
  controller: AbortController;
  unlink: () => void;
} {
  const controller = new AbortController();
  if (parent === undefined) return { controller, unlink: () => {} };
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { controller, unlink: () => {} };
  }
  return { controller, unlink: onAbort(parent, () => controller.abort(parent.reason)) };
}
