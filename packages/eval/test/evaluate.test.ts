import { describe, expect, it } from 'vitest';
import { evaluate } from '../src/evaluate.js';
import { EvalInputError, type ResultDocument, type TruthRow } from '../src/inputs.js';
import { matchDocuments } from '../src/match.js';

const HASH = 'a'.repeat(64);

const doc = (file: string, fields: ResultDocument['fields'], hash?: string): ResultDocument => ({
  file,
  fields,
  ...(hash ? { hash } : {}),
});

describe('matchDocuments', () => {
  const results = [doc('/in/a/x.pdf', []), doc('/in/b/x.pdf', []), doc('/in/y.pdf', [], HASH)];
  it('by base name, by path relative to the input, by SHA-256; one to one', () => {
    const m = matchDocuments(results, [
      { file: 'b/x.pdf', fields: {} },
      { file: `sha256:${HASH.toUpperCase()}`, fields: {} },
      { file: 'x.pdf', fields: {} },
      { file: 'x.pdf', fields: {} },
      { file: 'z.pdf', fields: {} },
    ]);
    expect(m.pairs).toEqual([
      [0, 2],
      [1, 0],
      [2, 1],
    ]);
    expect(m.unmatchedTruth).toEqual(['x.pdf', 'z.pdf']);
    expect(m.unmatchedResults).toEqual([]);
  });
  it('Windows paths and ./ prefixes compare alike', () => {
    const m = matchDocuments([doc('C:\\in\\a\\x.pdf', [])], [{ file: './a/x.pdf', fields: {} }]);
    expect(m.pairs).toEqual([[0, 0]]);
  });
});

describe('evaluate', () => {
  const results = [
    doc('/in/1.pdf', [
      { kind: 'field', name: 'total', value: '$1,200.00', confidence: 95 },
      { kind: 'field', name: 'vendor', value: 'Acme', confidence: 90 },
    ]),
    doc('/in/2.pdf', [
      { kind: 'field', name: 'total', value: '99', confidence: 40 },
      { kind: 'field', name: 'vendor', value: 'Acme', confidence: 80 },
    ]),
    doc('/in/3.pdf', [
      { kind: 'field', name: 'total', value: null, confidence: 10 },
      { kind: 'field', name: 'vendor', value: 'Globex', confidence: 70 },
    ]),
    doc('/in/extra.pdf', []),
  ];
  const truth: TruthRow[] = [
    { file: '1.pdf', fields: { total: '1200', vendor: 'ACME' } },
    { file: '2.pdf', fields: { total: '100', vendor: '' } },
    { file: '3.pdf', fields: { total: '', vendor: 'Globex' } },
    { file: 'gone.pdf', fields: { total: '1' } },
  ];

  it('counts per field with the number comparator and micro-averages overall', () => {
    const report = evaluate(results, truth, { config: { fields: { total: 'number' } } });
    expect(report).toMatchObject({
      documents: 4,
      matched: 3,
      unmatchedTruth: ['gone.pdf'],
      unmatchedResults: ['/in/extra.pdf'],
    });
    // total: 1 ✓ tp; 2 ✗ fp+fn; 3 neither (null extracted) tn
    expect(report.fields.total).toMatchObject({ tp: 1, fp: 1, fn: 1, tn: 1, precision: 0.5, recall: 0.5 });
    expect(report.fields.total?.accuracy).toBeCloseTo(2 / 3, 12);
    // vendor: 1 ✓ tp (text ignores case), 2 only extracted fp, 3 ✓ tp
    expect(report.fields.vendor).toMatchObject({ tp: 2, fp: 1, fn: 0, tn: 0, recall: 1 });
    expect(report.overall).toMatchObject({ tp: 3, fp: 2, fn: 1, tn: 1, precision: 0.6, recall: 0.75 });
    expect(report.overall.accuracy).toBeCloseTo(4 / 6, 12);
    // scored values: total 95 ✓, 40 ✗ (the null at 10 is not a value); vendor 90 ✓, 80 ✗, 70 ✓
    expect(report.fields.total?.calibration.auroc).toBe(1);
    expect(report.fields.vendor?.calibration.auroc).toBe(0.5);
    expect(report.fields.total?.errorCapture).toEqual({ '5': 1, '10': 1, '20': 1 });
    expect(report.fields.total?.threshold).toEqual({ value: 95, straightThrough: 0.5, acceptedAccuracy: 1 });
    expect(report.fields.vendor?.threshold).toEqual({
      value: 90,
      straightThrough: 1 / 3,
      acceptedAccuracy: 1,
    });
    // overall, in the results' order: 95 ✓, 90 ✓, 40 ✗, 80 ✗, 70 ✓ → 5 values, 20 % = 1 reviewed (40)
    expect(report.overall.errorCapture['20']).toBe(0.5);
    expect(report.overall.calibration.brier).toBeCloseTo(
      (0.05 ** 2 + 0.1 ** 2 + 0.4 ** 2 + 0.8 ** 2 + 0.3 ** 2) / 5,
      12,
    );
  });

  it('with text, $1,200.00 is not 1200', () => {
    expect(evaluate(results, truth).fields.total?.tp).toBe(0);
  });

  it('a field no document has: all null figures, no threshold', () => {
    const report = evaluate(results, [{ file: '1.pdf', fields: { po: '' } }]);
    expect(report.fields.po).toMatchObject({
      tp: 0,
      fp: 0,
      fn: 0,
      tn: 1,
      precision: null,
      recall: null,
      f1: null,
      accuracy: 1,
      calibration: { ece: null, brier: null, auroc: null },
      errorCapture: { '5': null, '10': null, '20': null },
      threshold: null,
    });
  });

  it('matches table rows one to one by similarity, whatever their order', () => {
    const cell = (row: number, name: string, value: string, confidence = 90) => ({
      kind: 'cell',
      table: 'items',
      row,
      name,
      value,
      confidence,
    });
    const report = evaluate(
      [
        doc('/in/t.pdf', [
          cell(0, 'sku', 'B2'),
          cell(0, 'qty', '5'),
          cell(1, 'sku', 'A1'),
          cell(1, 'qty', '3'),
          cell(2, 'sku', 'Z9', 20),
          cell(2, 'qty', '1', 20),
        ]),
      ],
      [
        {
          file: 't.pdf',
          fields: {},
          tables: {
            items: [
              { sku: 'A1', qty: '3' },
              { sku: 'B2', qty: '4' },
            ],
          },
        },
      ],
      { config: { fields: { 'items.qty': 'number' } } },
    );
    // A1 ↔ row 1 (both right), B2 ↔ row 0 (qty wrong), row 2 extracted only
    expect(report.fields['items.sku']).toMatchObject({ tp: 2, fp: 1, fn: 0, tn: 0 });
    expect(report.fields['items.qty']).toMatchObject({ tp: 1, fp: 2, fn: 1, tn: 0 });
    expect(report.fields['items.qty']?.accuracy).toBeCloseTo(1 / 3, 12);
  });

  it('refuses an unknown comparator, a config field in neither file, and no match at all', () => {
    expect(() => evaluate(results, truth, { config: { fields: { total: 'money' } } })).toThrow(
      /config field "total": unknown comparator "money"/,
    );
    expect(() => evaluate(results, truth, { config: { fields: { totl: 'number' } } })).toThrow(
      /"totl" is in neither the truth nor the results/,
    );
    expect(() => evaluate(results, [{ file: 'nope.pdf', fields: { total: '1' } }])).toThrow(EvalInputError);
    expect(() => evaluate(results, [{ file: 'nope.pdf', fields: { total: '1' } }])).toThrow(
      /no truth row matches any of the 4 results/,
    );
  });
});
