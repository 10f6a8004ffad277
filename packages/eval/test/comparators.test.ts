import { describe, expect, it } from 'vitest';
import { ComparatorError, parseComparator, parseDate, parseNumber, similarity } from '../src/comparators.js';
import { levenshtein } from '../src/levenshtein.js';

describe('text', () => {
  const eq = parseComparator('text');
  it('trims, collapses whitespace and ignores case', () => {
    expect(eq('  Acme   Corp\n', 'acme corp')).toBe(true);
    expect(eq('Acme Corp', 'Acme Corp.')).toBe(false);
  });
});

describe('exact', () => {
  const eq = parseComparator('exact');
  it('is byte-equal', () => {
    expect(eq('Acme', 'Acme')).toBe(true);
    expect(eq('Acme', 'acme')).toBe(false);
    expect(eq('Acme', 'Acme ')).toBe(false);
  });
});

describe('number', () => {
  it('drops currency symbols, codes and thousands separators', () => {
    expect(parseNumber('$1,234.50')).toBe(1234.5);
    expect(parseNumber('USD 1,234.50')).toBe(1234.5);
    expect(parseNumber('1.234,56 €')).toBe(1234.56);
    expect(parseNumber('(12.00)')).toBe(-12);
    expect(parseNumber('n/a')).toBeUndefined();
  });
  it('is equal within 0.005 by default', () => {
    const eq = parseComparator('number');
    expect(eq('$1,234.50', '1234.504')).toBe(true);
    expect(eq('$1,234.50', '1234.51')).toBe(false);
    expect(eq('0.3', String(0.1 + 0.2))).toBe(true);
  });
  it('takes a tolerance', () => {
    const eq = parseComparator('number:1');
    expect(eq('100', '101')).toBe(true);
    expect(eq('100', '101.5')).toBe(false);
  });
  it('compares as text when a side is not a number', () => {
    expect(parseComparator('number')('N/A', 'n/a')).toBe(true);
  });
});

describe('date', () => {
  it('reads ISO, month-first, "Mar 5, 2026" and "5 March 2026"', () => {
    for (const s of ['2026-03-05', '03/05/2026', 'Mar 5, 2026', '5 March 2026', 'March 5th, 2026'])
      expect(parseDate(s), s).toBe('2026-03-05');
    expect(parseDate('05/03/2026', true)).toBe('2026-03-05');
    expect(parseDate('2026-02-30')).toBeUndefined();
  });
  it('compares as dates', () => {
    expect(parseComparator('date')('2026-03-05', 'Mar 5, 2026')).toBe(true);
    expect(parseComparator('date')('2026-03-05', '05/03/2026')).toBe(false);
    expect(parseComparator('date:dmy')('2026-03-05', '05/03/2026')).toBe(true);
  });
});

describe('fuzzy', () => {
  it('is 1 − Levenshtein / longer length after normalising', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(similarity('Acme Corp', 'ACME Corp.')).toBeCloseTo(0.9, 10);
    expect(parseComparator('fuzzy:0.9')('Acme Corp', 'ACME Corp.')).toBe(true);
    expect(parseComparator('fuzzy:0.95')('Acme Corp', 'ACME Corp.')).toBe(false);
  });
});

describe('parseComparator', () => {
  it.each(['money', 'fuzzy', 'fuzzy:2', 'number:x', 'date:ymd', 'text:1', 'number:1:2'])(
    'refuses %s and says what is accepted',
    (spec) => {
      expect(() => parseComparator(spec)).toThrow(ComparatorError);
      expect(() => parseComparator(spec)).toThrow(/use one of text, number/);
    },
  );
});
