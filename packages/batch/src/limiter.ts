import { waitTurn } from './wait-turn.js';

/** The longest delay `setTimeout` takes. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A concurrency limit that adapts as TCP does (AIMD): each success adds 1/limit, up to `max`; a rate
 * limit multiplies it by 0.7 (CUBIC's factor; halving made a stray 429 in fifty cost a fifth of the
 * throughput) down to 1, and pauses new starts until `Retry-After` has passed. A burst of 429s still
 * brings it to 1 within four.
 *
 * @example
 * ```ts
 * const uploads = new AdaptiveLimit(4);
 * const release = await uploads.acquire(signal);
 * try { await upload(); uploads.succeeded(); } finally { release(); }
 * ```
 */
export class AdaptiveLimit {
  #limit: number;
  #active = 0;
  #waiting: (() => void)[] = [];
  #pausedUntil = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly max: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#limit = max;
  }

  get limit(): number {
    return Math.ceil(this.#limit - 1e-9);
  }

  get active(): number {
    return this.#active;
  }

  /** Waits for a slot; resolves with a release function. Rejects if `signal` aborts first. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.#waiting.length === 0 && this.#canStart()) {
      this.#active++;
    } else {
      // #pump reserves the slot (#active++) before it wakes a waiter.
      const turn = waitTurn(this.#waiting, signal);
      this.#pump();
      await turn;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      this.#pump();
    };
  }

  /** A request went through: grow slowly. */
  succeeded(): void {
    this.#limit = Math.min(this.max, this.#limit + 1 / Math.max(1, this.#limit));
    this.#pump();
  }

  /** The service said slow down: cut by 0.7, and start nothing new until `retryAfterMs` has passed. */
  rateLimited(retryAfterMs = 0): void {
    this.#limit = Math.max(1, this.#limit * 0.7);
    // A timer cannot wait longer than 2^31-1 ms (Node fires at once and warns): the engine caps far
    // below; this keeps the limiter safe on its own.
    const wait = Math.min(Math.max(0, Number.isFinite(retryAfterMs) ? retryAfterMs : 0), MAX_TIMER_MS);
    this.#pausedUntil = Math.max(this.#pausedUntil, this.now() + wait);
  }

  /** Stops the Retry-After timer (the batch is over). */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #canStart(): boolean {
    return this.#active < this.limit && this.now() >= this.#pausedUntil;
  }

  #pump(): void {
    while (this.#waiting.length > 0 && this.#canStart()) {
      this.#active++;
      this.#waiting.shift()?.();
    }
    const wait = this.#pausedUntil - this.now();
    if (this.#waiting.length > 0 && wait > 0 && !this.#timer) {
      // Not unref'd: when every upload waits out a Retry-After, this timer is what resumes the batch.
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#pump();
      }, wait);
    }
  }
}
