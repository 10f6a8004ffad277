/**
 * A bound on the bytes of results in flight. A poll of a finished execution brings its whole result
 * (2.6 MB of JSON for 150 pages with scores and geometry, several times that once parsed), and its slot
 * is kept until the result is stored. Counted in polls alone, 8 such results at once took a batch's
 * peak RSS past 400 MiB; counted in bytes, small answers (a status) still go 8 at a time, and large
 * ones as many as fit.
 */

/** Results in flight, in bytes, unless `resultBytesInFlight` says otherwise: 8 MiB. */
export const DEFAULT_RESULT_BYTES_IN_FLIGHT = 8 * 1024 * 1024;

/**
 * Admits polls while the results they may bring fit in `maxBytes`, sized by the largest answer seen
 * lately (each new answer counts whole, older ones fade by a tenth per answer). Before any answer's
 * size is known, and for answers of unknown size, it admits every poll (the count limit rules). One
 * poll is always admitted, however large its result.
 *
 * @example
 * ```ts
 * const budget = new ResultBudget(8 * 1024 * 1024);
 * const release = await budget.acquire(signal);
 * try { budget.learn(await pollOnce()); } finally { release(); }
 * ```
 */
export class ResultBudget {
  #largest = 0;
  #active = 0;
  #waiting: (() => void)[] = [];

  constructor(readonly maxBytes: number) {}

  /** How many polls may be in flight now. */
  get allowed(): number {
    return this.#largest === 0
      ? Number.POSITIVE_INFINITY
      : Math.max(1, Math.floor(this.maxBytes / this.#largest));
  }

  /** A poll's answer was `bytes` long (undefined: not known, nothing learned). */
  learn(bytes: number | undefined): void {
    if (bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return;
    this.#largest = Math.max(bytes, this.#largest * 0.9);
    this.#pump();
  }

  /** Waits until one more poll fits; resolves with its release. Rejects if `signal` aborts first. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.#waiting.length === 0 && this.#active < this.allowed) this.#active++;
    else {
      // #pump counts the poll in (#active++) before it wakes its waiter.
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          this.#waiting = this.#waiting.filter((w) => w !== wake);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.#waiting.push(wake);
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      this.#pump();
    };
  }

  #pump(): void {
    while (this.#waiting.length > 0 && this.#active < this.allowed) {
      this.#active++;
      this.#waiting.shift()?.();
    }
  }
}
