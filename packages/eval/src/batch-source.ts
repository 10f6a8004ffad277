import { stat } from 'node:fs/promises';
import { type DocumentRecord, fileResults, readJournal } from '@idp-kit/batch';
import type { PostgresStoreOptions } from '@idp-kit/batch/postgres';
import { extractFields } from '@idp-kit/client';
import { EvalInputError, type ResultDocument, type ResultValue } from './inputs.js';
import { readResults } from './read-results.js';

/**
 * Where a batch's results are: a batch folder (or its `results.jsonl`), or a batch in a PostgreSQL store
 * (`idp batch run --store … --batch …`).
 *
 * @example
 * ```ts
 * const here: ResultsSource = 'batch-out';
 * const shared: ResultsSource = { store: process.env.IDP_BATCH_STORE!, batch: 'march' };
 * ```
 */
export type ResultsSource = string | { store: string; batch: string };

/**
 * Options of {@link openBatchSource} and {@link loadResults} for a store: what `openPostgresStore()` takes
 * besides the URL and the batch (a signal for Ctrl-C, what to say while the database is away).
 *
 * @example
 * ```ts
 * const options: StoreReadOptions = { signal: controller.signal, onUnavailable: (why) => console.error(why) };
 * ```
 */
export type StoreReadOptions = Pick<
  PostgresStoreOptions,
  'signal' | 'onUnavailable' | 'onRecovered' | 'outageLimitMs' | 'connectTimeoutMs'
>;

/**
 * A batch opened for reading, wherever it is kept: its records, and each record's results (the final
 * one, and the one kept at MANUAL_VALIDATION_REQUIRED when the batch ran with `--until final`), read
 * one at a time. Close it when done (a store holds connections).
 *
 * @example
 * ```ts
 * const batch = await openBatchSource('batch-out');
 * try {
 *   for (const record of await batch.records()) console.log(record.fileName, await batch.readResult(record));
 * } finally {
 *   await batch.close();
 * }
 * ```
 */
export interface BatchSource {
  /** How to name it in a message: the folder, or `batch "march" in postgres://user@host/db`. */
  readonly label: string;
  records(): Promise<DocumentRecord[]>;
  readResult(record: DocumentRecord): Promise<unknown | undefined>;
  readReviewResult(record: DocumentRecord): Promise<unknown | undefined>;
  close(): Promise<void>;
}

/**
 * Opens a batch for reading: a batch folder (its journal and `results/`), or a batch in a PostgreSQL
 * store. Throws {@link EvalInputError} saying what to fix: a folder that is not a batch, a store that
 * cannot be reached or has no batch of that name (never the password).
 *
 * @example
 * ```ts
 * const batch = await openBatchSource({ store: 'postgres://idp@db/batches', batch: 'march' });
 * const records = await batch.records();
 * await batch.close();
 * ```
 */
export async function openBatchSource(
  source: ResultsSource,
  options: StoreReadOptions = {},
): Promise<BatchSource> {
  if (typeof source !== 'string') return openStoreSource(source, options);
  const info = await stat(source).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new EvalInputError(`${source} is not a batch folder: give the folder idp batch run --out wrote`);
  }
  const records = await readJournal(source);
  if (!records) {
    throw new EvalInputError(
      `${source} holds no journal.jsonl: give the folder idp batch run --out wrote (or --store with --batch)`,
    );
  }
  const results = fileResults(source);
  return {
    label: source,
    records: async () => records,
    readResult: (record) => results.readResult(record),
    readReviewResult: (record) => results.readReviewResult(record),
    close: async () => {},
  };
}

async function openStoreSource(
  source: { store: string; batch: string },
  options: StoreReadOptions,
): Promise<BatchSource> {
  // Loaded only for a store: reading a folder never loads the PostgreSQL driver.
  const { BatchStoreError, openPostgresStore } = await import('@idp-kit/batch/postgres');
  try {
    // No action: reading never creates a batch; an unknown name is refused with the names there are.
    const store = await openPostgresStore({ url: source.store, batch: source.batch, ...options });
    return {
      label: `batch "${source.batch}" in the store`,
      records: () => store.load(),
      readResult: (record) => store.readResult(record),
      readReviewResult: (record) => store.readReviewResult(record),
      close: () => store.close(),
    };
  } catch (error) {
    if (error instanceof BatchStoreError) throw new EvalInputError(error.message);
    throw error;
  }
}

/**
 * A batch record and its execution as a {@link ResultDocument}: the values `extractFields()` finds, on
 * the 0–100 confidence scale, as a line of `results.jsonl` holds them.
 *
 * @example
 * ```ts
 * const doc = resultDocument(record, await batch.readResult(record));
 * ```
 */
export function resultDocument(
  record: Pick<DocumentRecord, 'path' | 'hash'>,
  execution: unknown,
): ResultDocument {
  const fields: ResultValue[] = [];
  for (const f of execution === undefined ? [] : extractFields(execution)) {
    const value: ResultValue = { kind: f.kind, name: f.name, value: f.value };
    if (f.confidence !== undefined) value.confidence = f.confidence;
    if (f.table !== undefined) value.table = f.table;
    if (f.row !== undefined) value.row = f.row;
    fields.push(value);
  }
  return { file: record.path, hash: record.hash, fields };
}

/**
 * A batch's results, the one loader `idp eval` (and any command that compares batches) reads them with:
 * a folder or its `results.jsonl` (read line by line), or a batch in a PostgreSQL store (each result
 * read from the store one at a time: a batch of any size in the memory of its values). One document
 * per record, as `results.jsonl` has them: one with no result has no values.
 *
 * @example
 * ```ts
 * const results = await loadResults({ store: process.env.IDP_BATCH_STORE!, batch: 'march' });
 * const report = evaluate(results, await readTruth('truth.csv'));
 * ```
 */
export async function loadResults(
  source: ResultsSource,
  options: StoreReadOptions = {},
): Promise<ResultDocument[]> {
  if (typeof source === 'string') return readResults(source);
  const batch = await openBatchSource(source, options);
  try {
    const records = (await batch.records()).sort((a, b) => a.path.localeCompare(b.path));
    const out: ResultDocument[] = [];
    // A few at once, in order: each waits on the database (whose pool holds 8 connections).
    for (let i = 0; i < records.length; i += 8) {
      const chunk = records.slice(i, i + 8);
      const executions = await Promise.all(
        chunk.map((r) => (r.state === 'retrieved' ? batch.readResult(r) : undefined)),
      );
      chunk.forEach((record, k) => {
        out.push(resultDocument(record, executions[k]));
      });
    }
    return out;
  } finally {
    await batch.close();
  }
}
