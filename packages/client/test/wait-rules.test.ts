import { getEventListeners } from 'node:events';
import { execution, json, REF } from '@idp-kit/testkit';
import { describe, expect, it, vi } from 'vitest';
import { IdpAbortError, IdpValidationError, IdpWaitTimeoutError } from '../src/index.js';
import { pollUntilDone } from '../src/poll.js';
import { rejection, setup } from './helpers.js';

// waitForExecution's rules beyond the common path: which options are refused, when a wait ends and what
// it says then, and that it leaves no timer or listener behind in this process.

const quiet = { minIntervalMs: 10_000, warnOnce: () => {} };

/** A poll that answers the given statuses in order (then repeats the last), noting when it was asked. */
function scripted(statuses: string[], headers: Record<string, string> = {}) {
  const at: number[] = [];
  let i = 0;
  const poll = async () => {
    at.push(Date.now());
    const status = statuses[Math.min(i++, statuses.length - 1)] ?? 'SUCCEEDED';
    return { execution: { status }, response: new Response(null, { headers }) };
  };
  return { poll, at };
}

/** Milliseconds between one poll and the next. */
function gaps(at: number[]): number[] {
  return at.slice(1).map((t, i) => t - (at[i] ?? Number.NaN));
}

async function onFakeClock<T>(work: () => Promise<T>): Promise<T> {
  vi.useFakeTimers();
  try {
    const done = work();
    done.catch(() => {}); // read below; not unhandled while the clock runs
    await vi.runAllTimersAsync();
    return await done;
  } finally {
    vi.useRealTimers();
  }
}

describe('waitForExecution: options refused before anything is sent', () => {
  it.each([
    [{ timeoutMs: Number.POSITIVE_INFINITY }, /timeoutMs must be a number of milliseconds/],
    [{ maxPollIntervalMs: -5 }, /maxPollIntervalMs must be/],
    [{ pollIntervalMs: -1 }, /pollIntervalMs must be/],
    [{ until: 'SUCCEEDED' as 'final' }, /until must be 'settled' or 'final', got "SUCCEEDED"/],
  ])('%o', async (options, message) => {
    const { idp, client } = await setup((_req, res) => json(res, 200, execution('SUCCEEDED')));
    const error = await rejection(client.waitForExecution(REF, options));
    expect(error).toBeInstanceOf(IdpValidationError);
    expect((error as Error).message).toMatch(message);
    expect(idp.server.requests).toHaveLength(0);
  });

  it('0 ms is a valid interval and timeout bound (against a loopback IDP)', async () => {
    const { client } = await setup((_req, res, i) =>
      json(res, 200, execution(i === 0 ? 'IN_PROGRESS' : 'SUCCEEDED')),
    );
    const result = await client.waitForExecution(REF, { pollIntervalMs: 0, maxPollIntervalMs: 0 });
    expect(result.status).toBe('SUCCEEDED');
  });

  it('a signal aborted before the wait: IdpAbortError with its reason, nothing sent', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 200, execution('SUCCEEDED')));
    const controller = new AbortController();
    controller.abort(new Error('not now'));
    const error = (await rejection(
      client.waitForExecution(REF, { signal: controller.signal }),
    )) as IdpAbortError;
    expect(error).toBeInstanceOf(IdpAbortError);
    expect(error.reason).toEqual(new Error('not now'));
    expect(idp.server.requests).toHaveLength(0);
  });
});

describe('pollUntilDone: the interval (fake clock)', () => {
  it('an interval exactly at the service minimum is used as it is, with no warning', async () => {
    const warnings: string[] = [];
    const { poll, at } = scripted(['IN_PROGRESS', 'SUCCEEDED']);
    await onFakeClock(() =>
      pollUntilDone(
        poll,
        { pollIntervalMs: 10_000 },
        { ...quiet, warnOnce: (m) => warnings.push(m) },
        () => 0.5,
      ),
    );
    expect(gaps(at)[0]).toBe(10_000);
    expect(warnings).toEqual([]);
  });

  it('maxPollIntervalMs below pollIntervalMs: the interval stays at pollIntervalMs', async () => {
    const { poll, at } = scripted(['IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'SUCCEEDED']);
    await onFakeClock(() =>
      pollUntilDone(poll, { pollIntervalMs: 20_000, maxPollIntervalMs: 15_000 }, quiet, () => 0.5),
    );
    expect(gaps(at)).toEqual([20_000, 20_000, 20_000]);
  });

  it('maxPollIntervalMs caps the growth', async () => {
    const { poll, at } = scripted(['IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'SUCCEEDED']);
    await onFakeClock(() =>
      pollUntilDone(poll, { pollIntervalMs: 10_000, maxPollIntervalMs: 12_000 }, quiet, () => 0.5),
    );
    expect(gaps(at)).toEqual([10_000, 12_000, 12_000]);
  });

  it('jitter at its top: +10%', async () => {
    const { poll, at } = scripted(['IN_PROGRESS', 'SUCCEEDED']);
    await onFakeClock(() => pollUntilDone(poll, { pollIntervalMs: 20_000 }, quiet, () => 1));
    expect(gaps(at)[0]).toBe(22_000);
  });

  it('Retry-After with no cap configured is waited out as asked', async () => {
    const { poll, at } = scripted(['IN_PROGRESS', 'SUCCEEDED'], { 'Retry-After': '90' });
    await onFakeClock(() => pollUntilDone(poll, {}, quiet, () => 0.5));
    expect(gaps(at)[0]).toBe(90_000);
  });

  it('a Retry-After shorter than the interval replaces it (not below the floor)', async () => {
    const { poll, at } = scripted(['IN_PROGRESS', 'SUCCEEDED'], { 'Retry-After': '12' });
    await onFakeClock(() =>
      pollUntilDone(poll, { pollIntervalMs: 30_000 }, { ...quiet, maxDelayMs: 60_000 }, () => 0.5),
    );
    expect(gaps(at)[0]).toBe(12_000);
  });

  it('the debug log says the status and when the next poll is', async () => {
    const lines: string[] = [];
    const logger = { debug: (m: string) => lines.push(m) };
    const { poll } = scripted(['IN_PROGRESS', 'SUCCEEDED']);
    await onFakeClock(() => pollUntilDone(poll, {}, { ...quiet, logger }, () => 0.5));
    expect(lines).toEqual(['waitForExecution: IN_PROGRESS; next poll in 10000 ms']);
  });
});

describe('pollUntilDone: how a wait ends', () => {
  it("timeoutMs before any poll answered: IdpWaitTimeoutError with no lastStatus, 'final' named", async () => {
    vi.useFakeTimers();
    try {
      const poll = (signal: AbortSignal) =>
        new Promise<never>((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        );
      const outcome = rejection(pollUntilDone(poll, { timeoutMs: 5_000, until: 'final' }, quiet));
      await vi.advanceTimersByTimeAsync(5_000);
      const error = (await outcome) as IdpWaitTimeoutError;
      expect(error).toBeInstanceOf(IdpWaitTimeoutError);
      expect(error.lastStatus).toBeUndefined();
      expect(error.message).toContain('not final after 5000 ms (no poll answered)');
    } finally {
      vi.useRealTimers();
    }
  });

  it('a poll that fails ends the wait with its error, and its gate slot is released empty', async () => {
    const released: unknown[] = [];
    const gate = async () => (polled?: unknown) => released.push(polled ?? 'none');
    const failure = new Error('HTTP 404');
    const error = await rejection(
      pollUntilDone(
        async () => {
          throw failure;
        },
        { gate },
        quiet,
      ),
    );
    expect(error).toBe(failure);
    expect(released).toEqual(['none']);
  });

  it('a gate slot is released with the execution each poll read', async () => {
    const released: unknown[] = [];
    const gate = async () => (polled?: { status: string }) => released.push(polled?.status);
    const { poll } = scripted(['IN_PROGRESS', 'SUCCEEDED']);
    await onFakeClock(() => pollUntilDone(poll, { gate }, quiet, () => 0.5));
    expect(released).toEqual(['IN_PROGRESS', 'SUCCEEDED']);
  });

  it('leaves no timer and no listener on the caller’s signal once it settled', async () => {
    vi.useFakeTimers();
    try {
      const controller = new AbortController();
      const { poll } = scripted(['IN_PROGRESS', 'SUCCEEDED']);
      const done = pollUntilDone(poll, { timeoutMs: 3_600_000, signal: controller.signal }, quiet, () => 0.5);
      await vi.advanceTimersByTimeAsync(10_000);
      expect((await done).status).toBe('SUCCEEDED');
      expect(vi.getTimerCount()).toBe(0);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('leaves no timer and no listener after a failed poll either', async () => {
    vi.useFakeTimers();
    try {
      const controller = new AbortController();
      const error = await rejection(
        pollUntilDone(
          async () => {
            throw new Error('down');
          },
          { timeoutMs: 3_600_000, signal: controller.signal },
          quiet,
        ),
      );
      expect((error as Error).message).toBe('down');
      expect(vi.getTimerCount()).toBe(0);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('pollUntilDone: what the caller is told', () => {
  it("until: 'settled', named explicitly, is the default: it stops at MANUAL_VALIDATION_REQUIRED", async () => {
    const { poll, at } = scripted(['IN_PROGRESS', 'MANUAL_VALIDATION_REQUIRED', 'SUCCEEDED']);
    const result = await onFakeClock(() => pollUntilDone(poll, { until: 'settled' }, quiet, () => 0.5));
    expect(result.status).toBe('MANUAL_VALIDATION_REQUIRED');
    expect(at).toHaveLength(2);
  });

  it('a signal aborted before the wait: neither the gate nor the poll is asked', async () => {
    const asked: string[] = [];
    const gate = async () => {
      asked.push('gate');
      return () => {};
    };
    const poll = async () => {
      asked.push('poll');
      return { execution: { status: 'SUCCEEDED' }, response: new Response(null) };
    };
    const controller = new AbortController();
    controller.abort(new Error('shutting down'));
    const error = await rejection(pollUntilDone(poll, { gate, signal: controller.signal }, quiet));
    expect(error).toBeInstanceOf(IdpAbortError);
    expect((error as Error).message).toMatch(/^waitForExecution aborted: shutting down/);
    expect(asked).toEqual([]);
  });

  it('an abort between polls: IdpAbortError naming the wait, with the signal’s reason', async () => {
    vi.useFakeTimers();
    try {
      const controller = new AbortController();
      const { poll, at } = scripted(['IN_PROGRESS']);
      const outcome = rejection(pollUntilDone(poll, { signal: controller.signal }, quiet, () => 0.5));
      await vi.advanceTimersByTimeAsync(1_000);
      controller.abort(new Error('user pressed Ctrl-C'));
      const error = (await outcome) as IdpAbortError;
      expect(error).toBeInstanceOf(IdpAbortError);
      expect(error.message).toMatch(/^waitForExecution aborted: user pressed Ctrl-C/);
      expect(error.reason).toEqual(new Error('user pressed Ctrl-C'));
      expect(at).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a logger without a debug method is fine: the wait goes on', async () => {
    const warned: string[] = [];
    const { poll } = scripted(['IN_PROGRESS', 'SUCCEEDED']);
    const logger = { warn: (m: string) => warned.push(m) };
    const result = await onFakeClock(() => pollUntilDone(poll, {}, { ...quiet, logger }, () => 0.5));
    expect(result.status).toBe('SUCCEEDED');
    expect(warned).toEqual([]);
  });

  it('the gate’s release is told each answer’s declared length, or no length when it has none', async () => {
    const lengths = [undefined, '0', '2048', 'chunked', '-5'];
    let i = 0;
    const poll = async () => {
      const length = lengths[i];
      i++;
      return {
        execution: { status: i < lengths.length ? 'IN_PROGRESS' : 'SUCCEEDED' },
        response: new Response(null, length === undefined ? {} : { headers: { 'content-length': length } }),
      };
    };
    const sizes: unknown[] = [];
    const gate = async () => (_polled?: unknown, answer?: { bytes: number | undefined }) =>
      sizes.push(answer?.bytes);
    await onFakeClock(() => pollUntilDone(poll, { gate }, quiet, () => 0.5));
    // A batch sizes its budget of result bytes from these: never a negative or made-up size.
    expect(sizes).toEqual([undefined, 0, 2048, undefined, undefined]);
  });
});
