import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { backoffDelay, checkSecureUrl, isLoopbackHost, onAbort, parseRetryAfter, sleep } from './index.js';

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

describe('sleep', () => {
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
    ['not a url', false],
  ])('%s acceptable: %s', (url, ok) => {
    expect(typeof checkSecureUrl(url) !== 'string').toBe(ok);
  });

  it('loopback is localhost, 127.0.0.0/8 and ::1 only', () => {
    expect(['localhost', '127.1.2.3', '[::1]', 'a.localhost'].every(isLoopbackHost)).toBe(true);
    expect(['localhost.example.com', '128.0.0.1', '10.0.0.1'].some(isLoopbackHost)).toBe(false);
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

  it('sleeps on one signal share its listener', async () => {
    const controller = new AbortController();
    const sleeps = Array.from({ length: 15 }, () => sleep(60_000, controller.signal).catch((e) => e));
    expect(EventEmitter.getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort(new Error('stop'));
    for (const e of await Promise.all(sleeps)) expect((e as Error).message).toBe('stop');
  });
});
