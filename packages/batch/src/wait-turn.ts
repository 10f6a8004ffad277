/**
 * Joins a queue of waiters and resolves when a pump calls this waiter's wake (after reserving its slot);
 * if `signal` aborts first, leaves the queue and rejects with the signal's reason. The limiters of the
 * batch (the adaptive upload limit, the result-bytes budget) share it.
 */
export function waitTurn(waiting: (() => void)[], signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const wake = () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = () => {
      const at = waiting.indexOf(wake);
      if (at >= 0) waiting.splice(at, 1);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    waiting.push(wake);
  });
}
