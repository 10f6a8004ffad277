/**
 * One `abort` listener per signal, however many waits, calls and sleeps share it. A batch hands one
 * signal to hundreds of concurrent operations; a listener each would pass Node's limit of 10 per event
 * target and print `MaxListenersExceededWarning` (and hold every operation's closure until the end).
 */
const subscribers = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `listener` once when `signal` aborts; returns the function that unsubscribes it. The signal gets
 * a single real listener, shared by every subscriber. Check `signal.aborted` first: an already aborted
 * signal never calls back.
 *
 * @example
 * ```ts
 * const stop = onAbort(signal, () => controller.abort(signal.reason));
 * try { await work(controller.signal); } finally { stop(); }
 * ```
 */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  let listeners = subscribers.get(signal);
  if (listeners === undefined) {
    const fresh = new Set<() => void>();
    listeners = fresh;
    subscribers.set(signal, fresh);
    signal.addEventListener(
      'abort',
      () => {
        subscribers.delete(signal);
        for (const call of fresh) call();
        fresh.clear();
      },
      { once: true },
    );
  }
  // A wrapper, so that the same function subscribed twice is called (and removed) twice.
  const own = () => listener();
  const set = listeners;
  set.add(own);
  return () => {
    set.delete(own);
  };
}
