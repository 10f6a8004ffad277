import { type FileHandle, open, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ExtractedField, extractFields } from '@idp-kit/client';
import { creditsFor, isPaidHere } from './budget.js';
import type { DocumentRecord, DocumentState } from './journal.js';
import { fileResults, type ResultStore } from './results.js';

/**
 * What a batch came to, per state and per execution status; written as `summary.json`.
 *
 * @example
 * ```ts
 * const { documents, succeeded, needsReview }: BatchSummary = await runBatch(options);
 * ```
 */
export interface BatchSummary {
  documents: number;
  /** Documents with results in SUCCEEDED. */
  succeeded: number;
  /** Waiting in MANUAL_VALIDATION_REQUIRED: a later run picks them up once a person is done. */
  needsReview: number;
  /** Not done yet: queued, submitted, still running (a wait that was stopped). */
  pending: number;
  /** Count of records per journal state. */
  states: Partial<Record<DocumentState, number>>;
  /** Count of retrieved executions per status. */
  statuses: Record<string, number>;
  /** Paths whose content was another document's: never submitted. */
  duplicates: number;
  /**
   * Documents another batch of the same store had already accepted: its execution reused, not paid
   * again (`duplicateOf` on their records and results lines).
   */
  reused: number;
  /** Documents that may or may not have been submitted: check in Anypoint, or rerun with resubmit. */
  uncertain: string[];
  /** The files waiting in MANUAL_VALIDATION_REQUIRED (a person must review them in IDP). */
  review: string[];
  /**
   * Pages, counted locally: `submitted` in this batch (paid, or maybe paid: uncertain ones count),
   * `rejected` (refused before sending: free), `failed` (of FAILED executions: paid all the same).
   */
  pages: { submitted: number; rejected: number; failed: number };
  /** `pages.submitted` × the rate given (`creditsPerPage`), or null when no rate was given. */
  credits: number | null;
  /** Retrieved executions per `statusMessage` (the model's reason: `MAX_TOKENS`, `length`, …). */
  statusMessages: Record<string, number>;
  /** Documents left queued by the batch's budget (`reason: 'budget'`) and their pages: what is left to send. */
  heldByBudget: { documents: number; pages: number };
}

/**
 * Quotes what CSV needs quoted and defuses cells a spreadsheet would run as a formula (`=`, `+`, `-`,
 * `@`, tab, CR at the start), leaving plain numbers alone.
 *
 * @example
 * ```ts
 * csvCell('=HYPERLINK("x")'); // "'=HYPERLINK(""x"")"
 * ```
 */
export function csvCell(value: string | number | boolean | undefined | null): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  const numeric = /^[+-]?\d[\d.,]*$/.test(text);
  const safe = !numeric && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The order states are listed in: done first, then what needs a look, then what is left. */
const STATE_ORDER: DocumentState[] = [
  'retrieved',
  'settled',
  'rejected',
  'error',
  'uncertain',
  'expired',
  'queued',
  'submitting',
  'submitted',
];

/**
 * Counts per state and status, the duplicates and the uncertain documents of a batch's records.
 *
 * @example
 * ```ts
 * const { succeeded, documents } = summarize((await readJournal('batch-out')) ?? []);
 * ```
 */
export function summarize(
  records: DocumentRecord[],
  pricing: { creditsPerPage?: number } = {},
): BatchSummary {
  const states: Partial<Record<DocumentState, number>> = {};
  for (const state of STATE_ORDER) {
    const n = records.filter((r) => r.state === state).length;
    if (n > 0) states[state] = n;
  }
  const statuses: Record<string, number> = {};
  const statusMessages: Record<string, number> = {};
  const pages = { submitted: 0, rejected: 0, failed: 0 };
  const heldByBudget = { documents: 0, pages: 0 };
  let duplicates = 0;
  for (const r of records) {
    if (r.state === 'retrieved' && r.status) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (r.state === 'retrieved' && r.statusMessage)
      statusMessages[r.statusMessage] = (statusMessages[r.statusMessage] ?? 0) + 1;
    duplicates += r.duplicates?.length ?? 0;
    const n = r.pages ?? 0;
    if (isPaidHere(r)) pages.submitted += n;
    if (r.state === 'rejected') pages.rejected += n;
    if (isPaidHere(r) && r.status === 'FAILED') pages.failed += n;
    if (r.state === 'queued' && r.reason === 'budget') {
      heldByBudget.documents++;
      heldByBudget.pages += n;
    }
  }
  return {
    documents: records.length,
    succeeded: records.filter((r) => r.state === 'retrieved' && r.status === 'SUCCEEDED').length,
    needsReview: records.filter((r) => r.state === 'settled' && r.status === 'MANUAL_VALIDATION_REQUIRED')
      .length,
    pending: records.filter((r) => ['queued', 'submitting', 'submitted'].includes(r.state)).length,
    states,
    statuses,
    duplicates,
    reused: records.filter((r) => r.duplicateOf?.executionId).length,
    uncertain: records.filter((r) => r.state === 'uncertain').map((r) => r.path),
    review: records
      .filter((r) => r.state === 'settled' && r.status === 'MANUAL_VALIDATION_REQUIRED')
      .map((r) => r.path)
      .sort(),
    pages,
    credits: creditsFor(pages.submitted, pricing.creditsPerPage),
    statusMessages,
    heldByBudget,
  };
}

/** One line of `results.jsonl`, from the record and its extracted values. */
function resultLine(r: DocumentRecord, extracted: ExtractedField[]) {
  const fields = extracted.map((f) => ({
    kind: f.kind,
    name: f.name,
    value: f.value,
    ...(f.confidence !== undefined ? { confidence: f.confidence } : {}),
    ...(f.page !== undefined ? { page: f.page } : {}),
    ...(f.table !== undefined ? { table: f.table, row: f.row } : {}),
  }));
  return {
    file: r.path,
    hash: r.hash,
    state: r.state,
    ...(r.executionId ? { executionId: r.executionId } : {}),
    ...(r.status ? { status: r.status } : {}),
    ...(r.metadata ? { metadata: r.metadata } : {}),
    ...(r.duplicates ? { duplicates: r.duplicates } : {}),
    ...(r.duplicateOf ? { duplicateOf: r.duplicateOf } : {}),
    ...(r.pages !== undefined ? { pages: r.pages } : {}),
    ...(r.statusMessage ? { statusMessage: r.statusMessage } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
    fields,
    ...(r.error ? { error: r.error } : {}),
  };
}

async function replace(path: string, text: string): Promise<void> {
  // Written aside, then renamed over: a crash leaves the old file or the new one, never half of one.
  const aside = `${path}.${process.pid}.tmp`;
  await writeFile(aside, text);
  await rename(aside, path);
}

/**
 * The output files' names in a batch folder.
 *
 * @example
 * ```ts
 * const results = join(outDir, OUTPUT_FILES.results); // results.jsonl
 * ```
 */
export const OUTPUT_FILES = {
  results: 'results.jsonl',
  fields: 'fields.csv',
  summary: 'summary.json',
} as const;

/** An output file written aside, line by line, and renamed over the old one once whole. */
async function aside(path: string) {
  const tmp = `${path}.${process.pid}.tmp`;
  const file: FileHandle = await open(tmp, 'w');
  let buffered: string[] = [];
  let size = 0;
  // Lines are gathered up to ~1 MB per write: few system calls, and memory bounded by one document.
  const flush = async () => {
    if (buffered.length === 0) return;
    const text = buffered.join('');
    buffered = [];
    size = 0;
    await file.write(text);
  };
  return {
    async line(text: string) {
      buffered.push(text);
      size += text.length;
      if (size >= 1 << 20) await flush();
    },
    async commit() {
      await flush();
      await file.close();
      await rename(tmp, path);
    },
    async abandon() {
      await file.close().catch(() => {});
      await rm(tmp, { force: true });
    },
  };
}

/**
 * Rebuilds every output from the journal's records (the journal is the truth; outputs follow it),
 * reading one result at a time from `results` (default: the folder's `results/`), so that a batch of
 * any size and any result size is written in the memory of one document.
 *
 * @example
 * ```ts
 * await writeOutputs('batch-out', await journal.load(), { csv: true, jsonl: false }, journal);
 * ```
 */
export async function writeOutputs(
  dir: string,
  records: DocumentRecord[],
  which: { jsonl?: boolean; csv?: boolean } = { jsonl: true, csv: true },
  results: Pick<ResultStore, 'readResult'> = fileResults(dir),
  pricing: { creditsPerPage?: number } = {},
): Promise<BatchSummary> {
  const sorted = [...records].sort((a, b) => a.path.localeCompare(b.path));
  const jsonl = which.jsonl !== false ? await aside(join(dir, OUTPUT_FILES.results)) : undefined;
  const csv = which.csv !== false ? await aside(join(dir, OUTPUT_FILES.fields)) : undefined;
  try {
    await csv?.line('file,execution_id,status,kind,page,table,row,name,value,confidence\r\n');
    for (const r of sorted) {
      // Each execution's values, extracted once for both outputs, then let go.
      const execution = r.state === 'retrieved' ? await results.readResult(r) : r.execution;
      const extracted = execution !== undefined ? extractFields(execution) : [];
      await jsonl?.line(`${JSON.stringify(resultLine(r, extracted))}\n`);
      for (const f of extracted) {
        const row = [
          r.path,
          r.executionId,
          r.status,
          f.kind,
          f.page,
          f.table,
          f.row,
          f.name,
          f.value,
          f.confidence,
        ];
        await csv?.line(`${row.map(csvCell).join(',')}\r\n`);
      }
    }
    await jsonl?.commit();
    await csv?.commit();
  } catch (error) {
    await jsonl?.abandon();
    await csv?.abandon();
    throw error;
  }
  const summary = summarize(records, pricing);
  await replace(join(dir, OUTPUT_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}
