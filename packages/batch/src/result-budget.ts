/**
 * A bound on the bytes of results in flight. A poll of a finished execution brings its whole result
 * (2.6 MB of JSON for 150 pages with scores and geometry, several times that once parsed), and its slot
 * is kept until the result is stored. Counted in polls alone, 8 such results at once took a batch's
 * peak RSS past 400 MiB; counted in bytes, small answers (a status) still go 8 at a time, and large
 * ones as many as fit.
 */

import { waitTurn } from './wait-turn.js';

/** Results in flight, in bytes, unless `resultBytesInFlight` says otherwise: 8 MiB. */
export const DEFAULT_RESULT_BYTES_IN_FLIGHT = 8 * 1024 * 1024;

/** How many recent answers size the budget. */
const WINDOW = 64;

/**
 * Admits polls while the results they may bring fit in `maxBytes`, sized by the largest of the last
 * 64 answers whose size is known. Until the first answer, one poll at a time: a batch's polls start
 * together, and the first burst of large results would otherwise set the peak before any size is
 * known. After that, answers of unknown size teach nothing (the count limit rules). One poll is always
 * admitted, however large its result.
 *
 * @example
 * ```ts
 * const budget = new ResultBudget(8 * 1024 * 1024);
 * const release = await budget.acquire(signal);
 * try { budget.learn(await pollOnce()); } finally { release(); }
 * ```
 */
export class ResultBudget {
  /** Sizes of the last `WINDOW` answers whose size is known (a ring). */
  #sizes: number[] = [];
  #next = 0;
  #largest = 0;
  #answered = false;
  #active = 0;
  #waiting: (() => void)[] = [];

  constructor(readonly maxBytes: number) {}

  /** How many polls may be in flight now. */
  get allowed(): number {
    if (!this.#answered) return 1;
    return this.#largest === 0
      ? Number.POSITIVE_INFINITY
      : Math.max(1, Math.floor(this.maxBytes / this.#largest));
  }

  /** A poll answered, `bytes` long (undefined: its size is not known). */
  learn(bytes: number | undefined): void {
    this.#answered = true;
    if (bytes !== undefined && Number.isFinite(bytes) && bytes >= 0) {
      const dropped = this.#sizes[this.#next] ?? 0;
      this.#sizes[this.#next] = bytes;
      this.#next = (this.#next + 1) % WINDOW;
      if (bytes >= this.#largest) this.#largest = bytes;
      else if (dropped === this.#largest) this.#largest = Math.max(...this.#sizes);
    }
    this.#pump();
  }

  /** Waits until one more poll fits; resolves with its release. Rejects if `signal` aborts first. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.#waiting.length === 0 && this.#active < this.allowed) this.#active++;
    else {
      // #pump counts the poll in (#active++) before it wakes its waiter.
      await waitTurn(this.#waiting, signal);
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
