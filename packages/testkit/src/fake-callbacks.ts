/**
 * The fake IDP's callbacks: a PATCH to the URL a submit named, when its execution settles, once and
 * never retried; some lost on purpose (by a seeded draw or by their order), to try a receiver that
 * waits for one that never comes.
 */
import { isLoopbackHost } from '@idp-kit/http';
import type { FakeCallbackEvent, FakeCallbackOptions } from './fake-idp-options.js';

/** A seeded generator of numbers in [0, 1) (mulberry32): the same callbacks are lost on every run. */
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

/** The `noAuthUrl` of a submit's `callback` part, or undefined when there is none or it is not JSON. */
export function callbackUrl(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const url = (JSON.parse(text) as { noAuthUrl?: unknown }).noAuthUrl;
    return typeof url === 'string' && URL.canParse(url) ? url : undefined;
  } catch {
    return undefined;
  }
}

export interface CallbackDue {
  url: string;
  executionId: string;
  actionId: string;
  version: string;
  status: string;
  /** What the test chose for it (`FakeCallbackOptions.fate`); default `send`. */
  fate?: 'send' | 'lose' | 'hold';
}

/** Sends callbacks as they fall due; `close()` clears pending ones and aborts those in flight. */
export function fakeCallbacks(
  options: FakeCallbackOptions,
  now: () => number,
  onEvent: (event: FakeCallbackEvent) => void,
) {
  const lossRate = options.lossRate ?? 0;
  if (!(lossRate >= 0 && lossRate <= 1))
    throw new RangeError(
      `callbacks.lossRate must be a share from 0 to 1 (0.1 loses one in ten), got ${lossRate}`,
    );
  const draw = seededDraw(options.seed ?? 1);
  const lost = options.lost ? new Set(options.lost) : undefined;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const inFlight = new AbortController();
  let due = 0;

  /** The PATCH itself, to where `route` says (loopback only): the receiver's status, or the host refused. */
  async function deliver(
    url: string,
    body: Record<string, unknown>,
  ): Promise<{ status: number } | { refused: string }> {
    const target = new URL((await options.route?.(url)) ?? url);
    // The fake reaches no host but this machine, whatever a test hands it.
    if (!isLoopbackHost(target.hostname)) return { refused: target.host };
    const answer = await fetch(target, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal: inFlight.signal,
    });
    await answer.body?.cancel();
    return { status: answer.status };
  }

  async function send(callback: CallbackDue): Promise<void> {
    const n = due++;
    // Drawn for every callback, so that the explicit list and the share never shift each other.
    const drawnLost = draw() < lossRate;
    // A held callback is the test's to send: nothing happened to it yet.
    if (callback.fate === 'hold') return;
    const report = (outcome: FakeCallbackEvent['outcome'], answer?: number) =>
      onEvent({
        n,
        executionId: callback.executionId,
        status: callback.status,
        outcome,
        at: now(),
        ...(answer !== undefined ? { answer } : {}),
      });
    if (!options.route && !isLoopbackHost(new URL(callback.url).hostname)) return report('refused');
    if (callback.fate === 'lose' || (lost ? lost.has(n) : drawnLost)) return report('lost');
    const { executionId, actionId, version } = callback;
    try {
      const answer = await deliver(callback.url, { executionId, actionId, version });
      if ('refused' in answer) report('refused');
      else report('sent', answer.status);
    } catch {
      if (!inFlight.signal.aborted) report('failed');
    }
  }

  return {
    /** Sends `callback` after the configured delay. */
    schedule(callback: CallbackDue): void {
      if (inFlight.signal.aborted) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        void send(callback);
      }, options.delayMs ?? 0);
      timers.add(timer);
    },
    /** Sends one callback now, as the test says: not counted among the fake's own; the receiver's status. */
    async sendNow(url: string, body: Record<string, unknown>): Promise<number> {
      const answer = await deliver(url, body);
      if ('refused' in answer)
        throw new Error(`the fake IDP calls back loopback URLs only; ${answer.refused} is not one`);
      return answer.status;
    },
    close(): void {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      inFlight.abort();
    },
  };
}
