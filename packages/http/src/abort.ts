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
