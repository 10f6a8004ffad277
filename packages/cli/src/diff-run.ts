import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import {
  type BatchSummary,
  type BudgetLimits,
  collectInputs,
  type DocumentRecord,
  InputError,
  JournalCorruptError,
  JournalLockedError,
  type JournalStore,
  readJournal,
  readRegularFile,
  runBatch,
} from '@idp-kit/batch';
import { type IdpClient, inspectDocument } from '@idp-kit/client';
import { batchProgress } from './batch-progress.js';
import { UsageError } from './config.js';
import type { CliContext } from './context.js';

/** What `idp diff --run` will send, per version, before anything is sent. */
export interface RunPlan {
  actionId: string;
  /** Documents that may be sent, and their pages (counted locally, from the bytes). */
  documents: number;
  pages: number;
  /** Files the check by content refuses: never sent, never paid. */
  refused: number;
  versions: {
    version: string;
    dir: string;
    /** With `--store`: the version's batch in the store. */
    batch?: string;
    /** Sent before in this version's own folder or batch: a rerun resumes them. */
    reusedDocuments: number;
    reusedPages: number;
    /** With `--store`: retrieved (or sent) in another batch of the store for the same action and version. */
    elsewhere: { documents: number; pages: number; batches: string[] };
    toSend: number;
  }[];
}

/**
 * Where one version's batch keeps its records: its folder's journal, or (with `--store`) its batch in
 * the store, whose other batches are looked at for the same documents.
 */
export interface SideRecords {
  batch?: string;
  load(): Promise<DocumentRecord[]>;
  findElsewhere?(key: string): Promise<{ batch: string; record: DocumentRecord } | undefined>;
}

/** States in which a document was sent already: a rerun reuses its execution, it is not paid again. */
const PAID = new Set(['submitting', 'submitted', 'settled', 'retrieved', 'uncertain', 'expired']);

/**
 * Reads each document once (hash and pages), and each version's folder (or, with a store, its batch and
 * the store's other batches) for what is there already: only the rest is counted as to be sent.
 */
export async function planRun(
  paths: string[],
  cwd: string,
  out: string,
  actionId: string,
  versions: string[],
  recordsOf: (version: string, dir: string) => SideRecords = (_version, dir) => folderRecords(cwd, dir),
): Promise<RunPlan> {
  let found: Awaited<ReturnType<typeof collectInputs>>;
  try {
    found = await collectInputs(paths, cwd, out);
  } catch (error) {
    if (error instanceof InputError) throw new UsageError(error.message);
    throw error;
  }
  const pagesOf = new Map<string, number>();
  let refused = 0;
  for (const doc of found.documents) {
    const read = await readRegularFile(doc.path);
    if (!('bytes' in read)) {
      refused++;
      continue;
    }
    const hash = createHash('sha256').update(read.bytes).digest('hex');
    if (pagesOf.has(hash)) continue; // the same content under two names is sent once
    const inspection = await inspectDocument(read.bytes);
    if (inspection.refusal || inspection.pages === undefined) refused++;
    else pagesOf.set(hash, inspection.pages);
  }
  const pages = [...pagesOf.values()].reduce((s, p) => s + p, 0);
  const planned: RunPlan['versions'] = [];
  for (const version of versions) {
    const dir = join(out, version);
    const side = recordsOf(version, dir);
    const paid = new Set<string>();
    for (const r of await side.load())
      if (PAID.has(r.state) && r.key === keyOf(r.hash, actionId, version)) paid.add(r.hash);
    let reusedDocuments = 0;
    let reusedPages = 0;
    const elsewhere = { documents: 0, pages: 0, batches: [] as string[] };
    for (const [hash, p] of pagesOf) {
      if (paid.has(hash)) {
        reusedDocuments++;
        reusedPages += p;
        continue;
      }
      // The engine asks the same question before each upload, and reuses what it finds.
      const other = await side.findElsewhere?.(keyOf(hash, actionId, version));
      if (!other) continue;
      elsewhere.documents++;
      elsewhere.pages += p;
      const batch = other.record.duplicateOf?.batch ?? other.batch;
      if (!elsewhere.batches.includes(batch)) elsewhere.batches.push(batch);
    }
    planned.push({
      version,
      dir,
      ...(side.batch !== undefined ? { batch: side.batch } : {}),
      reusedDocuments,
      reusedPages,
      elsewhere,
      toSend: pages - reusedPages - elsewhere.pages,
    });
  }
  return { actionId, documents: pagesOf.size, pages, refused, versions: planned };
}

/** A document's key in a batch, as the engine writes it: the same content, action and version. */
const keyOf = (hash: string, actionId: string, version: string) => `${hash}:${actionId}:${version}`;

/** A version's folder: its journal, read only (none yet: nothing sent). */
function folderRecords(cwd: string, dir: string): SideRecords {
  return {
    load: async () =>
      (await readJournal(resolve(cwd, dir)).catch((error: unknown) => {
        if (error instanceof JournalCorruptError) throw new UsageError(error.message);
        throw error;
      })) ?? [],
  };
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/** The cost, said before anything is sent: documents × pages × versions, less what is there already. */
export function costLines(plan: RunPlan, creditsPerPage?: number): string[] {
  const n = plan.versions.length;
  const toSend = plan.versions.reduce((s, v) => s + v.toSend, 0);
  const credits = (pages: number) =>
    creditsPerPage === undefined
      ? ''
      : ` × ${creditsPerPage} credits a page = ${(pages * creditsPerPage).toLocaleString('en-US')} credits`;
  const lines = [
    `${plural(plan.documents, 'document')}, ${plural(plan.pages, 'page')}, through ${plural(n, 'version')} of action ${plan.actionId}: ${plural(plan.pages, 'page')} × ${n} = ${plural(plan.pages * n, 'page')}${credits(plan.pages * n)}`,
  ];
  for (const v of plan.versions) {
    const here = v.batch === undefined ? 'this folder' : 'this batch';
    const reused = [
      ...(v.reusedDocuments > 0
        ? [
            `${plural(v.reusedDocuments, 'document')}, ${plural(v.reusedPages, 'page')}, already sent in ${here}: not paid again`,
          ]
        : []),
      ...(v.elsewhere.documents > 0
        ? [
            `${plural(v.elsewhere.documents, 'document')}, ${plural(v.elsewhere.pages, 'page')}, already sent for ${v.version} in batch ${v.elsewhere.batches.join(', ')} of the store: reused, not paid again`,
          ]
        : []),
    ];
    const where = v.batch === undefined ? v.dir : `batch ${v.batch}`;
    lines.push(
      `  ${v.version} → ${where}: ${plural(v.toSend, 'page')} to send${reused.length > 0 ? ` (${reused.join('; ')})` : ''}`,
    );
  }
  lines.push(`to send now: ${plural(toSend, 'page')}${credits(toSend)}`);
  if (plan.refused > 0)
    lines.push(`${plural(plan.refused, 'file')} would be refused by the check by content: never sent`);
  return lines;
}

/** What each side's batch takes besides its documents: the budgets, and the first poll interval. */
export type SideOptions = BudgetLimits & { pollIntervalMs?: number };

/**
 * Runs the documents through one version as a batch in its own folder (`<out>/<version>`): resumable as
 * any batch, with scores kept (the diff compares them).
 */
export async function runSide(
  ctx: CliContext,
  idp: IdpClient,
  paths: string[],
  actionId: string,
  version: string,
  dir: string,
  until: 'settled' | 'final',
  limits: SideOptions = {},
  store?: { batch: string; journal: JournalStore },
): Promise<BatchSummary> {
  ctx.warn(ctx.errStyle.bold(`${version} → ${store ? `batch ${store.batch} (outputs in ${dir})` : dir}`));
  const shown = batchProgress(ctx.io.stderr, ctx.errStyle);
  try {
    return await runBatch({
      client: idp,
      inputs: paths,
      cwd: ctx.io.cwd,
      actionId,
      actionVersion: version,
      outDir: resolve(ctx.io.cwd, dir),
      until,
      valueOnly: false,
      ...limits,
      onEvent: (event) => shown.event(event),
      ...ctx.signalOption,
      // A store's other batches are asked before each upload: what they retrieved is reused.
      ...(store ? { journal: store.journal } : {}),
    });
  } catch (error) {
    if (
      error instanceof JournalLockedError ||
      error instanceof InputError ||
      error instanceof JournalCorruptError
    )
      throw new UsageError(error.message);
    throw error;
  } finally {
    shown.stop();
  }
}
