import { setMaxListeners } from 'node:events';

/**
 * The caller's stop signal, as the batch's many waits share it: each wait and sleep listens to it, so
 * a batch with more than 10 in flight would make Node print a MaxListenersExceededWarning to a user
 * who did nothing wrong. A linked signal of the batch's own, without that limit, and without changing
 * the caller's signal. `dispose()` unlinks it.
 */
export function sharedSignal(signal: AbortSignal | undefined): {
  signal: AbortSignal | undefined;
  dispose(): void;
} {
  if (!signal) return { signal: undefined, dispose: () => {} };
  const own = new AbortController();
  setMaxListeners(0, own.signal); // bounded by the batch's own limits, not by a count of 10
  const forward = () => own.abort(signal.reason);
  if (signal.aborted) forward();
  else signal.addEventListener('abort', forward, { once: true });
  return { signal: own.signal, dispose: () => signal.removeEventListener('abort', forward) };
}
