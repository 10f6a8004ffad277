import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ExtractedField, extractFields } from '@idp-kit/client';
import type { DocumentRecord, DocumentState } from './journal.js';

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
export function summarize(records: DocumentRecord[]): BatchSummary {
  const states: Partial<Record<DocumentState, number>> = {};
  for (const state of STATE_ORDER) {
    const n = records.filter((r) => r.state === state).length;
    if (n > 0) states[state] = n;
  }
  const statuses: Record<string, number> = {};
  let duplicates = 0;
  for (const r of records) {
    if (r.state === 'retrieved' && r.status) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    duplicates += r.duplicates?.length ?? 0;
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

/**
 * Rebuilds every output from the journal's records (the journal is the truth; outputs follow it).
 *
 * @example
 * ```ts
 * await writeOutputs('batch-out', await journal.load(), { csv: true, jsonl: false });
 * ```
 */
export async function writeOutputs(
  dir: string,
  records: DocumentRecord[],
  which: { jsonl?: boolean; csv?: boolean } = { jsonl: true, csv: true },
): Promise<BatchSummary> {
  const sorted = [...records].sort((a, b) => a.path.localeCompare(b.path));
  // Each execution's values, extracted once for both outputs.
  const extracted = sorted.map((r) => (r.execution ? extractFields(r.execution) : []));
  if (which.jsonl !== false) {
    await replace(
      join(dir, OUTPUT_FILES.results),
      sorted.map((r, i) => `${JSON.stringify(resultLine(r, extracted[i] ?? []))}\n`).join(''),
    );
  }
  if (which.csv !== false) {
    const header = 'file,execution_id,status,kind,page,table,row,name,value,confidence';
    const rows = sorted.flatMap((r, i) =>
      (extracted[i] ?? []).map((f) =>
        [r.path, r.executionId, r.status, f.kind, f.page, f.table, f.row, f.name, f.value, f.confidence]
          .map(csvCell)
          .join(','),
      ),
    );
    await replace(join(dir, OUTPUT_FILES.fields), `${[header, ...rows].join('\r\n')}\r\n`);
  }
  const summary = summarize(records);
  await replace(join(dir, OUTPUT_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}
