import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import {
  type BatchEvent,
  type BatchSummary,
  InputError,
  JOURNAL_FILE,
  JournalCorruptError,
  JournalLockedError,
  openFileJournal,
  planBatch,
  readJournal,
  runBatch,
  summarize,
  writeOutputs,
} from '@idp-kit/batch';
import { IdpAbortError } from '@idp-kit/client';
import { type Command, Option } from 'commander';
import { batchProgress } from '../batch-progress.js';
import { batchRate, rateOption } from '../batch-rate.js';
import { type ConnectionFlags, parseDuration, UsageError } from '../config.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { connectionOptions } from '../flags.js';
import { terminalLine } from '../terminal-text.js';
import { type CallbackFlags, callbackFlags, callbackOptions } from './batch-callbacks.js';
import { budgetLine, type CostFlags, costOptions, pagesLine, showPlan } from './batch-cost.js';

interface RunFlags extends ConnectionFlags, CostFlags, CallbackFlags {
  action: string;
  version: string;
  out: string;
  until: 'settled' | 'final';
  concurrency: string;
  interval?: string;
  resubmitUncertain?: boolean;
  resubmitDuplicates?: boolean;
  preflight?: boolean;
  confidence?: boolean;
  json?: boolean;
  verbose?: boolean;
  store?: string;
  batch?: string;
  rate?: string;
}

interface StoreFlags {
  store?: string;
  batch?: string;
}

/**
 * The runs (one `main()` call each: one per process for the bin) that have said that a password in
 * `--store` shows in the process list: it is said once per run.
 */
const warnedStorePassword = new WeakSet<CliContext>();

/** `--store`, else IDP_BATCH_STORE (environment or .env): a PostgreSQL URL shared by many workers. */
export function storeUrl(ctx: CliContext, flags: StoreFlags): string | undefined {
  const url = flags.store ?? ctx.settings().env.IDP_BATCH_STORE;
  if (!url) return undefined;
  try {
    const password = decodeURIComponent(new URL(url).password);
    ctx.keepSecret(password);
    if (password && flags.store !== undefined && !warnedStorePassword.has(ctx)) {
      warnedStorePassword.add(ctx);
      ctx.warn(
        ctx.errStyle.warn(
          'warning: the password in --store shows in the process list (ps) of this machine: put the URL in IDP_BATCH_STORE instead, or leave the password out of it and set PGPASSWORD',
        ),
      );
    }
  } catch {
    // not a URL: openPostgresStore says so
  }
  return url;
}

/** The batch's name in a shared store, to read it: --batch, else the folder named. */
function batchName(flags: StoreFlags, dir: string | undefined): string {
  const name = flags.batch ?? (dir ? basename(resolve(dir)) : undefined);
  if (!name) throw new UsageError('with --store, name the batch: --batch <name>');
  return name;
}

/**
 * The batch a worker joins: --batch, never a default. Workers share a batch by its name alone, so a
 * default (the --out folder's name, as it once was) made four workers with four folders four batches,
 * and every document was paid four times.
 */
function workerBatchName(flags: StoreFlags): string {
  if (flags.batch) return flags.batch;
  const from = flags.store !== undefined ? '--store' : 'IDP_BATCH_STORE';
  throw new UsageError(
    `${from} is set, so name the batch: --batch <name>, the same on every worker. The name is what makes workers share one batch ` +
      '(each document paid once); without it, workers with different --out folders would each run a batch of their own and pay for every document again.',
  );
}

/** The shared store, or a usage error that says what is wrong with it (never the password). */
export async function openStore(
  ctx: CliContext,
  url: string,
  batch: string,
  action?: { actionId: string; actionVersion: string },
) {
  const { BatchStoreError, openPostgresStore } = await import('@idp-kit/batch/postgres');
  try {
    return await openPostgresStore({
      url,
      batch,
      ...(action ? { action } : {}),
      // Ctrl-C ends every wait of the store, an outage's retries included.
      ...ctx.signalOption,
      onUnavailable: (reason) =>
        ctx.warn(
          ctx.errStyle.warn(`${terminalLine(reason)} Waiting for it; nothing is submitted meanwhile.`),
        ),
      onRecovered: () => ctx.warn(ctx.errStyle.dim('the batch store answers again; resuming')),
      onTakeover: (message) => ctx.warn(ctx.errStyle.dim(`batch ${batch}: ${message}`)),
    });
  } catch (error) {
    if (error instanceof BatchStoreError) throw new UsageError(error.message);
    throw error;
  }
}

const STORE_HELP =
  'a PostgreSQL URL (postgres://user:pass@host/db) that many workers share; default IDP_BATCH_STORE';

/**
 * 9: the budget left documents queued (rerun with a larger one); 0: every document SUCCEEDED; 5: the
 * others wait for a review; 8: anything else.
 */
export function batchExitCode(summary: BatchSummary): number {
  if (summary.heldByBudget.documents > 0) return EXIT.BUDGET_SPENT;
  if (summary.succeeded === summary.documents) return EXIT.SUCCEEDED;
  if (summary.succeeded + summary.needsReview === summary.documents) return EXIT.MANUAL_VALIDATION_REQUIRED;
  return EXIT.BATCH_INCOMPLETE;
}

function report(ctx: CliContext, summary: BatchSummary, dir: string): void {
  const { errStyle } = ctx;
  const states = Object.entries(summary.states)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  ctx.warn(`${summary.succeeded} of ${summary.documents} documents SUCCEEDED (${states}); outputs in ${dir}`);
  ctx.warn(errStyle.dim(pagesLine(summary)));
  if (summary.duplicates > 0)
    ctx.warn(errStyle.dim(`${summary.duplicates} duplicate file(s) were not sent again`));
  if (summary.reused > 0)
    ctx.warn(
      errStyle.dim(
        `${summary.reused} document(s) were accepted before in another batch of the store: their executions were reused, not paid again (duplicateOf in results.jsonl; --resubmit-duplicates sends them anyway)`,
      ),
    );
  if (summary.needsReview > 0) {
    ctx.warn(
      errStyle.warn(
        `${summary.needsReview} wait for a review (${ctx.cmd} reviews); rerun the same command once they are done`,
      ),
    );
  }
  if (summary.uncertain.length > 0) {
    ctx.warn(
      errStyle.warn(
        `${summary.uncertain.length} may or may not have been submitted (the run stopped during their upload): ` +
          'check them in Anypoint IDP; rerun with --resubmit-uncertain to submit them again (each page costs credits)',
      ),
    );
    for (const path of summary.uncertain.slice(0, 10)) ctx.warn(errStyle.dim(`  ${terminalLine(path)}`));
  }
  const held = summary.heldByBudget.documents;
  if (summary.pending > held)
    ctx.warn(errStyle.dim(`${summary.pending - held} not finished: rerun the same command to resume`));
}

/** `idp batch status`: the counts, one fact a line, for stdout. */
function statusLines(ctx: CliContext, summary: BatchSummary, dir: string): string[] {
  const states = Object.entries(summary.states)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  const lines = [
    `${summary.succeeded} of ${summary.documents} documents SUCCEEDED (${states || 'none yet'}); batch ${dir}`,
    pagesLine(summary),
  ];
  const held = summary.heldByBudget;
  if (held.documents > 0) {
    lines.push(
      `${held.documents} document(s), ${held.pages} page(s) held back by the budget (queued): rerun the batch with a larger budget to send them`,
    );
  }
  if (summary.needsReview > 0) {
    lines.push(`${summary.needsReview} wait for a review (${ctx.cmd} reviews):`);
    for (const path of summary.review) lines.push(`  ${path}`);
  }
  if (summary.uncertain.length > 0) {
    lines.push(
      `${summary.uncertain.length} may or may not have been submitted (check them in Anypoint IDP):`,
    );
    for (const path of summary.uncertain) lines.push(`  ${path}`);
  }
  const unfinished = summary.pending - held.documents;
  if (unfinished > 0) lines.push(`${unfinished} not finished: rerun the batch's command to resume`);
  return lines;
}

/** `idp batch run | status | export`. */
export function batchCommand(program: Command, ctx: CliContext): void {
  const { cmd } = ctx;
  const batch = program
    .command('batch')
    .description('Take many documents through IDP into results files; crash-safe, resumable.')
    .addHelpText(
      'after',
      `\nExamples:\n  ${cmd} batch run invoices/ --action <id> --version 1.1.0 --out batch-out\n  ${cmd} batch status batch-out\n  ${cmd} batch export batch-out --csv`,
    );

  const run = connectionOptions(batch.command('run'))
    .description('Submit, wait and write results.jsonl, fields.csv, summary.json; rerunning resumes.')
    .argument(
      '<paths...>',
      'files, folders (recursive), globs, or manifests (.csv with a path column, .jsonl)',
    )
    .requiredOption('--action <id>', 'document action id')
    .requiredOption('--version <semver>', 'published action version, e.g. 1.1.0')
    .requiredOption('--out <dir>', 'the batch folder: journal and outputs (the same folder resumes)')
    .addOption(
      new Option(
        '--until <when>',
        'settled: stop at MANUAL_VALIDATION_REQUIRED; final: wait for the reviewer (and keep the result at review, for idp eval harvest)',
      )
        .choices(['settled', 'final'])
        .default('settled'),
    )
    .option('--concurrency <n>', 'uploads at once (fewer after a 429)', '4')
    .option('--interval <duration>', 'first poll interval (at least 10s against MuleSoft hosts)')
    .option('--resubmit-uncertain', 'submit again documents that may have been submitted already (credits)')
    .option(
      '--resubmit-duplicates',
      'with --store: submit documents another batch of the store has accepted or is uploading (credits)',
    )
    .option(
      '--no-preflight',
      'send documents the check by content would refuse (wrong type, encrypted, over 150 pages)',
    )
    .option(
      '--dry-run',
      'plan only: each document with its format, pages, bytes and verdict, then the totals; sends nothing',
    )
    .option(
      '--credits-per-page <n>',
      'the credits one page costs (your contract): prices the plan and summary',
    )
    .option(
      '--max-pages <n>',
      'submit documents in input order while the pages submitted in this batch stay within n',
    )
    .option('--max-credits <n>', 'the same in credits (needs --credits-per-page)')
    .option('--confidence', 'keep confidence scores and geometry in the results (valueOnly=false)');
  callbackFlags(run)
    .option(
      '--json',
      'print the engine events as NDJSON on stdout (with --dry-run: the plan as one JSON object)',
    )
    .option(
      '--rate <n/min>',
      'at most n requests a minute (or n/s a second) for the whole batch: uploads, polls, retrievals, tokens; with --store, shared by every worker (default IDP_RATE)',
    )
    .option('--store <url>', STORE_HELP)
    .option(
      '--batch <name>',
      "the batch's name in --store: required with it, the same on every worker (it is what makes them share one batch)",
    )
    .addHelpText(
      'after',
      `\nExit codes: 0 every document SUCCEEDED, 5 the others wait for a review, 8 otherwise (see summary.json),\n9 the budget (--max-pages, --max-credits) left documents queued (rerun with a larger one),\n130 interrupted (rerun the same command to resume), 1 and 2 as elsewhere. A dry run exits 0.`,
    )
    .action(async (paths: string[], flags: RunFlags) => {
      const concurrency = Number(flags.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
        throw new UsageError(`--concurrency must be a whole number from 1 to 64, got ${flags.concurrency}`);
      }
      const pollIntervalMs = flags.interval ? parseDuration(flags.interval, '--interval') : undefined;
      const limits = costOptions(flags);
      const rate = batchRate(rateOption(ctx, flags.rate));
      const url = storeUrl(ctx, flags);
      const action = { actionId: flags.action, actionVersion: flags.version };
      const callbacks = callbackOptions(flags, action);
      if (flags.dryRun) return dryRun(paths, flags, limits, url, action);
      const idp = ctx.connect(flags, undefined, rate.client);
      // Before any document is touched: a wrong URL or login ends here.
      const journal = url ? await openStore(ctx, url, workerBatchName(flags), action) : undefined;
      const shown = batchProgress(ctx.io.stderr, ctx.errStyle);
      let skipped = 0;
      const onEvent = (event: BatchEvent) => {
        if (event.type === 'skipped') skipped++;
        if (flags.json) ctx.json(event.type === 'end' ? { type: 'end' } : event);
        else shown.event(event);
      };
      try {
        // The budget's bucket: the store's one row for every worker, or this process's own.
        await rate.open(journal);
        const summary = await runBatch({
          client: idp,
          inputs: paths,
          cwd: ctx.io.cwd,
          actionId: flags.action,
          actionVersion: flags.version,
          outDir: flags.out,
          until: flags.until,
          uploadConcurrency: concurrency,
          ...(pollIntervalMs !== undefined ? { pollIntervalMs } : {}),
          resubmitUncertain: flags.resubmitUncertain === true,
          ...(flags.resubmitDuplicates ? { resubmitDuplicates: true } : {}),
          ...(flags.preflight === false ? { preflight: false } : {}),
          ...limits,
          valueOnly: flags.confidence !== true,
          ...(callbacks ? { callbacks } : {}),
          onEvent,
          ...ctx.signalOption,
          ...(journal ? { journal } : {}),
        });
        shown.stop();
        report(ctx, summary, flags.out);
        const budget = budgetLine(summary, limits);
        if (budget) ctx.warn(ctx.errStyle.warn(budget));
        if (skipped > 0 && !flags.json) {
          ctx.warn(
            ctx.errStyle.dim(
              `${skipped} file(s) in the input folders were not taken (listed above, with why)`,
            ),
          );
        }
        ctx.exitCode = batchExitCode(summary);
      } catch (error) {
        shown.stop();
        if (
          error instanceof JournalLockedError ||
          error instanceof InputError ||
          error instanceof JournalCorruptError
        )
          throw new UsageError(error.message);
        if (error instanceof IdpAbortError) {
          ctx.warn(ctx.errStyle.warn('stopped: rerun the same command to resume (nothing done is lost)'));
        }
        throw error;
      } finally {
        rate.dispose();
        await journal?.close();
      }
    });

  /**
   * `--dry-run`: no client (no token, no request), the folder's journal read only (never created),
   * the store only read (its migrations and the batch's row aside).
   */
  async function dryRun(
    paths: string[],
    flags: RunFlags,
    limits: ReturnType<typeof costOptions>,
    url: string | undefined,
    action: { actionId: string; actionVersion: string },
  ): Promise<void> {
    const journal = url ? await openStore(ctx, url, workerBatchName(flags), action) : undefined;
    try {
      const plan = await planBatch({
        inputs: paths,
        cwd: ctx.io.cwd,
        ...action,
        outDir: flags.out,
        ...(flags.preflight === false ? { preflight: false } : {}),
        ...(flags.resubmitUncertain ? { resubmitUncertain: true } : {}),
        ...(flags.resubmitDuplicates ? { resubmitDuplicates: true } : {}),
        ...limits,
        ...(journal ? { journal } : {}),
      });
      if (flags.json) ctx.json(plan);
      else showPlan(ctx, plan, limits);
      ctx.exitCode = EXIT.SUCCEEDED;
    } catch (error) {
      if (error instanceof InputError || error instanceof JournalCorruptError)
        throw new UsageError(error.message);
      throw error;
    } finally {
      await journal?.close();
    }
  }

  batch
    .command('status')
    .description('Counts per state of a batch folder or shared batch (also while a run goes on).')
    .argument('[dir]', 'the batch folder (with --store: names the batch, unless --batch does)')
    .option('--json', 'print the summary as JSON')
    .option('--store <url>', STORE_HELP)
    .option('--batch <name>', "the batch's name in --store")
    .action(async (dir: string | undefined, flags: { json?: boolean } & StoreFlags) => {
      const records = await recordsOf(dir, flags);
      const summary = summarize(records);
      // The answer to "where is it?" goes to stdout; it read the batch, so exit 0 (the run's own exit
      // code says how the batch went).
      if (flags.json) ctx.json(summary);
      else
        for (const line of statusLines(ctx, summary, dir ?? `batch ${batchName(flags, dir)}`)) ctx.say(line);
      ctx.exitCode = EXIT.SUCCEEDED;
    });

  /** A folder's journal, or a shared batch's records (read only: no lock, no lease). */
  async function recordsOf(dir: string | undefined, flags: StoreFlags, url = storeUrl(ctx, flags)) {
    if (url) {
      const store = await openStore(ctx, url, batchName(flags, dir));
      try {
        return await store.load();
      } finally {
        await store.close();
      }
    }
    if (!dir) throw new UsageError('name the batch folder, or a shared batch with --store and --batch');
    let records: Awaited<ReturnType<typeof readJournal>>;
    try {
      records = await readJournal(resolve(ctx.io.cwd, dir), { shownAs: dir });
    } catch (error) {
      if (error instanceof JournalCorruptError) throw new UsageError(error.message);
      throw error;
    }
    if (!records) throw new UsageError(`${dir} holds no batch journal (journal.jsonl)`);
    return records;
  }

  batch
    .command('export')
    .description('Rebuild the outputs from the journal (or from a shared batch, into <dir>).')
    .argument('<dir>', 'the batch folder')
    .addOption(new Option('--csv', 'only fields.csv (and summary.json)').conflicts('jsonl'))
    .option('--jsonl', 'only results.jsonl (and summary.json)')
    .option('--store <url>', STORE_HELP)
    .option('--batch <name>', "the batch's name in --store (default: the folder's name)")
    .action(async (dir: string, flags: { csv?: boolean; jsonl?: boolean } & StoreFlags) => {
      const which = { jsonl: flags.csv !== true, csv: flags.jsonl !== true };
      const url = storeUrl(ctx, flags);
      // Files are read against the command's folder; messages name the folder as typed.
      const folder = resolve(ctx.io.cwd, dir);
      if (url) {
        await mkdir(folder, { recursive: true });
        // Open while the outputs are written: each result is read from the store, one at a time.
        const store = await openStore(ctx, url, batchName(flags, dir));
        try {
          const summary = await writeOutputs(folder, await store.load(), which, store);
          ctx.warn(`wrote the outputs of ${summary.documents} documents in ${dir}`);
        } finally {
          await store.close();
        }
        return;
      }
      // Only whether it is there: opening it below reads it.
      if (!existsSync(join(folder, JOURNAL_FILE))) {
        throw new UsageError(`${dir} holds no batch journal (${JOURNAL_FILE})`);
      }
      let journal: Awaited<ReturnType<typeof openFileJournal>>;
      try {
        journal = await openFileJournal(folder, {
          shownAs: dir,
          onTakeover: (message) => ctx.warn(ctx.errStyle.warn(message)),
        });
      } catch (error) {
        if (error instanceof JournalLockedError || error instanceof JournalCorruptError)
          throw new UsageError(error.message);
        throw error;
      }
      try {
        const summary = await writeOutputs(folder, await journal.load(), which, journal);
        ctx.warn(`rebuilt the outputs of ${summary.documents} documents in ${dir}`);
      } finally {
        await journal.close();
      }
    });
}
