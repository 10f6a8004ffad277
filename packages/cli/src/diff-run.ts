import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import {
  type BatchSummary,
  type BudgetLimits,
  collectInputs,
  InputError,
  JournalCorruptError,
  JournalLockedError,
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
  versions: { version: string; dir: string; reusedDocuments: number; reusedPages: number; toSend: number }[];
}

/** States in which a document was sent already: a rerun reuses its execution, it is not paid again. */
const PAID = new Set(['submitting', 'submitted', 'settled', 'retrieved', 'uncertain', 'expired']);

/** Reads each document once (hash and pages), and each version's folder for what is there already. */
export async function planRun(
  paths: string[],
  cwd: string,
  out: string,
  actionId: string,
  versions: string[],
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
    const records = await readJournal(resolve(cwd, dir)).catch((error: unknown) => {
      if (error instanceof JournalCorruptError) throw new UsageError(error.message);
      throw error;
    });
    let reusedDocuments = 0;
    let reusedPages = 0;
    for (const r of records ?? []) {
      const p = pagesOf.get(r.hash);
      if (p === undefined || !PAID.has(r.state) || !r.key.includes(actionId)) continue;
      reusedDocuments++;
      reusedPages += p;
    }
    planned.push({ version, dir, reusedDocuments, reusedPages, toSend: pages - reusedPages });
  }
  return { actionId, documents: pagesOf.size, pages, refused, versions: planned };
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
    const reused =
      v.reusedDocuments > 0
        ? ` (${plural(v.reusedDocuments, 'document')}, ${plural(v.reusedPages, 'page')}, already sent in this folder: not paid again)`
        : '';
    lines.push(`  ${v.version} → ${v.dir}: ${plural(v.toSend, 'page')} to send${reused}`);
  }
  lines.push(`to send now: ${plural(toSend, 'page')}${credits(toSend)}`);
  if (plan.refused > 0)
    lines.push(`${plural(plan.refused, 'file')} would be refused by the check by content: never sent`);
  return lines;
}

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
  limits: BudgetLimits = {},
): Promise<BatchSummary> {
  ctx.warn(ctx.errStyle.bold(`${version} → ${dir}`));
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
