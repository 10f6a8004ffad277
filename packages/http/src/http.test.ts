import { EventEmitter, getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  backoffDelay,
  checkSecureUrl,
  dispatchAbort,
  isLoopbackHost,
  linkedAbort,
  onAbort,
  parseRetryAfter,
  RETRYABLE_STATUSES,
  sleep,
} from './index.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('parseRetryAfter', () => {
  it.each([
    ['2', 2000],
    [' 10 ', 10_000],
    ['-5', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    [null, undefined],
  ])('%j → %j', (value, ms) => {
    expect(parseRetryAfter(value)).toBe(ms);
  });

  it('an HTTP date counts from now; a past one is 0', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:27:58 GMT');
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now)).toBe(2000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
  });
});

describe('backoffDelay: full jitter under an exponential ceiling, capped', () => {
  it.each([
    [0, 500],
    [1, 1000],
    [3, 4000],
    [10, 30_000],
  ])('attempt %i: at most %i ms', (attempt, ceiling) => {
    const options = { baseDelayMs: 500, maxDelayMs: 30_000 };
    expect(backoffDelay(attempt, options, () => 0)).toBe(0);
    expect(backoffDelay(attempt, options, () => 0.999_999)).toBe(ceiling - 1);
  });
});

describe('RETRYABLE_STATUSES: what a retry can fix', () => {
  it.each([408, 429, 500, 502, 503, 504])('%i is retried', (status) => {
    expect(RETRYABLE_STATUSES.has(status)).toBe(true);
  });

  it.each([400, 401, 403, 404, 409, 422, 501])('%i is not: asking again gets the same answer', (status) => {
    expect(RETRYABLE_STATUSES.has(status)).toBe(false);
  });
});

describe('sleep', () => {
  it('without a signal, resolves after its time and not before', async () => {
    vi.useFakeTimers();
    let done = false;
    const slept = sleep(1_000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await slept;
    expect(done).toBe(true);
  });

  it('a signal that has already aborted rejects at once, with no timer', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const slept = sleep(3_600_000, AbortSignal.abort(new Error('already stopped')));
    expect(timers()).toBe(before);
    await expect(slept).rejects.toThrow('already stopped');
  });

  it('a sleep that ran its course leaves no listener on the signal (one deadline serves many retries)', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    for (let i = 0; i < 20; i++) {
      const slept = sleep(10, controller.signal);
      await vi.advanceTimersByTimeAsync(10);
      await slept;
    }
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects at once with the reason when aborted, and leaves no timer', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const controller = new AbortController();
    const slept = sleep(3_600_000, controller.signal);
    expect(timers()).toBe(before + 1);
    controller.abort(new Error('stop'));
    await expect(slept).rejects.toThrow('stop');
    expect(timers()).toBe(before);
  });
});

describe('URLs', () => {
  it.each([
    ['https://idp-rt.us-east-1.anypoint.mulesoft.com', true],
    ['http://127.0.0.1:4010', true],
    ['http://localhost:4010', true],
    ['http://example.com', false],
    ['https://user:pw@example.com', false],
    ['ftp://example.com', false],
    // The loopback exemption is for http only.
    ['ftp://127.0.0.1', false],
    ['not a url', false],
    ['http://127.255.255.254:8080', true],
    // A public DNS name that starts like a loopback address is not one: a token must not go there over http.
    ['http://127.0.0.1.nip.io', false],
    ['https://user@example.com', false],
    ['https://:pw@example.com', false],
  ])('%s acceptable: %s', (url, ok) => {
    expect(typeof checkSecureUrl(url) !== 'string').toBe(ok);
  });

  // These texts end up in the TypeError a user reads to fix a base URL or tokenUrl setting.
  it.each([
    ['not a url', /"not a url" is not an absolute URL/],
    ['http://idp.example.com', /loopback.*not idp\.example\.com; use https/],
    ['ftp://idp.example.com', /must be https, not ftp$/],
  ])('the problem with %s says what to change', (url, problem) => {
    expect(checkSecureUrl(url)).toMatch(problem);
  });

  it('a URL with credentials is refused without repeating them', () => {
    const problem = checkSecureUrl('https://app:s3cret-pass@idp.example.com');
    expect(problem).toMatch(/must not carry credentials/);
    expect(problem).not.toContain('s3cret-pass');
  });

  it('loopback is localhost, 127.0.0.0/8 and ::1 only', () => {
    // '::1' bare is how a listening server's address() names it; URLs name it '[::1]'.
    expect(
      ['localhost', '127.1.2.3', '127.0.0.53', '[::1]', '::1', 'a.localhost'].every(isLoopbackHost),
    ).toBe(true);
    expect(['localhost.example.com', '128.0.0.1', '10.0.0.1', '127.0.0.1.nip.io'].some(isLoopbackHost)).toBe(
      false,
    );
  });
});

describe('onAbort', () => {
  it('20 subscribers add one listener to the signal; an unsubscribed one is not called', async () => {
    const controller = new AbortController();
    const calls: number[] = [];
    const stops = Array.from({ length: 20 }, (_, i) => onAbort(controller.signal, () => calls.push(i)));
    expect(EventEmitter.getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    stops[3]?.();
    controller.abort();
    expect(calls).toHaveLength(19);
    expect(calls).not.toContain(3);
    expect(EventEmitter.getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('the last unsubscribe removes the shared listener; a later subscriber gets a fresh one', () => {
    const controller = new AbortController();
    const stops = Array.from({ length: 5 }, () => onAbort(controller.signal, () => {}));
    for (const stop of stops) stop();
    expect(EventEmitter.getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    let called = 0;
    onAbort(controller.signal, () => called++);
    expect(EventEmitter.getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    expect(called).toBe(1);
  });

  it('linkedAbort: the parent’s abort and reason pass on; an aborted parent at once; unlinked, nothing', () => {
    const parent = new AbortController();
    const linked = linkedAbort(parent.signal);
    const reason = new Error('stop');
    parent.abort(reason);
    expect(linked.controller.signal.reason).toBe(reason);
    expect(linkedAbort(AbortSignal.abort(reason)).controller.signal.aborted).toBe(true);
    expect(linkedAbort(undefined).controller.signal.aborted).toBe(false);
    const other = new AbortController();
    const left = linkedAbort(other.signal);
    left.unlink();
    expect(EventEmitter.getEventListeners(other.signal, 'abort')).toHaveLength(0);
    other.abort();
    expect(left.controller.signal.aborted).toBe(false);
  });

  it('sleeps on one signal share its listener', async () => {
    const controller = new AbortController();
    const sleeps = Array.from({ length: 15 }, () => sleep(60_000, controller.signal).catch((e) => e));
    expect(EventEmitter.getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort(new Error('stop'));
    for (const e of await Promise.all(sleeps)) expect((e as Error).message).toBe('stop');
  });
});

describe('dispatchAbort', () => {
  const GLOBAL = Symbol.for('undici.globalDispatcher.1');
  const store = globalThis as Record<symbol, unknown>;

  /** Runs `body` with `fake` as the global fetch dispatcher. */
  function withGlobal(fake: unknown, body: () => void) {
    const saved = store[GLOBAL];
    store[GLOBAL] = fake;
    try {
      body();
    } finally {
      store[GLOBAL] = saved;
    }
  }

  it('an abort asked before the request started ends it as soon as it connects, once', () => {
    const ended: unknown[] = [];
    const handler = { onConnect: (_abort: (reason: Error) => void) => {} };
    withGlobal({ dispatch: () => true }, () => {
      const ending = dispatchAbort();
      if (!ending) throw new Error('no dispatcher to wrap');
      ending.abort(new Error('too slow'));
      ending.abort(new Error('twice'));
      (ending.init.dispatcher as { dispatch(o: unknown, h: typeof handler): boolean }).dispatch({}, handler);
      handler.onConnect((reason) => ended.push(reason));
    });
    expect(ended.map((e) => (e as Error).message)).toEqual(['too slow']);
  });

  it('a handler that offers no abort is not sent, and later attempts use a signal (undefined)', () => {
    withGlobal({ dispatch: () => true }, () => {
      const ending = dispatchAbort();
      if (!ending) throw new Error('no dispatcher to wrap');
      const dispatcher = ending.init.dispatcher as { dispatch(o: unknown, h: object): boolean };
      expect(() => dispatcher.dispatch({}, {})).toThrow(/no abort/);
      expect(dispatchAbort()).toBeUndefined();
    });
  });
});
