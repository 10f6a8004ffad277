import { describe, expect, it } from 'vitest';
import { creditsFor, heldMessage, isPaidHere, maxPagesOf, PageBudget, pagesSubmitted } from './budget.js';
import type { DocumentRecord } from './journal.js';

const record = (state: DocumentRecord['state'], pages: number, more: Partial<DocumentRecord> = {}) =>
  ({
    key: `${state}-${pages}`,
    hash: 'h',
    path: '/p',
    fileName: 'p.pdf',
    state,
    pages,
    updatedAt: '',
    ...more,
  }) as DocumentRecord;

describe('PageBudget', () => {
  it('admits documents in order while their pages fit; the first that does not stops it', () => {
    const budget = new PageBudget(10);
    expect(budget.admit(4)).toBe(true);
    expect(budget.admit(5)).toBe(true);
    expect(budget.admit(2)).toBe(false); // 11 > 10
    expect(budget.admit(1)).toBe(false); // would fit, but input order is kept
    expect(budget.spent).toBe(9);
    expect(budget.left).toBe(1);
    expect(budget.stopped).toBe(true);
  });

  it('starts from what earlier runs submitted: the same budget again admits nothing more', () => {
    const again = new PageBudget(10, 9);
    expect(again.admit(2)).toBe(false);
    const larger = new PageBudget(20, 9);
    expect(larger.admit(2)).toBe(true);
    expect(larger.spent).toBe(11);
  });

  it('exactly the budget fits; unknown pages never fit a limit; no limit admits all', () => {
    expect(new PageBudget(3).admit(3)).toBe(true);
    expect(new PageBudget(3).admit(undefined)).toBe(false);
    const free = new PageBudget(undefined);
    expect(free.admit(1_000)).toBe(true);
    expect(free.left).toBeUndefined();
  });

  it('gives back the pages of an upload that was not paid', () => {
    const budget = new PageBudget(5);
    budget.admit(5);
    budget.refund(5);
    expect(budget.spent).toBe(0);
    expect(budget.admit(5)).toBe(true);
  });

  it('says why a document was held back', () => {
    const budget = new PageBudget(10, 8);
    budget.admit(3);
    expect(heldMessage(3, budget)).toMatch(
      /^budget: not sent, its 3 page\(s\) would take the batch past its budget of 10 pages \(8 before it\)/,
    );
    expect(heldMessage(1, budget)).toMatch(/^budget: not sent, an earlier document did not fit/);
    expect(heldMessage(undefined, budget)).toMatch(/^budget: not sent, its pages are unknown/);
  });
});

describe('maxPagesOf', () => {
  it('pages, credits at a rate, or the smaller of both', () => {
    expect(maxPagesOf({})).toBeUndefined();
    expect(maxPagesOf({ maxPages: 300 })).toBe(300);
    expect(maxPagesOf({ maxCredits: 500, creditsPerPage: 2.5 })).toBe(200);
    expect(maxPagesOf({ maxPages: 100, maxCredits: 500, creditsPerPage: 2.5 })).toBe(100);
    expect(maxPagesOf({ maxCredits: 0.3, creditsPerPage: 0.1 })).toBe(3);
  });

  it('a credit budget without a rate, a negative or a non-number is refused, saying what to give', () => {
    expect(() => maxPagesOf({ maxCredits: 10 })).toThrow(/needs the rate.*--credits-per-page/);
    expect(() => maxPagesOf({ maxPages: -1 })).toThrow(/maxPages must be a number of at least 0, got -1/);
    expect(() => maxPagesOf({ maxPages: Number.NaN })).toThrow(/maxPages/);
    expect(() => maxPagesOf({ creditsPerPage: 0 })).toThrow(/more than 0/);
  });
});

describe('what a batch paid for', () => {
  it('uploads and maybe-uploads count; refused, queued, failed-to-send and reused ones do not', () => {
    const records = [
      record('retrieved', 3, { executionId: 'a', status: 'FAILED' }),
      record('submitted', 2, { executionId: 'b' }),
      record('uncertain', 5),
      record('submitting', 7),
      record('queued', 11),
      record('rejected', 151),
      record('error', 13),
      record('error', 17, { executionId: 'c' }),
      record('retrieved', 19, { executionId: 'd', duplicateOf: { batch: 'march', executionId: 'd' } }),
    ];
    expect(records.filter(isPaidHere).map((r) => r.pages)).toEqual([3, 2, 5, 7, 17]);
    expect(pagesSubmitted(records)).toBe(34);
  });

  it('credits: pages × the rate given, or null without one', () => {
    expect(creditsFor(12, 2.5)).toBe(30);
    expect(creditsFor(3, 0.1)).toBe(0.3);
    expect(creditsFor(12, undefined)).toBeNull();
  });
});
