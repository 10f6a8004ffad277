import { describe, expect, it } from 'vitest';
import { diffResults, diffStream, worseFirst } from '../src/diff.js';
import { checkGate, parseFailOn } from '../src/fail-on.js';
import { EvalInputError, type ResultDocument, type TruthRow } from '../src/inputs.js';

const hash = (i: number) => i.toString(16).padStart(64, '0');
const field = (name: string, value: string | null, confidence?: number) => ({
  kind: 'field',
  name,
  value,
  ...(confidence !== undefined ? { confidence } : {}),
});
const doc = (i: number, fields: ResultDocument['fields'], dir = '/in'): ResultDocument => ({
  file: `${dir}/doc-${i}.pdf`,
  hash: hash(i),
  fields,
});

/**
 * Four documents, by hand:
 * | doc | total a → b            | vendor a → b        |
 * | 0   | 10 (90) → 10.00 (80)   | Acme (90) → ACME (95) |
 * | 1   | 20 (90) → 21 (40)      | Acme (90) → –         |
 * | 2   | – → 30 (70)            | – → –                 |
 * | 3   | 40 (50) → 40 (60)      | Acme (90) → Other (30) |
 * b also has doc 4, a has doc 5: neither is compared.
 */
function sides() {
  const a = [
    doc(0, [field('total', '10', 90), field('vendor', 'Acme', 90)]),
    doc(1, [field('total', '20', 90), field('vendor', 'Acme', 90)]),
    doc(2, [field('total', null), field('vendor', '  ')]),
    doc(3, [field('total', '40', 50), field('vendor', 'Acme', 90)]),
    doc(5, [field('total', '1', 99)]),
  ];
  const b = [
    doc(4, [field('total', '1', 99)], '/other'),
    doc(3, [field('total', '40', 60), field('vendor', 'Other', 30)], '/other'),
    doc(2, [field('total', '30', 70)], '/other'),
    doc(1, [field('total', '21', 40)], '/other'),
    doc(0, [field('total', '10.00', 80), field('vendor', 'ACME', 95)], '/other'),
  ];
  return { a, b };
}
const config = { fields: { total: 'number' } };

describe('diffResults', () => {
  it('counts agree, neither, changed, appeared, disappeared per field, matched by content hash', () => {
    const { a, b } = sides();
    const { report } = diffResults(a, b, { config, sources: { a: '1.1.0', b: '1.2.0' } });
    expect(report.matched).toBe(4);
    expect(report.onlyInA).toEqual(['/in/doc-5.pdf']);
    expect(report.onlyInB).toEqual(['/other/doc-4.pdf']);
    expect(report.a).toEqual({ source: '1.1.0', documents: 5 });
    const { total, vendor } = report.fields;
    expect(total).toMatchObject({
      compared: 4,
      agree: 2,
      neither: 0,
      changed: 1,
      appeared: 1,
      disappeared: 0,
    });
    expect(total?.changedShare).toBe(0.5);
    expect(vendor).toMatchObject({
      compared: 4,
      agree: 1,
      neither: 1,
      changed: 1,
      appeared: 0,
      disappeared: 1,
    });
    expect(vendor?.changedShare).toBeCloseTo(2 / 3, 12);
    expect(report.overall).toMatchObject({
      compared: 8,
      agree: 3,
      neither: 1,
      changed: 2,
      appeared: 1,
      disappeared: 1,
    });
  });

  it('the change in mean confidence, over the values present on each side', () => {
    const { a, b } = sides();
    const { total, vendor } = diffResults(a, b, { config }).report.fields;
    // a: 90, 90, 50 → 230/3; b: 80, 40, 70, 60 → 62.5
    expect(total?.meanConfidence.a).toBeCloseTo(230 / 3, 12);
    expect(total?.meanConfidence.b).toBe(62.5);
    expect(total?.meanConfidence.change).toBeCloseTo(62.5 - 230 / 3, 12);
    // a: 90 × 3; b: 95, 30
    expect(vendor?.meanConfidence).toEqual({ a: 90, b: 62.5, change: -27.5 });
  });

  it('lists every changed value with both files, values and scores, largest confidence drop first', () => {
    const { a, b } = sides();
    const { changes } = diffResults(a, b, { config }).report;
    expect(changes.map((c) => [c.field, c.file.a, c.kind, c.a.value, c.b.value, c.confidenceDrop])).toEqual([
      ['vendor', '/in/doc-1.pdf', 'disappeared', 'Acme', null, 90],
      ['vendor', '/in/doc-3.pdf', 'changed', 'Acme', 'Other', 60],
      ['total', '/in/doc-1.pdf', 'changed', '20', '21', 50],
      ['total', '/in/doc-2.pdf', 'appeared', null, '30', -70],
    ]);
    expect(changes[0]).toEqual({
      field: 'vendor',
      kind: 'disappeared',
      hash: hash(1),
      file: { a: '/in/doc-1.pdf', b: '/other/doc-1.pdf' },
      a: { value: 'Acme', confidence: 90 },
      b: { value: null },
      verdict: 'unjudged',
      confidenceDrop: 90,
    });
  });

  it('without the number comparator, 10 and 10.00 differ (the config decides what agrees)', () => {
    const { a, b } = sides();
    expect(diffResults(a, b).report.fields.total).toMatchObject({ agree: 1, changed: 2 });
  });

  it('table cells are compared row by row', () => {
    const cell = (row: number, name: string, value: string) => ({
      kind: 'cell',
      table: 'items',
      row,
      name,
      value,
    });
    const { report } = diffResults(
      [doc(0, [cell(0, 'sku', 'A1'), cell(1, 'sku', 'B2')])],
      [doc(0, [cell(0, 'sku', 'A1'), cell(1, 'sku', 'B3'), cell(2, 'sku', 'C4')])],
    );
    expect(report.fields['items.sku']).toMatchObject({ compared: 3, agree: 1, changed: 1, appeared: 1 });
    expect(report.changes.map((c) => [c.row, c.kind])).toEqual([
      [1, 'changed'],
      [2, 'appeared'],
    ]);
  });

  it('table rows are paired by likeness (Hungarian), not by index: a row read at the top changes only itself', () => {
    // Generated: document i has 3 + i % 4 line items; b reads a new "Freight" row at position i % (rows + 1)
    // and, on every third document, a different qty on row 1.
    const cell = (row: number, name: string, value: string) => ({
      kind: 'cell',
      table: 'items',
      row,
      name,
      value,
    });
    const a: ResultDocument[] = [];
    const b: ResultDocument[] = [];
    let rowsInA = 0;
    let qtyChanged = 0;
    for (let i = 0; i < 12; i++) {
      const items = Array.from({ length: 3 + (i % 4) }, (_, r) => ({
        sku: `SKU-${i}-${r}`,
        qty: String(r + 1),
      }));
      rowsInA += items.length;
      a.push(
        doc(
          i,
          items.flatMap((it, r) => [cell(r, 'sku', it.sku), cell(r, 'qty', it.qty)]),
        ),
      );
      const read = items.map((it, r) => (i % 3 === 0 && r === 1 ? { ...it, qty: '99' } : it));
      if (i % 3 === 0) qtyChanged++;
      read.splice(i % (items.length + 1), 0, { sku: 'Freight', qty: '1' });
      b.push(
        doc(
          i,
          read.flatMap((it, r) => [cell(r, 'sku', it.sku), cell(r, 'qty', it.qty)]),
        ),
      );
    }
    const { report } = diffResults(a, b);
    const compared = rowsInA + 12;
    expect(report.fields['items.sku']).toMatchObject({
      compared,
      agree: rowsInA,
      changed: 0,
      appeared: 12,
      disappeared: 0,
    });
    expect(report.fields['items.qty']).toMatchObject({
      compared,
      agree: rowsInA - qtyChanged,
      changed: qtyChanged,
      appeared: 12,
      disappeared: 0,
    });
    // Each changed qty names its row on both sides: b's is one further down when Freight came before it.
    const changed = report.changes.filter((c) => c.kind === 'changed');
    expect(changed.map((c) => [c.file.a, c.rows, c.a.value, c.b.value])).toEqual(
      [0, 3, 6, 9].map((i) => [`/in/doc-${i}.pdf`, { a: 1, b: i % (4 + (i % 4)) <= 1 ? 2 : 1 }, '2', '99']),
    );
    expect(
      report.changes.filter((c) => c.kind === 'appeared' && c.field === 'items.sku').map((c) => c.b.value),
    ).toEqual(Array(12).fill('Freight'));
  });

  it('diffStream (side a streamed) gives the same report as diffResults', async () => {
    const { a, b } = sides();
    async function* streamed() {
      yield* a;
    }
    const options = { config, sources: { a: '1.1.0', b: '1.2.0' } };
    expect(await diffStream(streamed(), b, options)).toEqual(diffResults(a, b, options));
    await expect(diffStream([doc(0, [])], [doc(1, [])])).rejects.toThrow(/SHA-256/);
  });

  it('diffStream with both sides streamed: the same report, in step or out of step, duplicates and strays included', async () => {
    async function* streamed(docs: readonly ResultDocument[]) {
      yield* docs;
    }
    const sided = sides();
    // Four changes alike (a tie in the worst-first order, kept in a's order), read by b in reverse.
    const alike = [10, 11, 12, 13];
    const a = [...sided.a, ...alike.map((i) => doc(i, [field('note', 'x', 50)]))];
    const b = [...sided.b, ...alike.reverse().map((i) => doc(i, [field('note', 'y', 50)], '/other'))];
    const options = { config, sources: { a: '1.1.0', b: '1.2.0' } };
    const expected = diffResults(a, b, options);
    // b out of step with a (as sides() has it), in step, and reversed; a line of a content twice on each side.
    const inStep = [...b].sort((x, y) => (x.hash ?? '').localeCompare(y.hash ?? ''));
    const twice = (docs: ResultDocument[], d: ResultDocument) => [
      ...docs,
      { ...d, fields: [field('total', 'late')] },
    ];
    for (const bs of [b, inStep, [...b].reverse()]) {
      const a2 = twice(a, a[0] as ResultDocument);
      const b2 = twice(bs, bs[1] as ResultDocument);
      const got = await diffStream(streamed(a2), streamed(b2), options);
      expect(got).toEqual(diffResults(a2, b2, options));
      expect(got.report.changes).toEqual(expected.report.changes);
      expect(Object.keys(got.report.fields)).toEqual(Object.keys(expected.report.fields));
    }
    await expect(diffStream(streamed([doc(0, [])]), streamed([doc(1, [])]))).rejects.toThrow(/SHA-256/);
  });

  it('a config field found on neither side is an EvalInputError, as in eval', () => {
    const { a, b } = sides();
    expect(() => diffResults(a, b, { config: { fields: { totl: 'number' } } })).toThrow(
      /config field "totl" is in neither/,
    );
  });

  it('no document in common: an EvalInputError that says documents match by content', () => {
    expect(() => diffResults([doc(0, [])], [doc(1, [])])).toThrow(EvalInputError);
    expect(() => diffResults([doc(0, [])], [doc(1, [])])).toThrow(/SHA-256/);
  });
});

describe('diffResults with truth', () => {
  // doc 0 total right on both; doc 1 right in a (20) → wrong in b (21); doc 2 not on the document:
  // a right (nothing), b wrong (30); doc 3 wrong in a (40 vs 41) and b. vendor: Acme everywhere but doc 3
  // (Other is right there: a wrong → b right).
  const truth: TruthRow[] = [
    { file: 'doc-0.pdf', fields: { total: '10', vendor: 'acme' } },
    { file: 'doc-1.pdf', fields: { total: '20', vendor: 'Acme' } },
    { file: 'doc-2.pdf', fields: { total: '', vendor: '' } },
    { file: 'doc-3.pdf', fields: { total: '41', vendor: 'Other' } },
  ];

  it("each side's eval figures over the common documents, and b − a", () => {
    const { a, b } = sides();
    const { report, evals } = diffResults(a, b, { truth, config });
    expect(report.truth).toEqual({ matched: 4, unmatchedTruth: [] });
    const total = report.fields.total?.eval;
    // a: tp 2 (doc 0, 1), fp+fn doc 3 → precision 2/3, recall 2/3, f1 2/3; b: tp 1, fp 3 (1, 2, 3), fn 2
    expect(total?.a).toMatchObject({ tp: 2, fp: 1, fn: 1, tn: 1 });
    expect(total?.b).toMatchObject({ tp: 1, fp: 3, fn: 2, tn: 0 });
    expect(total?.a.f1).toBeCloseTo(2 / 3, 12);
    expect(total?.b.f1).toBeCloseTo(2 / 7, 12);
    expect(total?.change.f1).toBeCloseTo(2 / 7 - 2 / 3, 12);
    expect(evals?.a.documents).toBe(4); // doc 5, only in a, is left out
  });

  it('judges each changed value; a value that was right and became wrong comes first', () => {
    const { a, b } = sides();
    const { changes } = diffResults(a, b, { truth, config }).report;
    expect(changes.map((c) => [c.field, c.file.a, c.verdict, c.truth])).toEqual([
      ['vendor', '/in/doc-1.pdf', 'regressed', 'Acme'], // drop 90
      ['total', '/in/doc-1.pdf', 'regressed', '20'], // drop 50
      ['total', '/in/doc-2.pdf', 'regressed', null], // drop −70
      ['vendor', '/in/doc-3.pdf', 'improved', 'Other'],
    ]);
  });

  it('worseFirst: verdict, then confidence drop, then disappeared before changed before appeared', () => {
    const base = { field: 'f', file: { a: 'x', b: 'x' }, a: { value: 'a' }, b: { value: 'b' } };
    const c = (
      verdict: 'regressed' | 'improved' | 'unjudged',
      drop: number,
      kind: 'changed' | 'appeared' | 'disappeared',
    ) => ({
      ...base,
      verdict,
      confidenceDrop: drop,
      kind,
    });
    const list = [
      c('improved', 99, 'changed'),
      c('unjudged', 5, 'appeared'),
      c('unjudged', 5, 'disappeared'),
      c('regressed', -10, 'changed'),
    ];
    expect(list.sort(worseFirst).map((x) => `${x.verdict} ${x.confidenceDrop} ${x.kind}`)).toEqual([
      'regressed -10 changed',
      'unjudged 5 disappeared',
      'unjudged 5 appeared',
      'improved 99 changed',
    ]);
  });
});

describe('the gate (--fail-on)', () => {
  const truth: TruthRow[] = [0, 1, 2, 3].map((i) => ({
    file: `doc-${i}.pdf`,
    fields: { total: String((i + 1) * 10) },
  }));

  it('parses repeated and comma-separated rules; a bad one names what is accepted', () => {
    expect(parseFailOn(['f1-drop:0.01', 'changed:5%,missing-field'])).toEqual([
      { rule: 'f1-drop:0.01', kind: 'f1-drop', max: 0.01 },
      { rule: 'changed:5%', kind: 'changed', max: 0.05 },
      { rule: 'missing-field', kind: 'missing-field' },
    ]);
    expect(parseFailOn(['changed:0.25'])[0]).toMatchObject({ max: 0.25 });
    expect(() => parseFailOn(['changed:150%'])).toThrow(/percent from 0% to 100%/);
    expect(() => parseFailOn(['f1-drop'])).toThrow(/unknown rule; use f1-drop:/);
    expect(() => parseFailOn(['missing-field:x'])).toThrow(EvalInputError);
  });

  it('changed: total changed on 2 of 4 present values (50 %): broken at 49 %, kept at 50 %', () => {
    const { a, b } = sides();
    const { report } = diffResults(a, b, { config });
    expect(checkGate(report, parseFailOn(['changed:49%']))).toEqual({
      passed: false,
      rules: [{ rule: 'changed:49%', broken: true, fields: ['total', 'vendor'] }],
    });
    // vendor changed 2 of 3 (67 %): at 50 % only vendor breaks it; at 67 % nothing does
    expect(checkGate(report, parseFailOn(['changed:50%'])).rules[0]?.fields).toEqual(['vendor']);
    expect(checkGate(report, parseFailOn(['changed:0.6667'])).passed).toBe(true);
  });

  it('missing-field: vendor has values in a and none in b: broken; kept when b has one', () => {
    const a = [doc(0, [field('total', '1'), field('vendor', 'Acme')]), doc(1, [field('total', '2')])];
    const lost = [doc(0, [field('total', '1'), field('vendor', null)]), doc(1, [field('total', '2')])];
    expect(checkGate(diffResults(a, lost).report, parseFailOn(['missing-field']))).toEqual({
      passed: false,
      rules: [{ rule: 'missing-field', broken: true, fields: ['vendor'] }],
    });
    const kept = [doc(0, [field('total', '1')]), doc(1, [field('total', '2'), field('vendor', 'Other')])];
    expect(checkGate(diffResults(a, kept).report, parseFailOn(['missing-field'])).passed).toBe(true);
  });

  it('f1-drop: total F1 1 → 0.75 (drop 0.25): broken at 0.2, kept at 0.25; without truth it says so', () => {
    const a = [0, 1, 2, 3].map((i) => doc(i, [field('total', String((i + 1) * 10))]));
    const b = [0, 1, 2, 3].map((i) => doc(i, [field('total', i === 3 ? '41' : String((i + 1) * 10))]));
    const { report } = diffResults(a, b, { truth });
    // b: tp 3, fp 1, fn 1 → f1 6/8
    expect(report.fields.total?.eval?.b.f1).toBe(0.75);
    expect(checkGate(report, parseFailOn(['f1-drop:0.2']))).toEqual({
      passed: false,
      rules: [{ rule: 'f1-drop:0.2', broken: true, fields: ['total'] }],
    });
    expect(checkGate(report, parseFailOn(['f1-drop:0.25'])).passed).toBe(true);
    expect(() => checkGate(diffResults(a, b).report, parseFailOn(['f1-drop:0.01']))).toThrow(/needs --truth/);
  });

  it('f1-drop: b extracting nothing where a had an F1 is a fall to 0', () => {
    const a = [0, 1].map((i) => doc(i, [field('total', String((i + 1) * 10))]));
    const b = [0, 1].map((i) => doc(i, [field('total', null)]));
    const { report } = diffResults(a, b, { truth });
    expect(report.fields.total?.eval?.b.f1).toBeNull();
    expect(checkGate(report, parseFailOn(['f1-drop:0.99'])).passed).toBe(false);
  });
});
