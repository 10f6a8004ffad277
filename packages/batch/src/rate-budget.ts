import type { Admit, AdmitRequest, IdpHooks } from '@idp-kit/client';
import { parseRetryAfter } from '@idp-kit/http';
import type { RateSource } from './rate-source.js';

/**
 * What a request is to the budget: who goes first when tokens are short (the token request, then
 * uploads, then polls and retrievals).
 *
 * @example
 * ```ts
 * await budget.take('submit', signal);
 * ```
 */
export type RequestKind = 'token' | 'submit' | 'poll';

/** Lower goes first: nothing moves without a token, and an upload starts an execution others wait on. */
const RANK: Record<RequestKind, number> = { token: 0, submit: 1, poll: 2 };

/** A request waiting this long goes ahead of every fresher one, whatever its kind: no poll starves. */
export const AGE_MS = 10_000;

/** A reserved token this far past its time is let go rather than spent late. */
const STALE_MS = 250;

/** The kind of a client operation: the token request, an upload, or anything else (a poll, a retrieval). */
export function requestKind(operation: string): RequestKind {
  return operation === 'token' ? 'token' : operation === 'submitExecution' ? 'submit' : 'poll';
}

/**
 * Options of a `RateBudget`.
 *
 * @example
 * ```ts
 * new RateBudget(source, { slice: 10, ageMs: 10_000 });
 * ```
 */
export interface RateBudgetOptions {
  /**
   * Tokens reserved from the source at a time (default 1): more means fewer trips to a shared store;
   * tokens a worker reserved and had no request for are lost to the budget (never spent late).
   */
  slice?: number;
  /** After this long a waiting request goes first, whatever its kind (default `AGE_MS`, 10 s). */
  ageMs?: number;
  /** The clock waits are aged by. */
  now?: () => number;
}

interface Waiter {
  rank: number;
  since: number;
  seq: number;
  resolve(): void;
  reject(reason: unknown): void;
}

/**
 * One rate budget for every request of a batch: submits, polls, retrievals and token requests. Each
 * attempt the client sends waits for a token (`admit`, handed to `createIdpClient`); when tokens are
 * short the token request goes first, then uploads, then polls, except that a request that has waited
 * `ageMs` (10 s) goes ahead of every fresher one, in the order they came. A 429 on any request (the
 * `hooks`, handed to the client too) cuts the rate of the whole budget: halved for 30 s or for the
 * server's `Retry-After` if longer, then whole again. The tokens come from a `RateSource`: in this
 * process for the file journal, one row of the store for every worker of a PostgreSQL batch.
 *
 * @example
 * ```ts
 * const budget = new RateBudget(localRateSource(bucketConfig(parseRate('600/min'))));
 * const idp = createIdpClient({ organizationId, auth, admit: budget.admit, hooks: [budget.hooks] });
 * try { await runBatch({ client: idp, ...options }); } finally { budget.dispose(); }
 * ```
 */
export class RateBudget {
  readonly #source: RateSource;
  readonly #slice: number;
  readonly #ageMs: number;
  readonly #now: () => number;
  #queue: Waiter[] = [];
  /** Tokens reserved and not spent yet: when each is due (this clock, ascending). */
  #slots: number[] = [];
  #seq = 0;
  #taking = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #disposed = false;
  /** Requests let through, and trips to the source (each one query, for PostgreSQL). */
  readonly stats = { admitted: 0, takes: 0, cuts: 0 };

  constructor(source: RateSource, options: RateBudgetOptions = {}) {
    this.#source = source;
    this.#slice = Math.max(1, Math.floor(options.slice ?? 1));
    this.#ageMs = Math.max(0, options.ageMs ?? AGE_MS);
    this.#now = options.now ?? Date.now;
  }

  /** The budget's rate, requests per second. */
  get perSecond(): number {
    return this.#source.perSecond;
  }

  /** The client's `admit`: each attempt waits for its turn. */
  readonly admit: Admit = (request: AdmitRequest, signal) =>
    this.take(requestKind(request.operation), signal);

  /** The client's hooks: a 429 on any attempt cuts the whole budget's rate. */
  readonly hooks: IdpHooks = {
    attemptEnd: (_attempt, outcome) => {
      if (outcome.status !== 429) return;
      const header = outcome.response?.headers.get('retry-after');
      this.rateLimited(header ? parseRetryAfter(header) : undefined);
    },
  };

  /** Waits for a token for one request of `kind`. Rejects with the signal's reason if it aborts first. */
  take(kind: RequestKind, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.#disposed) return Promise.reject(new Error('the rate budget was disposed'));
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.#queue = this.#queue.filter((w) => w !== waiter);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        rank: RANK[kind],
        since: this.#now(),
        seq: this.#seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          this.stats.admitted++;
          resolve();
        },
        reject: (reason) => {
          signal?.removeEventListener('abort', onAbort);
          reject(reason);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
      void this.#pump();
    });
  }

  /** A 429 (`retryAfterMs`: the server's `Retry-After`): the tokens reserved here go, and the rate is cut. */
  rateLimited(retryAfterMs?: number): void {
    this.#slots = [];
    this.stats.cuts++;
    // A cut that cannot be written (the store away) is not worth failing a request for: the next 429 tries again.
    this.#source.cut(retryAfterMs).catch(() => {});
  }

  /** Stops the timer and fails what still waits (the batch is over). */
  dispose(): void {
    this.#disposed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const waiter of this.#queue.splice(0)) waiter.reject(new Error('the rate budget was disposed'));
  }

  /** The next waiter to serve: the token request and the long-waiting first, then uploads, then the rest. */
  #next(): Waiter | undefined {
    const now = this.#now();
    const key = (w: Waiter) => (now - w.since >= this.#ageMs ? 0 : w.rank);
    let best: Waiter | undefined;
    for (const w of this.#queue) {
      if (!best || key(w) < key(best) || (key(w) === key(best) && w.seq < best.seq)) best = w;
    }
    if (best) this.#queue = this.#queue.filter((w) => w !== best);
    return best;
  }

  /**
   * Serves waiters as the reserved tokens come due; reserves more (`slice` at a time) when none is left.
   * Who gets a token is decided when it comes due, not when it was reserved: a submit that came later
   * still goes before a poll.
   */
  async #pump(): Promise<void> {
    if (this.#taking || this.#timer || this.#disposed) return;
    while (this.#queue.length > 0) {
      const now = this.#now();
      // A token reserved long ago and not spent (its request gave up) is let go: spent now, it would
      // come on top of the tokens due now.
      while (this.#slots.length > 0 && (this.#slots[0] as number) < now - STALE_MS) this.#slots.shift();
      const due = this.#slots[0];
      if (due !== undefined) {
        if (due > now) {
          // Not unref'd: when every request waits for a token, this timer is what moves the batch on.
          this.#timer = setTimeout(() => {
            this.#timer = undefined;
            void this.#pump();
          }, due - now);
          return;
        }
        this.#slots.shift();
        this.#next()?.resolve();
        continue;
      }
      this.#taking = true;
      try {
        this.stats.takes++;
        const { dueMs } = await this.#source.take(this.#slice);
        const at = this.#now();
        this.#slots.push(...dueMs.map((ms) => at + ms));
      } catch (error) {
        // The source gave up (a store away past its outage limit): every waiting request fails with it.
        for (const waiter of this.#queue.splice(0)) waiter.reject(error);
        return;
      } finally {
        this.#taking = false;
      }
      if (this.#disposed) return;
    }
  }
}
