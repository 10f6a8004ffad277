// Ground truth from reviews: a batch run with --until final keeps each reviewed document's result as it
// was at MANUAL_VALIDATION_REQUIRED beside the final one; the first is the prediction, the second the truth.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DocumentRecord, type JournalStore, openFileJournal, writeOutputs } from '@idp-kit/batch';
import { openPostgresStore } from '@idp-kit/batch/postgres';
import { IDS, postgresMissing, startPostgres, type TestPostgres } from '@idp-kit/testkit';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  EvalInputError,
  evaluate,
  evaluateReviews,
  harvestReviews,
  loadResults,
  readResults,
  readTruth,
  truthJsonl,
} from '../src/index.js';

const v = (value: string | null, confidenceScore: number) => ({ value, confidenceScore });
const page = (fields: object, tables?: object) => ({
  pages: [{ page: 1, fields, ...(tables ? { tables } : {}) }],
});

/**
 * a.pdf: reviewed; total corrected (1,200.00 at 40 → 1,290.00), vendor kept (95), items.qty row 1
 * corrected (5 at 30 → 3), row 0 kept (2 at 90). b.pdf: reviewed, nothing changed (total 80.00 at 60,
 * vendor Bolt at 70). c.pdf: SUCCEEDED without a review. d.pdf: still waiting for its reviewer.
 */
const DOCS = [
  {
    name: 'a',
    state: 'retrieved' as const,
    status: 'SUCCEEDED',
    review: page(
      { total: v('1,200.00', 40), vendor: v('ACME', 95) },
      { items: [{ qty: v('2', 90) }, { qty: v('5', 30) }] },
    ),
    final: page(
      { total: v('1,290.00', 40), vendor: v('ACME', 95) },
      { items: [{ qty: v('2', 90) }, { qty: v('3', 30) }] },
    ),
  },
  {
    name: 'b',
    state: 'retrieved' as const,
    status: 'SUCCEEDED',
    review: page({ total: v('80.00', 60), vendor: v('Bolt', 70) }),
    final: page({ total: v('80.00', 60), vendor: v('Bolt', 70) }),
  },
  { name: 'c', state: 'retrieved' as const, status: 'SUCCEEDED', final: page({ total: v('7.00', 99) }) },
  { name: 'd', state: 'settled' as const, status: 'MANUAL_VALIDATION_REQUIRED' },
];
const hashOf = (name: string) => name.repeat(64);

/** Writes the fixture through a store's own API (journal records and both kinds of result). */
async function fill(store: JournalStore, withReviews = true): Promise<void> {
  for (const [i, d] of DOCS.entries()) {
    const executionId = `00000000-0000-4000-8000-00000000000${i}`;
    const record: DocumentRecord = {
      key: `${hashOf(d.name)}:${IDS.actionId}:${IDS.actionVersion}`,
      hash: hashOf(d.name),
      path: `/in/${d.name}.pdf`,
      fileName: `${d.name}.pdf`,
      state: d.state,
      status: d.status,
      executionId,
      updatedAt: new Date(0).toISOString(),
    };
    if (withReviews && 'review' in d && d.review)
      await store.putReviewResult(executionId, { status: 'MANUAL_VALIDATION_REQUIRED', ...d.review });
    if ('final' in d) record.result = await store.putResult(executionId, { status: 'SUCCEEDED', ...d.final });
    await store.put(record);
  }
}

async function batchFolder(withReviews = true): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'idp-harvest-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const journal = await openFileJournal(dir);
  try {
    await fill(journal, withReviews);
    await writeOutputs(dir, await journal.load(), undefined, journal);
  } finally {
    await journal.close();
  }
  return dir;
}

/** What the fixture must give, checked by hand (see DOCS). */
function expectHandChecked(harvest: Awaited<ReturnType<typeof harvestReviews>>) {
  expect(harvest).toMatchObject({ corrected: 1, correctedValues: 2, withoutReview: 1, waiting: 1 });
  expect(harvest.documents.map((d) => d.predictions.file)).toEqual(['/in/a.pdf', '/in/b.pdf']);
  expect(harvest.documents[0]?.corrections).toEqual([
    { field: 'total', before: '1,200.00', after: '1,290.00' },
    { field: 'items.qty', row: 1, before: '5', after: '3' },
  ]);
  expect(harvest.documents[0]?.truth).toEqual({
    file: `sha256:${hashOf('a')}`,
    fields: { total: '1,290.00', vendor: 'ACME' },
    tables: { items: [{ qty: '2' }, { qty: '3' }] },
  });
}

describe('harvestReviews: the values before a review are the predictions, after it the truth', () => {
  it('a batch folder: the reviewed documents, their corrections, and truth in the format eval reads', async () => {
    const dir = await batchFolder();
    const harvest = await harvestReviews(dir);
    expectHandChecked(harvest);
    const text = truthJsonl(harvest);
    expect(text.split('\n')[0]).toBe(
      `{"file":"sha256:${hashOf('a')}","path":"/in/a.pdf","fields":{"total":"1,290.00","vendor":"ACME"},"tables":{"items":[{"qty":"2"},{"qty":"3"}]}}`,
    );
    // Read back as eval's own truth, against the batch's final results: every reviewed value agrees.
    const file = join(dir, 'truth.jsonl');
    await writeFile(file, text);
    const report = evaluate(await readResults(dir), await readTruth(file));
    expect(report).toMatchObject({ documents: 4, matched: 2, unmatchedResults: ['/in/c.pdf', '/in/d.pdf'] });
    expect(report.overall).toMatchObject({ tp: 6, fp: 0, fn: 0, tn: 0 });
  });

  it('evaluateReviews: hand-computed figures of the review-time values against the reviewed ones', async () => {
    const report = evaluateReviews(await harvestReviews(await batchFolder()));
    expect(report).toMatchObject({ documents: 2, matched: 2 });
    expect(report.fields.total).toMatchObject({ tp: 1, fp: 1, fn: 1, tn: 0, precision: 0.5, recall: 0.5 });
    expect(report.fields.total?.threshold).toEqual({ value: 60, straightThrough: 0.5, acceptedAccuracy: 1 });
    expect(report.fields.vendor).toMatchObject({ tp: 2, fp: 0, fn: 0, precision: 1 });
    expect(report.fields['items.qty']).toMatchObject({ tp: 1, fp: 1, fn: 1 });
    // Scored values, in order: 40 ✗, 95 ✓, 90 ✓, 30 ✗, 60 ✓, 70 ✓.
    const o = report.overall;
    expect(o).toMatchObject({ tp: 4, fp: 2, fn: 2 });
    expect(o.calibration.auroc).toBe(1);
    expect(o.calibration.brier).toBeCloseTo(0.5125 / 6, 10);
    expect(o.errorCapture).toEqual({ '5': 0.5, '10': 0.5, '20': 1 });
    expect(o.threshold).toEqual({ value: 60, straightThrough: 4 / 6, acceptedAccuracy: 1 });
  });

  it('a batch without results kept at review: no document, and a message that says --until final', async () => {
    const harvest = await harvestReviews(await batchFolder(false));
    expect(harvest.documents).toEqual([]);
    expect(harvest).toMatchObject({ withoutReview: 3, waiting: 1 });
    expect(() => evaluateReviews(harvest)).toThrow(EvalInputError);
    expect(() => evaluateReviews(harvest)).toThrow(/--until final.*1 document\(s\) still wait for a review/s);
  });

  it('a folder that is not a batch says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idp-harvest-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    await expect(harvestReviews(dir)).rejects.toThrow(/holds no journal\.jsonl/);
    await expect(harvestReviews(join(dir, 'nope'))).rejects.toThrow(/is not a batch folder/);
  });
});

const missing = await postgresMissing('the eval PostgreSQL store tests');
let server: TestPostgres | undefined;
beforeAll(async () => {
  if (!missing) server = await startPostgres();
});
afterAll(async () => {
  await server?.close();
});

describe.skipIf(Boolean(missing))('a batch in a PostgreSQL store (--store, --batch)', () => {
  it('loadResults and harvestReviews read it as they read a folder; an unknown batch is named', async () => {
    const url = await (server as TestPostgres).createDatabase('harvest');
    const store = await openPostgresStore({
      url,
      batch: 'march',
      action: { actionId: IDS.actionId, actionVersion: IDS.actionVersion },
    });
    try {
      await fill(store);
    } finally {
      await store.close();
    }
    const results = await loadResults({ store: url, batch: 'march' });
    expect(results.map((r) => r.file)).toEqual(['/in/a.pdf', '/in/b.pdf', '/in/c.pdf', '/in/d.pdf']);
    expect(results[0]?.fields).toContainEqual({
      kind: 'field',
      name: 'total',
      value: '1,290.00',
      confidence: 40,
    });
    expect(results[3]?.fields).toEqual([]);
    // The same figures as from a folder: one loader, whatever keeps the batch.
    expectHandChecked(await harvestReviews({ store: url, batch: 'march' }));
    const fromFolder = evaluateReviews(await harvestReviews(await batchFolder()));
    expect(evaluateReviews(await harvestReviews({ store: url, batch: 'march' }))).toEqual(fromFolder);

    const unknown = loadResults({ store: url, batch: 'april' });
    await expect(unknown).rejects.toThrow(EvalInputError);
    await expect(loadResults({ store: url, batch: 'april' })).rejects.toThrow(
      /no batch named "april".*\(batches there: march\)/,
    );
    await expect(loadResults({ store: url, batch: 'april' })).rejects.not.toThrow(
      (server as TestPostgres).password,
    );
  });
});
