import type { DocumentRecord } from '@idp-kit/batch';
import {
  type BatchSource,
  openBatchSource,
  type ResultsSource,
  resultDocument,
  type StoreReadOptions,
} from './batch-source.js';
import { type EvalOptions, type EvalReport, evaluate } from './evaluate.js';
import { EvalInputError, isPresent, type ResultDocument, type ResultValue, type TruthRow } from './inputs.js';

/**
 * One value a reviewer changed: what the model gave (`before`) and what the reviewer left (`after`);
 * `null` is no value.
 *
 * @example
 * ```ts
 * const c: Correction = { field: 'total', before: '1,200.00', after: '1,290.00' };
 * ```
 */
export interface Correction {
  /** The field, or `<table>.<column>` with `row`. */
  field: string;
  row?: number;
  before: string | null;
  after: string | null;
}

/**
 * A document that went through MANUAL_VALIDATION_REQUIRED to SUCCEEDED: its values before the review
 * (the predictions, with their scores) and after it (the truth), and what the reviewer changed.
 *
 * @example
 * ```ts
 * for (const d of harvest.documents) console.log(d.predictions.file, d.corrections.length, 'corrected');
 * ```
 */
export interface ReviewedDocument {
  executionId: string;
  predictions: ResultDocument;
  truth: TruthRow;
  corrections: Correction[];
}

/**
 * What a batch's reviews give: every reviewed document, and counts for the message.
 *
 * @example
 * ```ts
 * const { documents, corrected, waiting }: Harvest = await harvestReviews('batch-out');
 * ```
 */
export interface Harvest {
  /** The batch, as a message names it. */
  source: string;
  documents: ReviewedDocument[];
  /** Reviewed documents with at least one corrected value. */
  corrected: number;
  /** Corrected values, over all documents. */
  correctedValues: number;
  /** SUCCEEDED documents with no result kept at review (never reviewed, or run without `--until final`). */
  withoutReview: number;
  /** Documents still waiting in MANUAL_VALIDATION_REQUIRED (a run with `--until final` takes them on). */
  waiting: number;
}

/** The first present value per key (a multi-page result repeats a name), else null: as eval reads results. */
function firstPresent(map: Map<string, string | null>, key: string, value: string | null): void {
  if (!map.has(key) || (!isPresent(map.get(key)) && isPresent(value))) map.set(key, value);
}

/**
 * Truth from a document's values after its review: fields by name, table cells by table, row and
 * column (rows in their order), each the first present value, as `idp eval` reads a result.
 */
function truthOf(file: string, values: readonly ResultValue[]): Omit<TruthRow, 'line'> {
  const fields = new Map<string, string | null>();
  const tables = new Map<string, Map<number, Map<string, string | null>>>();
  for (const v of values) {
    if (v.table === undefined) {
      firstPresent(fields, v.name, v.value);
      continue;
    }
    const rows = tables.get(v.table) ?? new Map<number, Map<string, string | null>>();
    tables.set(v.table, rows);
    const row = rows.get(v.row ?? 0) ?? new Map<string, string | null>();
    rows.set(v.row ?? 0, row);
    firstPresent(row, v.name, v.value);
  }
  const truth: Omit<TruthRow, 'line'> = { file, fields: Object.fromEntries(fields) };
  if (tables.size > 0) {
    truth.tables = Object.fromEntries(
      [...tables].map(([name, rows]) => [
        name,
        [...rows].sort((a, b) => a[0] - b[0]).map(([, row]) => Object.fromEntries(row)),
      ]),
    );
  }
  return truth;
}

/** Each value's key (`total`, `items.qty#2`) → the first present value, for the corrections. */
function valuesByKey(
  values: readonly ResultValue[],
): Map<string, { field: string; row?: number; value: string | null }> {
  const out = new Map<string, { field: string; row?: number; value: string | null }>();
  for (const v of values) {
    const field = v.table === undefined ? v.name : `${v.table}.${v.name}`;
    const key = v.table === undefined ? field : `${field}#${v.row ?? 0}`;
    const had = out.get(key);
    if (had && (isPresent(had.value) || !isPresent(v.value))) continue;
    out.set(key, { field, ...(v.table !== undefined ? { row: v.row ?? 0 } : {}), value: v.value });
  }
  return out;
}

/** The values a reviewer changed: compared as text, trimmed; a blank is no value. */
function correctionsOf(before: readonly ResultValue[], after: readonly ResultValue[]): Correction[] {
  const was = valuesByKey(before);
  const now = valuesByKey(after);
  const out: Correction[] = [];
  for (const key of new Set([...was.keys(), ...now.keys()])) {
    const b = was.get(key);
    const a = now.get(key);
    const bv = isPresent(b?.value) ? (b?.value as string) : null;
    const av = isPresent(a?.value) ? (a?.value as string) : null;
    if (bv?.trim() === av?.trim()) continue;
    const where = (a ?? b) as { field: string; row?: number };
    out.push({
      field: where.field,
      ...(where.row !== undefined ? { row: where.row } : {}),
      before: bv,
      after: av,
    });
  }
  return out;
}

const statusOf = (execution: unknown) => (execution as { status?: unknown } | undefined)?.status;

/** Documents read at once by {@link harvestReviews}. */
const READ_AHEAD = 8;

/** A SUCCEEDED record's pair of results, or undefined when no result was kept at review. */
async function reviewedDocument(
  batch: BatchSource,
  record: DocumentRecord,
): Promise<ReviewedDocument | undefined> {
  const before = await batch.readReviewResult(record);
  if (statusOf(before) !== 'MANUAL_VALIDATION_REQUIRED') return undefined;
  const predictions = resultDocument(record, before);
  const after = resultDocument(record, await batch.readResult(record));
  return {
    executionId: record.executionId as string,
    predictions,
    truth: truthOf(`sha256:${record.hash}`, after.fields),
    corrections: correctionsOf(predictions.fields, after.fields),
  };
}

/**
 * Turns a batch's reviews into labelled data: for each document that went through
 * MANUAL_VALIDATION_REQUIRED to SUCCEEDED, the values before the review are the predictions (with
 * their scores) and the values after it are the truth. The batch must have run with `--until final`,
 * which keeps the result seen at review beside the final one. Reads one result at a time; holds only
 * the reviewed documents' values. The truth rows name each document by its SHA-256 (`sha256:…`), so
 * they match the same document in any batch, wherever its file lies.
 *
 * @example
 * ```ts
 * const harvest = await harvestReviews('batch-out');
 * await writeFile('truth.jsonl', truthJsonl(harvest));
 * console.log(`${harvest.documents.length} reviewed, ${harvest.corrected} with corrections`);
 * ```
 */
export async function harvestReviews(
  source: ResultsSource | BatchSource,
  options: StoreReadOptions = {},
): Promise<Harvest> {
  const batch =
    typeof source === 'object' && 'records' in source ? source : await openBatchSource(source, options);
  try {
    const harvest: Harvest = {
      source: batch.label,
      documents: [],
      corrected: 0,
      correctedValues: 0,
      withoutReview: 0,
      waiting: 0,
    };
    const records = (await batch.records()).sort((a, b) => a.path.localeCompare(b.path));
    for (const record of records) {
      if (record.state === 'settled' && record.status === 'MANUAL_VALIDATION_REQUIRED') harvest.waiting++;
    }
    const done = records.filter((r) => r.state === 'retrieved' && r.status === 'SUCCEEDED' && r.executionId);
    // A few documents read at once (in order): each read waits on the disk or the database and on
    // gunzip in libuv's pool; one at a time left a loaded machine idle. Memory: READ_AHEAD documents.
    for (let i = 0; i < done.length; i += READ_AHEAD) {
      const read = await Promise.all(done.slice(i, i + READ_AHEAD).map((r) => reviewedDocument(batch, r)));
      for (const document of read) {
        if (!document) {
          harvest.withoutReview++;
          continue;
        }
        harvest.documents.push(document);
        if (document.corrections.length > 0) harvest.corrected++;
        harvest.correctedValues += document.corrections.length;
      }
    }
    return harvest;
  } finally {
    if (batch !== source) await batch.close();
  }
}

/**
 * Throws {@link EvalInputError} when the harvest holds no reviewed document, saying why that may be
 * (the batch ran without `--until final`, or its reviews are not done) and what to do.
 *
 * @example
 * ```ts
 * const harvest = await harvestReviews('batch-out');
 * requireReviews(harvest); // throws when there is nothing to learn from
 * ```
 */
export function requireReviews(harvest: Harvest): void {
  if (harvest.documents.length > 0) return;
  const why: string[] = [];
  if (harvest.withoutReview > 0) {
    why.push(
      `none of its ${harvest.withoutReview} SUCCEEDED document(s) has a result kept at review: either none went to a reviewer, ` +
        'or the batch ran without --until final (only then is the result seen at MANUAL_VALIDATION_REQUIRED kept beside the final one). ' +
        'Run the batch with --until final; documents reviewed before that cannot be harvested.',
    );
  }
  if (harvest.waiting > 0) {
    why.push(
      `${harvest.waiting} document(s) still wait for a review: once the reviewers are done, run the same idp batch run … --until final again, then harvest.`,
    );
  }
  if (why.length === 0)
    why.push('it has no SUCCEEDED document yet: run it with idp batch run … --until final.');
  throw new EvalInputError(
    `${harvest.source} has no document that went through MANUAL_VALIDATION_REQUIRED to SUCCEEDED: ${why.join(' ')}`,
  );
}

/**
 * The harvest as truth JSONL, the format `idp eval --truth` reads: one
 * `{"file": "sha256:…", "path": …, "fields": {…}, "tables": {…}}` per reviewed document (`path` is for
 * people; eval matches by `file`).
 *
 * @example
 * ```ts
 * await writeFile('truth.jsonl', truthJsonl(await harvestReviews('batch-out')));
 * ```
 */
export function truthJsonl(harvest: Pick<Harvest, 'documents'>): string {
  return harvest.documents
    .map(({ truth, predictions }) =>
      JSON.stringify({
        file: truth.file,
        path: predictions.file,
        fields: truth.fields,
        ...(truth.tables ? { tables: truth.tables } : {}),
      }),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/**
 * How right the values were before the review, against what the reviewers left: {@link evaluate} with
 * the review-time values (and their scores) as the results and the final values as the truth. Only
 * the reviewed documents count (none: {@link EvalInputError}, as {@link requireReviews}); a document goes to review because some score was low, so these
 * figures describe the documents IDP doubted, not the whole batch.
 *
 * @example
 * ```ts
 * const report = evaluateReviews(await harvestReviews('batch-out'), { config: { fields: { total: 'number' } } });
 * console.log(report.fields.total?.threshold);
 * ```
 */
export function evaluateReviews(harvest: Harvest, options: EvalOptions = {}): EvalReport {
  requireReviews(harvest);
  return evaluate(
    harvest.documents.map((d) => d.predictions),
    harvest.documents.map((d) => d.truth),
    options,
  );
}
