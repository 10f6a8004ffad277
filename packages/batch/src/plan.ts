import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DocumentFormat } from '@idp-kit/client';
import {
  type BudgetLimits,
  creditsFor,
  heldMessage,
  maxPagesOf,
  PageBudget,
  pagesSubmitted,
} from './budget.js';
import { checkContent } from './content-check.js';
import { collectInputs, readDocument } from './inputs.js';
import { type DocumentRecord, readJournal } from './journal.js';

/**
 * What a run would do with one document: `submit` it; `reject` it (`reason`: IDP would refuse it, or
 * it is over the budget: a reason starting with `budget`); not send it as a `duplicate` (`duplicateOf`:
 * the file of this batch with the same content, or the batch of the store that has it); or nothing,
 * as it is `done` (already in this batch).
 *
 * @example
 * ```ts
 * const verdict: PlanVerdict = 'submit';
 * ```
 */
export type PlanVerdict = 'submit' | 'reject' | 'duplicate' | 'done';

/**
 * One document of a dry run (one line of `idp batch run --dry-run --json`'s `documents`).
 *
 * @example
 * ```ts
 * const line: PlannedDocument = { file: '/in/a.pdf', format: 'pdf', pages: 3, bytes: 20481, verdict: 'submit' };
 * ```
 */
export interface PlannedDocument {
  file: string;
  /** As its bytes tell, or null when they are none of PDF, PNG, JPEG, TIFF (or could not be read). */
  format: DocumentFormat | null;
  /** Counted locally, or null when unknown. */
  pages: number | null;
  bytes: number;
  verdict: PlanVerdict;
  reason?: string;
  duplicateOf?: string;
}

/**
 * A dry run: every document with its verdict, what would be submitted, and its cost in credits at the
 * rate given (null without one: a rate is never guessed).
 *
 * @example
 * ```ts
 * const { submit, credits } = await planBatch(options);
 * console.log(`${submit.documents} documents, ${submit.pages} pages, ${credits ?? '?'} credits`);
 * ```
 */
export interface BatchPlan {
  documents: PlannedDocument[];
  submit: { documents: number; pages: number };
  credits: number | null;
}

/**
 * Options of `planBatch()`: those of `runBatch()` that decide what is sent.
 *
 * @example
 * ```ts
 * const options: PlanOptions = { inputs: ['invoices/'], actionId, actionVersion: '1.1.0', outDir: 'out', maxPages: 500 };
 * ```
 */
export interface PlanOptions extends BudgetLimits {
  inputs: string[];
  cwd?: string;
  actionId: string;
  actionVersion: string;
  /** The batch folder (relative to `cwd`): its journal (read only, never created) says what is done already. */
  outDir: string;
  /** As `runBatch()`'s: `false` counts pages but refuses nothing. */
  preflight?: boolean;
  resubmitUncertain?: boolean;
  resubmitDuplicates?: boolean;
  /**
   * A shared store (`openPostgresStore()`): its records of this batch instead of the folder's journal,
   * and its other batches looked at for duplicates. Only read.
   */
  journal?: {
    load(): Promise<DocumentRecord[]>;
    findElsewhere?(key: string): Promise<{ batch: string; record: DocumentRecord } | undefined>;
  };
}

/** States whose document a run does not send again (without `resubmitUncertain`, for `uncertain`). */
function isDone(record: DocumentRecord, options: PlanOptions): boolean {
  if (record.state === 'queued' || record.state === 'rejected') return false;
  if (record.state === 'error') return record.executionId !== undefined;
  if (record.state === 'uncertain' || record.state === 'submitting')
    return options.resubmitUncertain !== true;
  return true;
}

/**
 * Plans a batch and sends nothing (no request at all, no token): reads and judges every document as
 * `runBatch()` would (the pre-flight check by content, the journal's records, the store's other
 * batches, the budget) and says what a run would submit. Never writes: no journal, no folder.
 *
 * @example
 * ```ts
 * const plan = await planBatch({ inputs: ['invoices/'], actionId, actionVersion: '1.1.0', outDir: 'out', maxPages: 500, creditsPerPage: 1 });
 * for (const d of plan.documents) console.log(d.file, d.verdict, d.pages, d.reason ?? '');
 * ```
 */
export async function planBatch(options: PlanOptions): Promise<BatchPlan> {
  const max = maxPagesOf(options);
  const cwd = options.cwd ?? process.cwd();
  const { documents: found } = await collectInputs(options.inputs, cwd, options.outDir);
  const records = options.journal
    ? await options.journal.load()
    : ((await readJournal(resolve(cwd, options.outDir), { shownAs: options.outDir })) ?? []);
  const known = new Map(records.map((r) => [r.key, r]));
  const budget = new PageBudget(max, pagesSubmitted(records));
  const firstOfKey = new Map<string, string>();
  const seen = new Set<string>();
  const documents: PlannedDocument[] = [];
  const submit = { documents: 0, pages: 0 };
  for (const input of found) {
    if (seen.has(input.path)) continue;
    seen.add(input.path);
    const read = await readDocument(input);
    const checked = read.bytes
      ? await checkContent(read.bytes, read.fileName, options.preflight !== false)
      : undefined;
    const line = {
      file: input.path,
      format: checked?.format ?? null,
      pages: checked?.pages ?? null,
      bytes:
        read.bytes?.byteLength ??
        (await stat(input.path).then(
          (s) => s.size,
          () => 0,
        )),
    };
    const refusal = read.rejected ?? checked?.refusal;
    if (refusal !== undefined) {
      documents.push({ ...line, verdict: 'reject', reason: refusal });
      continue;
    }
    const key = `${read.hash}:${options.actionId}:${options.actionVersion}`;
    const verdict = await judge(key, input.path, line.pages ?? undefined);
    if (verdict.verdict === 'submit') {
      submit.documents++;
      submit.pages += line.pages ?? 0;
    }
    firstOfKey.set(key, firstOfKey.get(key) ?? input.path);
    documents.push({ ...line, ...verdict });
  }
  return { documents, submit, credits: creditsFor(submit.pages, options.creditsPerPage) };

  /** The verdict of a readable document IDP would take, by its key. */
  async function judge(
    key: string,
    path: string,
    pages: number | undefined,
  ): Promise<Pick<PlannedDocument, 'verdict' | 'reason' | 'duplicateOf'>> {
    const earlier = firstOfKey.get(key);
    if (earlier !== undefined) return { verdict: 'duplicate', duplicateOf: earlier };
    const mine = known.get(key);
    if (mine && mine.path !== path && !(mine.duplicates ?? []).includes(path)) {
      return { verdict: 'duplicate', duplicateOf: mine.path };
    }
    if (mine && isDone(mine, options)) {
      return mine.state === 'uncertain' || mine.state === 'submitting'
        ? {
            verdict: 'done',
            reason: 'uncertain: its upload may have reached IDP; not sent again without --resubmit-uncertain',
          }
        : { verdict: 'done' };
    }
    if (options.resubmitDuplicates !== true && options.journal?.findElsewhere) {
      const other = await options.journal.findElsewhere(key);
      if (other) {
        const batch = other.record.duplicateOf?.batch ?? other.batch;
        const id = other.record.executionId;
        return {
          verdict: 'duplicate',
          duplicateOf: `batch ${batch}${id ? `, execution ${id}` : ' (uploading it)'}`,
        };
      }
    }
    if (!budget.admit(pages)) return { verdict: 'reject', reason: heldMessage(pages, budget) };
    return { verdict: 'submit' };
  }
}
