import { describe, expect, it } from 'vitest';
import { auroc, brier, ece, reliabilityBins, type ScoredValue } from '../src/calibration.js';
import { outcome, rates } from '../src/counts.js';
import { adviseThreshold, ascending, errorCapture, thresholdCurve } from '../src/review-budget.js';

const v = (confidence: number, correct: boolean): ScoredValue => ({ confidence, correct });

describe('counts', () => {
  it('both present and not equal is a false positive and a false negative', () => {
    expect(outcome(true, true, false)).toEqual({ tp: 0, fp: 1, fn: 1, tn: 0 });
    expect(outcome(true, true, true)).toEqual({ tp: 1, fp: 0, fn: 0, tn: 0 });
    expect(outcome(false, true, false)).toEqual({ tp: 0, fp: 1, fn: 0, tn: 0 });
    expect(outcome(true, false, false)).toEqual({ tp: 0, fp: 0, fn: 1, tn: 0 });
    expect(outcome(false, false, false)).toEqual({ tp: 0, fp: 0, fn: 0, tn: 1 });
  });
  it('precision, recall, f1 and accuracy; null with nothing to divide by', () => {
    // 6 docs: 3 right, 1 wrong (fp+fn), 1 spurious (fp), 1 empty (tn)
    const r = rates({ tp: 3, fp: 2, fn: 1, tn: 1 }, 6);
    expect(r.precision).toBeCloseTo(3 / 5, 12);
    expect(r.recall).toBeCloseTo(3 / 4, 12);
    expect(r.f1).toBeCloseTo((2 * 0.6 * 0.75) / 1.35, 12);
    expect(r.accuracy).toBeCloseTo(4 / 6, 12);
    expect(rates({ tp: 0, fp: 0, fn: 0, tn: 0 }, 0)).toEqual({
      precision: null,
      recall: null,
      f1: null,
      accuracy: null,
    });
    expect(rates({ tp: 0, fp: 1, fn: 1, tn: 0 }, 1).f1).toBe(0);
  });
});

describe('calibration', () => {
  it('bins by ⌊confidence/10⌋ with 100 in the last bin; empty bins stay empty', () => {
    const bins = reliabilityBins([v(100, true), v(90, false), v(9.99, true), v(10, true)]);
    expect(bins[9]).toEqual({ from: 90, count: 2, accuracy: 0.5, meanConfidence: 95 });
    expect(bins[0]?.count).toBe(1);
    expect(bins[1]?.count).toBe(1);
    expect(bins[5]).toEqual({ from: 50, count: 0, accuracy: null, meanConfidence: null });
  });
  it('ECE by hand', () => {
    // bin 9: {100 ✓, 90 ✗}: acc .5, mean .95 → |.45| × 2/4; bin 2: {25 ✓, 25 ✗}: acc .5, mean .25 → .25 × 2/4
    expect(ece([v(100, true), v(90, false), v(25, true), v(25, false)])).toBeCloseTo(0.225 + 0.125, 12);
    expect(ece([])).toBeNull();
  });
  it('Brier by hand', () => {
    expect(brier([v(80, true), v(40, false)])).toBeCloseTo((0.04 + 0.16) / 2, 12);
    expect(brier([])).toBeNull();
  });
  it('AUROC counts ties as ½', () => {
    // pairs (right, wrong): (90,50) 1, (90,90) ½, (70,50) 1, (70,90) 0 → 2.5 / 4
    expect(auroc([v(90, true), v(70, true), v(50, false), v(90, false)])).toBeCloseTo(0.625, 12);
    expect(auroc([v(50, true), v(50, false)])).toBe(0.5);
    expect(auroc([v(90, true), v(10, false)])).toBe(1);
  });
  it('AUROC is null without a wrong value, or without a right one', () => {
    expect(auroc([v(90, true), v(80, true)])).toBeNull();
    expect(auroc([v(90, false)])).toBeNull();
    expect(auroc([])).toBeNull();
  });
});

describe('error capture', () => {
  it('reviews the first ⌈b/100 × n⌉ by confidence, ties in the given order', () => {
    // n = 30: 10 % is 3 values, 20 % is 6.
    const values = Array.from({ length: 30 }, (_, i) => v(50 + i, true));
    values[3] = v(53, false); // the 4th lowest: outside a 10 % review
    values[29] = v(99, false);
    expect(errorCapture(values, 10)).toBe(0);
    expect(errorCapture(values, 20)).toBe(0.5); // 6 reviewed: catches the one at 53
    // ties: a wrong value tied with a right one, the right one first: a 1-value review misses it
    expect(errorCapture([v(10, true), v(10, false), v(90, true)], 5)).toBe(0);
    expect(errorCapture([v(10, false), v(10, true), v(90, true)], 5)).toBe(1);
  });
  it('counts the reviewed values in integers: 7 % of 100 is 7, not ⌈7.000000000000001⌉ = 8', () => {
    const values = Array.from({ length: 100 }, (_, i) => v(i, i !== 7));
    expect(errorCapture(values, 7)).toBe(0);
    expect(errorCapture(values, 8)).toBe(1);
  });
  it('is null with no wrong value', () => {
    expect(errorCapture([v(10, true)], 20)).toBeNull();
    expect(errorCapture([], 20)).toBeNull();
  });
});

describe('threshold advice', () => {
  // 10 values: the wrong ones at 40 and 60
  const values = [95, 90, 90, 85, 80, 75, 70, 60, 50, 40].map((c) => v(c, c !== 40 && c !== 60));
  it('the lowest observed T whose accepted values reach the target', () => {
    expect(adviseThreshold(values, 0.99)).toEqual({ value: 70, straightThrough: 0.7, acceptedAccuracy: 1 });
    // ≥ 60: 8 values, 7 right = 0.875; ≥ 50: 9 values, 8 right = 0.889; ≥ 40: 10 values, 8 right = 0.8
    expect(adviseThreshold(values, 0.85)).toEqual({
      value: 50,
      straightThrough: 0.9,
      acceptedAccuracy: 8 / 9,
    });
    expect(adviseThreshold(values, 0.89)).toEqual({ value: 70, straightThrough: 0.7, acceptedAccuracy: 1 });
    expect(adviseThreshold(values, 0.8)?.value).toBe(40);
  });
  it('ties: T takes every value with that confidence', () => {
    const curve = thresholdCurve([v(90, true), v(90, false), v(80, true)]);
    expect(curve).toEqual([
      { threshold: 80, straightThrough: 1, acceptedAccuracy: 2 / 3 },
      { threshold: 90, straightThrough: 2 / 3, acceptedAccuracy: 0.5 },
    ]);
  });
  it('is null when no threshold reaches the target, or there are no values', () => {
    expect(adviseThreshold([v(99, false), v(50, true)], 0.99)).toBeNull();
    expect(adviseThreshold([], 0.99)).toBeNull();
  });
  it('99 right of 100 reaches 0.99', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => v(50, i !== 0));
    expect(adviseThreshold(hundred, 0.99)?.value).toBe(50);
  });
});

describe('ascending', () => {
  const bySort = (values: ScoredValue[]) => [...values].sort((a, b) => a.confidence - b.confidence);
  it('sorts a batch-sized set (scores in thousandths: bucketed) stably, as a comparison sort does', () => {
    // 5,000 values on 0–100 in thousandths, many ties; each a distinct object so order is checked
    const values = Array.from({ length: 5000 }, (_, i) => v(((i * 7919) % 2001) / 20, i % 3 === 0));
    values.push(v(100, true), v(0, false), v(99.999, true));
    const sorted = ascending(values);
    const expected = bySort(values);
    expect(sorted).toHaveLength(values.length);
    expect(sorted.every((x, i) => x === expected[i])).toBe(true);
  });
  it('falls back to a comparison sort off the grid', () => {
    const values = Array.from({ length: 2000 }, (_, i) => v(((i * 37) % 100) + 1 / 3, i % 2 === 0));
    const expected = bySort(values);
    expect(ascending(values).every((x, i) => x === expected[i])).toBe(true);
  });
});
