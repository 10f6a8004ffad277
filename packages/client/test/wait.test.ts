import { fileURLToPath } from 'node:url';
import { execution, json, REF, startNode, until } from '@idp-kit/testkit';
import { describe, expect, it, vi } from 'vitest';
import { IdpApiError, IdpValidationError, IdpWaitTimeoutError } from '../src/index.js';
import { pollUntilDone } from '../src/poll.js';
import { rejection, setup } from './helpers.js';

const fast = { pollIntervalMs: 10, maxPollIntervalMs: 20 };

/** A runtime that answers the given statuses in order, then repeats the last. */
function lifecycle(statuses: string[]) {
  return (_req: unknown, res: Parameters<typeof json>[0], index: number) =>
    json(res, 200, execution(statuses[Math.min(index, statuses.length - 1)] ?? 'SUCCEEDED'));
}

describe('waitForExecution', () => {
  it('follows ACKNOWLEDGED → IN_PROGRESS → RESULTS_PENDING → SUCCEEDED; onProgress sees each', async () => {
    const { idp, client } = await setup(
      lifecycle(['ACKNOWLEDGED', 'IN_PROGRESS', 'RESULTS_PENDING', 'SUCCEEDED']),
    );
    const seen: string[] = [];
    const result = await client.waitForExecution(REF, { ...fast, onProgress: (e) => seen.push(e.status) });
    expect(result.status).toBe('SUCCEEDED');
    expect(seen).toEqual(['ACKNOWLEDGED', 'IN_PROGRESS', 'RESULTS_PENDING', 'SUCCEEDED']);
    expect(idp.runtimeRequests()).toHaveLength(4);
    expect(idp.tokenRequests()).toHaveLength(1);
  });

  it('polls once when the execution is already settled', async () => {
    const { idp, client } = await setup(lifecycle(['FAILED']));
    expect((await client.waitForExecution(REF, fast)).status).toBe('FAILED');
    expect(idp.runtimeRequests()).toHaveLength(1);
  });

  it('gate: a slot is held around each poll, so waits sharing one bound the polls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const { idp, client } = await setup(async (_req, res, index) => {
      inFlight++;
      most = Math.max(most, inFlight);
      // Answer on the next turn, so that every ungated poll would have started by then.
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      json(res, 200, execution(index < 6 ? 'IN_PROGRESS' : 'SUCCEEDED'));
    });
    // A one-slot gate: a queue of releases.
    let busy = false;
    const queue: (() => void)[] = [];
    const gate = async () => {
      if (busy) await new Promise<void>((resolve) => queue.push(resolve));
      busy = true;
      return () => {
        const next = queue.shift();
        if (next) next();
        else busy = false;
      };
    };
    const waits = Array.from({ length: 4 }, () => client.waitForExecution(REF, { ...fast, gate }));
    for (const result of await Promise.all(waits)) expect(result.status).toBe('SUCCEEDED');
    expect(most).toBe(1);
    expect(idp.runtimeRequests().length).toBeGreaterThanOrEqual(4);
  });

  it('gate: the release is told each answer’s size (its Content-Length)', async () => {
    const bodies = [JSON.stringify(execution('IN_PROGRESS')), JSON.stringify(execution('SUCCEEDED'))];
    const { client } = await setup((_req, res, index) => {
      if (index === 0) return json(res, 503, { status: 503, title: 'busy' }); // retried inside the poll
      const body = bodies[Math.min(index - 1, 1)] as string;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    const told: unknown[] = [];
    const gate = async () => (polled?: unknown, answer?: { bytes: number | undefined }) => {
      told.push(polled === undefined ? 'failed' : answer?.bytes);
    };
    await client.waitForExecution(REF, { ...fast, gate, retry: { maxRetries: 1, baseDelayMs: 1 } });
    expect(told).toEqual(bodies.map((b) => Buffer.byteLength(b)));
  });

  it("MANUAL_VALIDATION_REQUIRED → SUCCEEDED resolves early with 'settled' and late with 'final'", async () => {
    const statuses = ['IN_PROGRESS', 'MANUAL_VALIDATION_REQUIRED', 'MANUAL_VALIDATION_REQUIRED', 'SUCCEEDED'];
    const settled = await setup(lifecycle(statuses));
    expect((await settled.client.waitForExecution(REF, fast)).status).toBe('MANUAL_VALIDATION_REQUIRED');
    expect(settled.idp.runtimeRequests()).toHaveLength(2);

    const final = await setup(lifecycle(statuses));
    expect((await final.client.waitForExecution(REF, { ...fast, until: 'final' })).status).toBe('SUCCEEDED');
    expect(final.idp.runtimeRequests()).toHaveLength(4);
  });

  it('keeps polling through an unknown status', async () => {
    const { client } = await setup(lifecycle(['QUEUED_FOR_GPU', 'SUCCEEDED']));
    expect((await client.waitForExecution(REF, fast)).status).toBe('SUCCEEDED');
  });

  it('Retry-After on a poll replaces the next interval', async () => {
    const { client } = await setup(
      (_req, res, i) =>
        i === 0
          ? json(res, 200, execution('IN_PROGRESS'), { 'Retry-After': '1' })
          : json(res, 200, execution('SUCCEEDED')),
      { retry: { maxDelayMs: 30_000 } },
    );
    const started = Date.now();
    await client.waitForExecution(REF, fast);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('fails fast on a permanent error (404) instead of spinning', async () => {
    const { idp, client } = await setup((_req, res, i) =>
      i === 0
        ? json(res, 200, execution('IN_PROGRESS'))
        : json(res, 404, { status: 404, title: 'Not Found' }),
    );
    expect(await rejection(client.waitForExecution(REF, fast))).toBeInstanceOf(IdpApiError);
    expect(idp.runtimeRequests()).toHaveLength(2);
  });

  // A wait that ignored the abort would sleep an hour (or hang on the never-answered poll): the test's
  // hang guard would end it as a failure. No stopwatch needed.
  it('abort mid-wait rejects with the signal reason, without sleeping out the interval', async () => {
    const { idp, client } = await setup(lifecycle(['IN_PROGRESS']));
    const controller = new AbortController();
    const waiting = client.waitForExecution(REF, { pollIntervalMs: 3_600_000, signal: controller.signal });
    await vi.waitFor(() => expect(idp.runtimeRequests()).toHaveLength(1), { timeout: 60_000 });
    controller.abort(new Error('user pressed Ctrl-C'));
    await expect(waiting).rejects.toThrow('user pressed Ctrl-C');
    expect(idp.runtimeRequests()).toHaveLength(1);
  });

  it('abort while a poll is in flight rejects too', async () => {
    const { idp, client } = await setup(
      () => {
        // never answers
      },
      { timeoutMs: 3_600_000 },
    );
    const controller = new AbortController();
    const waiting = client.waitForExecution(REF, { ...fast, signal: controller.signal });
    await vi.waitFor(() => expect(idp.runtimeRequests()).toHaveLength(1), { timeout: 60_000 });
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });

  it('timeoutMs rejects with IdpWaitTimeoutError carrying the last status (fake clock)', async () => {
    // The timer under test and the poll intervals are faked; the HTTP exchanges are real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const { idp, client } = await setup(lifecycle(['ACKNOWLEDGED', 'IN_PROGRESS']));
      const seen: string[] = [];
      const onProgress = (e: { status: string }) => seen.push(e.status);
      const outcome = rejection(client.waitForExecution(REF, { ...fast, timeoutMs: 300, onProgress }));
      await until(() => seen.length === 1, 'the first poll to be read');
      await vi.advanceTimersByTimeAsync(20);
      await until(() => seen.length === 2, 'the second poll to be read');
      expect(idp.runtimeRequests()).toHaveLength(2);
      // both polls answered; the wait now sleeps before the third: run the clock past the timeout
      await vi.advanceTimersByTimeAsync(280);
      const error = (await outcome) as IdpWaitTimeoutError;
      expect(error).toBeInstanceOf(IdpWaitTimeoutError);
      expect(error.lastStatus).toBe('IN_PROGRESS');
      expect(error.message).toContain('not settled after 300 ms (last status IN_PROGRESS)');
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses bad options before sending anything', async () => {
    const { idp, client } = await setup(lifecycle(['SUCCEEDED']));
    for (const options of [{ timeoutMs: -1 }, { pollIntervalMs: Number.NaN }, { until: 'done' as 'final' }]) {
      expect(await rejection(client.waitForExecution(REF, options))).toBeInstanceOf(IdpValidationError);
    }
    expect(idp.server.requests).toHaveLength(0);
  });
});

describe('waitForExecution leaves nothing behind', () => {
  const child = fileURLToPath(new URL('./fixtures/wait-child.ts', import.meta.url));

  it.each(['settle', 'settle-before-timeout', 'abort', 'timeout'])(
    'after %s no timer is left armed, and the process exits on its own',
    async (mode) => {
      const { idp } = await setup(
        lifecycle(mode.startsWith('settle') ? ['IN_PROGRESS', 'SUCCEEDED'] : ['IN_PROGRESS']),
      );
      const started = await startNode(['--import', 'tsx', child, idp.baseUrl, mode], /timers=\d+/);
      try {
        const outcome = {
          settle: 'SUCCEEDED',
          'settle-before-timeout': 'SUCCEEDED',
          abort: 'aborted',
          timeout: 'timeout',
        };
        expect(started.output().trim()).toBe(`${outcome[mode as keyof typeof outcome]} timers=0`);
        // With nothing armed the process ends by itself.
        expect(await started.exited).toBe(0);
      } finally {
        started.child.kill('SIGKILL');
      }
    },
  );
});

/** Milliseconds between the first and second poll. */
function gap(at: number[]): number {
  return (at[1] ?? Number.NaN) - (at[0] ?? Number.NaN);
}

describe('pollUntilDone: timing (fake clock)', () => {
  function scripted(statuses: string[]) {
    const at: number[] = [];
    let i = 0;
    const poll = async () => {
      at.push(Date.now());
      const status = statuses[Math.min(i++, statuses.length - 1)] ?? 'SUCCEEDED';
      return { execution: { status }, response: new Response(null) };
    };
    return { poll, at };
  }

  it('defaults: first poll at once, then 10 s growing ×1.5 to 60 s (no jitter at random = 0.5)', async () => {
    vi.useFakeTimers();
    try {
      const { poll, at } = scripted([...Array(8).fill('IN_PROGRESS'), 'SUCCEEDED']);
      const start = Date.now();
      const done = pollUntilDone(poll, {}, { minIntervalMs: 10_000, warnOnce: () => {} }, () => 0.5);
      await vi.runAllTimersAsync();
      await done;
      const gaps = at.map((t, i) => t - (at[i - 1] ?? start));
      expect(gaps).toEqual([0, 10_000, 15_000, 22_500, 33_750, 50_625, 60_000, 60_000, 60_000]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('jitter stays within ±10%, and never below the MuleSoft floor', async () => {
    vi.useFakeTimers();
    try {
      const low = scripted(['IN_PROGRESS', 'IN_PROGRESS', 'SUCCEEDED']);
      const p1 = pollUntilDone(
        low.poll,
        { pollIntervalMs: 20_000 },
        { minIntervalMs: 10_000, warnOnce: () => {} },
        () => 0,
      );
      await vi.runAllTimersAsync();
      await p1;
      expect(gap(low.at)).toBe(18_000);

      const floor = scripted(['IN_PROGRESS', 'SUCCEEDED']);
      const p2 = pollUntilDone(floor.poll, {}, { minIntervalMs: 10_000, warnOnce: () => {} }, () => 0);
      await vi.runAllTimersAsync();
      await p2;
      expect(gap(floor.at)).toBe(10_000);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a poll's Retry-After is capped like any retry's (retry.maxDelayMs), never below the floor", async () => {
    vi.useFakeTimers();
    try {
      const at: number[] = [];
      let i = 0;
      const poll = async () => {
        at.push(Date.now());
        const status = i++ === 0 ? 'IN_PROGRESS' : 'SUCCEEDED';
        return {
          execution: { status },
          response: new Response(null, { headers: { 'Retry-After': '3600' } }),
        };
      };
      const context = { minIntervalMs: 10_000, maxDelayMs: 20_000, warnOnce: () => {} };
      const done = pollUntilDone(poll, {}, context, () => 0.5);
      await vi.runAllTimersAsync();
      await done;
      expect(gap(at)).toBe(20_000); // not an hour
    } finally {
      vi.useRealTimers();
    }
  });

  it('clamps a short interval against MuleSoft hosts, with one warning', async () => {
    vi.useFakeTimers();
    try {
      const warnings: string[] = [];
      const { poll, at } = scripted(['IN_PROGRESS', 'IN_PROGRESS', 'SUCCEEDED']);
      const done = pollUntilDone(
        poll,
        { pollIntervalMs: 1_000 },
        { minIntervalMs: 10_000, warnOnce: (m) => warnings.push(m) },
        () => 0.5,
      );
      await vi.runAllTimersAsync();
      await done;
      expect(gap(at)).toBe(10_000);
      expect(warnings).toEqual([
        "pollIntervalMs 1000 is below the service's minimum of 10000 ms between polls; using 10000 ms",
      ]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a 2-hour execution takes well under 250 polls with the defaults', async () => {
    vi.useFakeTimers();
    try {
      const start = Date.now();
      let polls = 0;
      const poll = async () => {
        polls++;
        const status = Date.now() - start >= 2 * 3600_000 ? 'SUCCEEDED' : 'IN_PROGRESS';
        return { execution: { status }, response: new Response(null) };
      };
      const done = pollUntilDone(poll, {}, { minIntervalMs: 10_000, warnOnce: () => {} });
      await vi.runAllTimersAsync();
      await done;
      expect(polls).toBeLessThan(130);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('one shared AbortSignal for many waits and calls (issue 26, item 2)', () => {
  /** Runs `work` and returns the process warnings emitted meanwhile (emitted on the next tick). */
  async function warningsDuring(work: () => Promise<unknown>): Promise<string[]> {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      await work();
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    return warnings;
  }

  it('12 waits and 12 gets on one signal at once: no MaxListenersExceededWarning, and the signal still aborts them', async () => {
    const count = 12;
    // Every request is held until all are in flight, so every wait and attempt is listening at once.
    const held: (() => void)[] = [];
    const { idp, client } = await setup((_req, res) => {
      held.push(() => json(res, 200, execution('SUCCEEDED')));
      if (held.length === count * 2) for (const answer of held) answer();
    });
    const shared = new AbortController();
    const warnings = await warningsDuring(() =>
      Promise.all([
        ...Array.from({ length: count }, () =>
          client.waitForExecution(REF, { ...fast, signal: shared.signal }),
        ),
        ...Array.from({ length: count }, () => client.getExecution(REF, { signal: shared.signal })),
      ]),
    );
    expect(warnings).toEqual([]);
    expect(idp.runtimeRequests()).toHaveLength(count * 2);

    // The shared listener still ends every wait in flight when the signal aborts.
    const { client: stalled } = await setup((_req, res) => json(res, 200, execution('IN_PROGRESS')));
    const waits = Array.from({ length: count }, () =>
      rejection(stalled.waitForExecution(REF, { ...fast, signal: shared.signal })),
    );
    shared.abort(new Error('stop'));
    for (const error of await Promise.all(waits)) expect((error as Error).message).toMatch(/aborted: stop/);
  });
});
