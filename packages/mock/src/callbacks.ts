/**
 * The mock calls back, as IDP does: a submit that carried a `callback` part (JSON text
 * `{"noAuthUrl": "…"}`) gets a PATCH with `{executionId, actionId, version}` when its execution settles.
 * Like IDP's, a callback is sent once and never retried; a share may be lost on purpose, to try
 * what a receiver does when one never comes. Only loopback URLs are called: the mock reaches no other
 * host.
 */
import { isLoopbackHost } from '@idp-kit/http';

/**
 * How the mock calls back.
 *
 * @example
 * ```ts
 * await startMock({ callbacks: { delayMs: 500, lossRate: 0.1, seed: 7 } }); // 1 in 10 lost, the same ones every run
 * await startMock({ callbacks: { lost: [0, 2] } }); // the first and third callbacks due are lost
 * ```
 */
export interface MockCallbackOptions {
  /** How long after the execution settles the callback is sent, in ms; default 0. */
  delayMs?: number;
  /** The share of callbacks lost (never sent), 0–1; default 0. Which ones is drawn from `seed`. */
  lossRate?: number;
  /** Seeds the draw of which callbacks are lost: the same seed loses the same ones; default 1. */
  seed?: number;
  /** Exactly which callbacks are lost, by the order they fall due (0 = the first); wins over `lossRate`. */
  lost?: readonly number[];
  /** Each callback's outcome, as it happens (tests wait on these). */
  onCallback?: (event: MockCallbackEvent) => void;
  /** Where a refused or failed callback is told; default standard error. Never with the URL's query (its nonce). */
  log?: (line: string) => void;
}

/**
 * What happened to one callback: `sent` (the receiver answered `answer`), `lost` (dropped on purpose),
 * `refused` (not a loopback URL: nothing was sent), `failed` (the receiver could not be reached).
 *
 * @example
 * ```ts
 * const event: MockCallbackEvent = { n: 0, executionId, status: 'SUCCEEDED', outcome: 'sent', answer: 204 };
 * ```
 */
export interface MockCallbackEvent {
  /** Its place in the order callbacks fell due, from 0. */
  n: number;
  executionId: string;
  /** The status the execution settled in. */
  status: string;
  outcome: 'sent' | 'lost' | 'refused' | 'failed';
  /** The receiver's HTTP status, when sent. */
  answer?: number;
}

/** One execution's callback, as a submit asked for it. */
export interface CallbackRequest {
  url: string;
  executionId: string;
  actionId: string;
  version: string;
}

/**
 * A seeded generator of numbers in [0, 1) (mulberry32): which callbacks are lost must be the same on
 * every run, or a test of lost callbacks would pass or fail by chance.
 */
export function seededDraw(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The callback a submit asked for: the `noAuthUrl` of its `callback` text, or why there is none that
 * can be used. `undefined` when the submit carried no callback.
 */
export function callbackTarget(text: string | undefined): { url: string } | { problem: string } | undefined {
  if (text === undefined) return undefined;
  try {
    const url = (JSON.parse(text) as { noAuthUrl?: unknown }).noAuthUrl;
    if (typeof url === 'string' && URL.canParse(url)) return { url };
  } catch {
    // told below
  }
  return { problem: 'the callback part is not JSON text {"noAuthUrl": "<URL>"}: no callback will be sent' };
}

/** A URL as a log line may show it: without its query string, which carries the receiver's nonce. */
function shown(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** Throws a `RangeError` that says what to give when an option is out of range. */
export function checkCallbackOptions(options: MockCallbackOptions): void {
  const { delayMs = 0, lossRate = 0 } = options;
  if (!Number.isFinite(delayMs) || delayMs < 0)
    throw new RangeError(`callbacks.delayMs must be 0 or more milliseconds, got ${delayMs}`);
  if (!(lossRate >= 0 && lossRate <= 1))
    throw new RangeError(
      `callbacks.lossRate must be a share from 0 to 1 (0.1 loses one in ten), got ${lossRate}`,
    );
}

/**
 * Schedules and sends the callbacks of one mock. `schedule()` when a submit asks for one; `close()`
 * clears what is pending and aborts what is in flight, so no timer outlives the mock.
 */
export function createCallbacks(options: MockCallbackOptions = {}) {
  checkCallbackOptions(options);
  const delayMs = options.delayMs ?? 0;
  const draw = seededDraw(options.seed ?? 1);
  const lost = options.lost ? new Set(options.lost) : undefined;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const inFlight = new AbortController();
  let due = 0;

  function isLost(n: number): boolean {
    // The draw is made for every callback, so the explicit list and the share never shift each other.
    const drawn = draw() < (options.lossRate ?? 0);
    return lost ? lost.has(n) : drawn;
  }

  async function send(request: CallbackRequest, status: string): Promise<void> {
    const n = due++;
    const report = (outcome: MockCallbackEvent['outcome'], answer?: number) =>
      options.onCallback?.({
        n,
        executionId: request.executionId,
        status,
        outcome,
        ...(answer !== undefined ? { answer } : {}),
      });
    const url = new URL(request.url);
    if (!isLoopbackHost(url.hostname)) {
      log(`idp-mock: callback to ${shown(url)} refused: the mock calls back loopback hosts only`);
      return report('refused');
    }
    if (isLost(n)) return report('lost');
    const { executionId, actionId, version } = request;
    try {
      const answer = await fetch(url, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ executionId, actionId, version }),
        redirect: 'manual',
        signal: inFlight.signal,
      });
      await answer.body?.cancel();
      report('sent', answer.status);
    } catch (error) {
      if (inFlight.signal.aborted) return;
      log(
        `idp-mock: callback to ${shown(url)} failed: ${(error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message} (IDP does not retry it either)`,
      );
      report('failed');
    }
  }

  return {
    /** Where the mock tells what it did not send, and why. */
    log,
    /** Sends the callback `inMs` from now (when the execution settles), plus the configured delay. */
    schedule(request: CallbackRequest, status: () => string, inMs: number): void {
      if (inFlight.signal.aborted) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        void send(request, status());
      }, Math.max(0, inMs) + delayMs);
      timers.add(timer);
    },
    close(): void {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      inFlight.abort();
    },
  };
}

/** The callbacks of one mock; see `createCallbacks()`. */
export type Callbacks = ReturnType<typeof createCallbacks>;
