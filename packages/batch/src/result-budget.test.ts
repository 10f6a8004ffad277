import { describe, expect, it } from 'vitest';
import { ResultBudget } from './result-budget.js';

const MiB = 1024 * 1024;

/** Starts `n` acquisitions; resolves with the releases of those admitted now (the rest wait). */
async function admitted(budget: ResultBudget, n: number) {
  const got: (() => void)[] = [];
  const waiting = Array.from({ length: n }, () => budget.acquire().then((release) => got.push(release)));
  // Admission is decided synchronously or on a release, never on a timer: settle the microtasks.
  await Promise.resolve();
  await Promise.resolve();
  return { got, waiting };
}

describe('ResultBudget', () => {
  it('admits one poll until the first answer; then every poll while answers are small', async () => {
    const budget = new ResultBudget(8 * MiB);
    const { got } = await admitted(budget, 20);
    expect(got).toHaveLength(1);
    budget.learn(2_000);
    await Promise.resolve();
    await Promise.resolve();
    expect(got).toHaveLength(20);
  });

  it('an answer of unknown size lifts the first-answer rule, and sizes nothing', async () => {
    const budget = new ResultBudget(8 * MiB);
    budget.learn(undefined);
    const { got } = await admitted(budget, 20);
    expect(got).toHaveLength(20);
  });

  it('once 2.6 MB results are seen, only three are in flight within 8 MiB; a release lets the next in', async () => {
    const budget = new ResultBudget(8 * MiB);
    budget.learn(2.6e6);
    expect(budget.allowed).toBe(3);
    const { got, waiting } = await admitted(budget, 5);
    expect(got).toHaveLength(3);
    got[0]?.();
    got[0]?.(); // a second release of the same poll changes nothing
    await Promise.resolve();
    await Promise.resolve();
    expect(got).toHaveLength(4);
    for (const release of got.slice(1)) release();
    await Promise.all(waiting);
    expect(got).toHaveLength(5);
  });

  it('always admits one poll, however large its result', async () => {
    const budget = new ResultBudget(MiB);
    budget.learn(50 * MiB);
    const { got } = await admitted(budget, 2);
    expect(got).toHaveLength(1);
  });

  it('a large answer sizes the budget for the next 64 answers, small ones between them included', () => {
    const budget = new ResultBudget(8 * MiB);
    budget.learn(2.6e6);
    for (let i = 0; i < 63; i++) budget.learn(2_000);
    budget.learn(undefined); // an answer of unknown size teaches nothing
    budget.learn(Number.NaN);
    expect(budget.allowed).toBe(3);
    budget.learn(2_000); // the 64th known size after it: the large one leaves the window
    expect(budget.allowed).toBeGreaterThan(100);
  });

  it('a waiting poll whose signal aborts leaves the queue with the reason', async () => {
    const budget = new ResultBudget(MiB);
    budget.learn(2 * MiB);
    const first = await budget.acquire();
    const controller = new AbortController();
    const second = budget.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await expect(second).rejects.toThrow('stop');
    first();
    const third = await budget.acquire();
    third();
  });
});
