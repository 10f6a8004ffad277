import { createHash, randomBytes } from 'node:crypto';
import {
  type Execution,
  type ExecutionRef,
  IdpAbortError,
  type IdpClient,
  IdpWaitTimeoutError,
  isFinal,
  isLoopbackHost,
  isSettled,
} from '@idp-kit/client';
import { callbackUrl, NONCE_PARAM } from '@idp-kit/client/callback';
import { linkedAbort, onAbort } from '@idp-kit/http';
import { type CallbackJudge, listenForCallbacks, parseListen } from './callback-receiver.js';
import type { DocumentRecord, SharedJournalStore } from './journal.js';

/**
 * Callbacks in place of polls (`runBatch({ callbacks })`, `idp batch run --callback-url`): each upload
 * carries a URL with its own secret nonce, IDP PATCHes it when the execution settles, and the batch
 * fetches the execution then, once. A sweep fetches what has had no callback for `sweepMs`, so a lost
 * callback costs time, never a result.
 *
 * @example
 * ```ts
 * await runBatch({ ...options, callbacks: { url: 'https://hooks.acme.com/idp', listen: '127.0.0.1:8787' } });
 * ```
 */
export interface CallbackOptions {
  /**
   * The public base URL that reaches the listener (a reverse proxy, a tunnel): https, or http on
   * loopback. Default: the listener's own address (a mock or a fake IDP on this machine).
   */
  url?: string;
  /** Where the listener binds: `host:port`; default `127.0.0.1:8787` (loopback: a proxy or tunnel forwards). */
  listen?: string;
  /**
   * A document without a callback for this long is fetched anyway (then again after 1.5× as long, up
   * to the poll maximum). Default 2× the service's P99 (13.38 s): 26.76 s. At least 10 s against
   * MuleSoft hosts, as polls.
   */
  sweepMs?: number;
}

/** The service's published P99 from upload to settled (MuleSoft's benchmark). */
export const SERVICE_P99_MS = 13_380;
/**
 * The default sweep: twice the service's P99.
 *
 * @example
 * ```ts
 * DEFAULT_SWEEP_MS; // 26_760
 * ```
 */
export const DEFAULT_SWEEP_MS = 2 * SERVICE_P99_MS;
/**
 * Where the callback listener binds by default: loopback only; a reverse proxy or tunnel forwards to it.
 *
 * @example
 * ```ts
 * parseListen(DEFAULT_CALLBACK_LISTEN); // { host: '127.0.0.1', port: 8787 }
 * ```
 */
export const DEFAULT_CALLBACK_LISTEN = '127.0.0.1:8787';
/** The service's floor between two polls of an execution: a sweep is a poll. */
const MULESOFT_FLOOR_MS = 10_000;
const DEFAULT_MAX_INTERVAL_MS = 60_000;
/** How often a worker of a shared store asks whether another worker received a callback for its documents. */
const NUDGE_CHECK_MS = 250;

/**
 * The hash a record keeps of its nonce: the store never holds the secret itself, yet a receiver after a
 * kill -9 and a resume still knows every nonce it handed out.
 *
 * @example
 * ```ts
 * record.nonceHash === nonceHash(nonce);
 * ```
 */
export function nonceHash(nonce: string): string {
  return createHash('sha256').update(nonce).digest('hex');
}

/**
 * `text` with every callback nonce blanked (a server that echoes the callback URL into an error must
 * not get the nonce into the journal or a log).
 *
 * @example
 * ```ts
 * scrubNonces('bad url https://h/?idp_nonce=abc'); // 'bad url https://h/?idp_nonce=…'
 * ```
 */
export function scrubNonces(text: string): string {
  return text.replace(new RegExp(`(${NONCE_PARAM}(?:=|%3D|\\\\u003d))[A-Za-z0-9_%-]+`, 'gi'), '$1…');
}

/** What a wait needs to know besides its execution. */
interface WaitOptions {
  until: 'settled' | 'final';
  valueOnly: boolean;
  signal: AbortSignal | undefined;
  timeoutMs: number | undefined;
  maxPollIntervalMs: number | undefined;
  gate: (signal: AbortSignal) => Promise<(polled?: { status: string }) => void>;
  onProgress?: ((execution: Execution<boolean>) => void) | undefined;
  /** Uploaded by this loop just now: the first fetch waits for the callback (or the sweep). */
  fresh: boolean;
}

/**
 * The batch's side of callbacks: the listener, a nonce per upload, and waits that fetch on a callback
 * or at the sweep.
 */
export interface BatchCallbacks {
  /** The listener's base URL, as given to IDP without a nonce (never print a nonce). */
  readonly url: string;
  /** The listener's address. */
  readonly listening: string;
  /** A new nonce for one upload: the URL to give IDP, and the hash to journal before the POST. */
  nonce(): { url: string; hash: string };
  /** Until the execution is settled (or final): a fetch on its callback, or at the sweep. */
  wait(ref: ExecutionRef, options: WaitOptions): Promise<Execution<boolean>>;
  close(): Promise<void>;
}

/** Waits parked until a callback (or the sweep) wakes them: one fetch per execution on a callback. */
class Wakes {
  private readonly waiters = new Map<string, () => void>();
  /** Executions whose callback has been acted on (this run): a replay fetches nothing more. */
  private readonly woken = new Set<string>();
  /** Callbacks that came while nobody waited on their execution (between two fetches, or before the id was journaled). */
  private readonly early = new Set<string>();

  /** A callback for `executionId`: wakes its wait, once. */
  wake(executionId: string): void {
    if (this.woken.has(executionId)) return;
    const waiter = this.waiters.get(executionId);
    if (!waiter) {
      if (this.early.size < 100_000) this.early.add(executionId);
      return;
    }
    this.woken.add(executionId);
    waiter();
  }

  /**
   * The execution moved on to a status IDP calls back for again (MANUAL_VALIDATION_REQUIRED, then
   * SUCCEEDED once a reviewer is done: `--until final`): its next callback is acted on too.
   */
  rearm(executionId: string): void {
    this.woken.delete(executionId);
    this.early.delete(executionId);
  }

  hasWaiter(executionId: string): boolean {
    return this.waiters.has(executionId);
  }

  get waiting(): number {
    return this.waiters.size;
  }

  /** Resolves on the execution's callback, or after `ms` (the sweep); rejects when `signal` aborts. */
  quiet(executionId: string, ms: number, signal: AbortSignal): Promise<'callback' | 'sweep'> {
    if (this.early.delete(executionId) && !this.woken.has(executionId)) {
      this.woken.add(executionId);
      return Promise.resolve('callback');
    }
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        off();
        this.waiters.delete(executionId);
      };
      const timer = setTimeout(() => {
        finish();
        resolve('sweep');
      }, ms);
      const off = onAbort(signal, () => {
        finish();
        reject(signal.reason);
      });
      this.waiters.set(executionId, () => {
        finish();
        resolve('callback');
      });
    });
  }
}

/**
 * Starts the batch's callback listener over `store`, whose records know each nonce's hash (any worker
 * of a shared store answers any callback of the batch: the one that holds the document fetches it).
 */
export async function startCallbacks(
  options: CallbackOptions,
  context: {
    client: IdpClient;
    store: SharedJournalStore;
    action: { actionId: string; actionVersion: string };
  },
): Promise<BatchCallbacks> {
  const { client, store, action } = context;
  const sweepMs = sweepOf(options.sweepMs, client.baseUrl);
  const wakes = new Wakes();
  const lookup = async (nonce: string) =>
    nonce.length >= 16 ? await store.findByNonce?.(nonceHash(nonce)) : undefined;

  const judge: CallbackJudge<DocumentRecord> = {
    find: lookup,
    judge(record, executionId) {
      // Before the upload's answer is journaled the record has no id yet: its wait checks the id.
      if (record.executionId !== undefined && record.executionId !== executionId) {
        return { verdict: 'foreign' };
      }
      if (!waitsFor(record)) return { verdict: 'accepted' }; // settled and retrieved: nothing to fetch
      return { verdict: 'accepted', after: () => deliver(record, executionId) };
    },
  };
  /** Wakes the wait here, or tells the store for the worker that holds the document. */
  async function deliver(record: DocumentRecord, executionId: string): Promise<void> {
    if (store.nudge && !wakes.hasWaiter(executionId)) {
      // Another worker may hold it; if nobody does, whoever claims it next fetches it at once.
      await store.nudge(record.key).catch(() => {}); // lost: the sweep still fetches it
      return;
    }
    wakes.wake(executionId);
  }

  const listen = parseListen(options.listen ?? DEFAULT_CALLBACK_LISTEN);
  const receiver = await listenForCallbacks(listen, judge);
  const local = isLoopbackHost(receiver.address.host) ? receiver.address.host : '127.0.0.1';
  const hostPart = local.includes(':') ? `[${local}]` : local;
  const listening = `${hostPart}:${receiver.address.port}`;
  const base = options.url ?? `http://${listening}/`;
  try {
    callbackUrl(base, 'x'.repeat(32), action); // checked now, not at the first upload
  } catch (error) {
    await receiver.close();
    throw error;
  }

  // A shared store: callbacks received by other workers for the documents this one holds.
  const nudges = store.takeNudges
    ? setInterval(() => {
        if (wakes.waiting === 0) return;
        store
          .takeNudges?.()
          .then((ids) => {
            for (const id of ids) wakes.wake(id);
          })
          .catch(() => {}); // the next check, or the sweep
      }, NUDGE_CHECK_MS)
    : undefined;
  nudges?.unref();

  return {
    url: base,
    listening,
    nonce() {
      const secret = randomBytes(24).toString('base64url'); // 192 bits
      return { url: callbackUrl(base, secret, action), hash: nonceHash(secret) };
    },
    wait: (ref, waitOptions) => sweepingWait(client, wakes, ref, { ...waitOptions, sweepMs }),
    async close() {
      clearInterval(nudges);
      await receiver.close();
    },
  };
}

/** Whether a document of this record may still need a fetch (a callback for it is worth acting on). */
function waitsFor(record: DocumentRecord): boolean {
  return record.state === 'submitting' || record.state === 'submitted' || record.state === 'settled';
}

/** The sweep asked for, at the service's floor against MuleSoft hosts (as polls). */
function sweepOf(asked: number | undefined, baseUrl: string): number {
  const sweep = asked ?? DEFAULT_SWEEP_MS;
  if (!Number.isFinite(sweep) || sweep < 0) {
    throw new Error(`the callback sweep must be a number of milliseconds ≥ 0, got ${asked}`);
  }
  let host = '';
  try {
    host = new URL(baseUrl).hostname;
  } catch {
    // a hand-made client without a base URL: no floor to keep
  }
  return host === '' || isLoopbackHost(host) ? sweep : Math.max(MULESOFT_FLOOR_MS, sweep);
}

/**
 * One execution's wait with callbacks: a fetch when its callback comes (once), or when the sweep is
 * due; at once when the document was not uploaded just now (a rerun, a takeover: a callback may have
 * come while nobody listened).
 */
async function sweepingWait(
  client: IdpClient,
  wakes: Wakes,
  ref: ExecutionRef,
  options: WaitOptions & { sweepMs: number },
): Promise<Execution<boolean>> {
  const done = options.until === 'final' ? isFinal : isSettled;
  const { controller, unlink } = linkedAbort(options.signal);
  let last: string | undefined;
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(
          () =>
            controller.abort(
              new IdpWaitTimeoutError(
                `waitForExecution: not ${options.until} after ${options.timeoutMs} ms${last ? ` (last status ${last})` : ' (no fetch answered)'}. ` +
                  'Wait longer, or check the execution later by its id.',
                last === undefined ? {} : { lastStatus: last },
              ),
            ),
          options.timeoutMs,
        );
  let interval = options.sweepMs;
  const maxInterval = Math.max(interval, options.maxPollIntervalMs ?? DEFAULT_MAX_INTERVAL_MS);
  try {
    for (let first = !options.fresh; ; first = false) {
      const why = first ? 'first' : await wakes.quiet(ref.executionId, interval, controller.signal);
      const release = await options.gate(controller.signal);
      let execution: Execution<boolean>;
      try {
        execution = await client.getExecution(ref, {
          valueOnly: options.valueOnly,
          signal: controller.signal,
        });
      } catch (error) {
        release();
        throw error;
      }
      release(execution);
      // Settled but not done (a review under --until final): IDP calls back again when it is final.
      if (execution.status !== last && isSettled(execution.status)) wakes.rearm(ref.executionId);
      last = execution.status;
      options.onProgress?.(execution);
      if (done(execution.status)) return execution;
      // Only an unfinished sweep spaces the next one out: after an early callback, the sweep as it was.
      if (why === 'sweep') interval = Math.min(interval * 1.5, maxInterval);
    }
  } catch (error) {
    if (controller.signal.aborted) {
      const reason: unknown = controller.signal.reason;
      throw reason instanceof IdpWaitTimeoutError ? reason : new IdpAbortError('waitForExecution', reason);
    }
    throw error;
  } finally {
    clearTimeout(timer);
    unlink();
  }
}
