import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { UsageError } from '../config.js';
import type { CliContext } from '../context.js';
import { readEvalConfig } from '../eval-config.js';
import { columns } from '../format.js';
import { terminalLine } from '../terminal-text.js';
import { storeUrl } from './batch.js';

interface EvalFlags extends SourceFlags {
  truth?: string;
  fromReviews?: boolean;
  config?: string;
  targetAccuracy: number;
  json?: boolean;
  html?: string;
}

interface SourceFlags {
  store?: string;
  batch?: string;
}

/** A target accuracy: more than 0, at most 1 (commander argument parser). */
function accuracy(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 1)
    throw new InvalidArgumentError('expected a share above 0 and at most 1, e.g. 0.99');
  return n;
}

const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`;
const num = (x: number | null | undefined) => (x === null || x === undefined ? '–' : x.toFixed(3));

/**
 * Where the results are: the folder (or results.jsonl) named, or with --store / --batch a batch in a
 * PostgreSQL store (--batch alone takes the store from IDP_BATCH_STORE).
 */
function sourceOf(
  ctx: CliContext,
  target: string | undefined,
  flags: SourceFlags,
): string | { store: string; batch: string } {
  if (flags.store === undefined && flags.batch === undefined) {
    if (target === undefined)
      throw new UsageError(
        'name the batch folder (or its results.jsonl), or a batch in a store: --store <url> --batch <name>',
      );
    return resolve(ctx.io.cwd, target);
  }
  if (target !== undefined)
    throw new UsageError(`give the batch folder ${target} or --store with --batch, not both`);
  const store = storeUrl(ctx, flags);
  if (!store)
    throw new UsageError(
      '--batch names a batch in a PostgreSQL store: give --store <url> (or set IDP_BATCH_STORE)',
    );
  if (!flags.batch) throw new UsageError('with --store, name the batch: --batch <name>');
  return { store, batch: flags.batch };
}

/** What a store needs while it is read: Ctrl-C, and a word while the database is away. */
export function storeOptions(ctx: CliContext) {
  return {
    ...ctx.signalOption,
    onUnavailable: (reason: string) => ctx.warn(ctx.errStyle.warn(`${terminalLine(reason)} Waiting for it.`)),
    onRecovered: () => ctx.warn(ctx.errStyle.dim('the batch store answers again')),
  };
}

const STORE_HELP = 'read the batch from this PostgreSQL store (default IDP_BATCH_STORE); with --batch';

/** `idp eval`: how right a batch's results are against ground truth, and where to set thresholds. */
export function evalCommand(program: Command, ctx: CliContext): void {
  const { cmd } = ctx;
  const command = program
    .command('eval')
    .summary('Measure results against ground truth: accuracy, calibration, threshold advice.')
    .description(
      'Compare a batch’s results with the right answers: per field precision, recall, F1 and accuracy; ' +
        'whether a low confidence really means a wrong value (ECE, Brier, AUROC); the share of errors a ' +
        'review of the lowest-scored 5/10/20 % catches; and the lowest threshold whose accepted values ' +
        'reach the target accuracy.',
    )
    .argument('[results]', 'a batch folder or its results.jsonl (idp batch run --confidence)')
    .option('--truth <file>', 'CSV (a file column, then one per field) or JSONL {file, fields, tables}')
    .option(
      '--from-reviews',
      'no truth file: the reviewed documents of a batch run with --until final, their values before the review against those after it',
    )
    .option('--store <url>', STORE_HELP)
    .option('--batch <name>', "the batch's name in the store")
    .option(
      '--config <file>',
      'JSON {"fields": {"total": "number", "dueDate": "date", "vendor": "fuzzy:0.9"}}',
    )
    .option('--target-accuracy <share>', 'accuracy the threshold advice aims at', accuracy, 0.99)
    .option('--json', 'print the report as one JSON object')
    .option('--html <file>', 'also write a self-contained HTML report with charts')
    .addHelpText(
      'after',
      `\nComparators: text (default: trimmed, spaces collapsed, any case), number (within 0.005) or\nnumber:<tolerance>, date (month first) or date:dmy, fuzzy:<0-1>, exact. Table columns are\n<table>.<column>. A truth row matches a result by base name, path relative to the batch's input, or\nSHA-256. Exit 2 on bad input; nothing is written then.\n\nExamples:\n  ${cmd} eval batch-out --truth truth.csv\n  ${cmd} eval batch-out --from-reviews\n  ${cmd} eval harvest batch-out --out truth.jsonl\n  ${cmd} eval --store postgres://idp@db/batches --batch march --truth truth.csv\n  ${cmd} eval batch-out/results.jsonl --truth truth.jsonl --config eval.json --json\n  ${cmd} eval batch-out --truth truth.csv --target-accuracy 0.98 --html report.html`,
    )
    .action(async (target: string | undefined, flags: EvalFlags) => {
      if ((flags.truth === undefined) === (flags.fromReviews !== true))
        throw new UsageError(
          'give the right answers with --truth <file>, or --from-reviews to take them from the reviewers (one of the two)',
        );
      const lib = await import('@idp-kit/eval');
      const { cwd } = ctx.io;
      const config = await readEvalConfig(flags.config, cwd);
      const source = sourceOf(ctx, target, flags);
      let report: import('@idp-kit/eval').EvalReport;
      let comparison: import('@idp-kit/eval').Comparison;
      try {
        let results: import('@idp-kit/eval').ResultDocument[];
        let truth: import('@idp-kit/eval').TruthRow[];
        if (flags.fromReviews) {
          const harvest = await lib.harvestReviews(source, storeOptions(ctx));
          lib.requireReviews(harvest);
          results = harvest.documents.map((d) => d.predictions);
          truth = harvest.documents.map((d) => d.truth);
          ctx.warn(harvested(harvest));
          if (results.every((r) => r.fields.every((f) => f.confidence === undefined)))
            ctx.warn(
              ctx.errStyle.warn(
                'the results have no confidence scores: run the batch with --confidence to measure calibration and threshold advice',
              ),
            );
        } else {
          results = await lib.loadResults(source, storeOptions(ctx));
          truth = await lib.readTruth(resolve(cwd, flags.truth as string));
        }
        comparison = lib.compareAll(results, truth, config);
        report = lib.reportOf(comparison, flags.targetAccuracy);
      } catch (error) {
        if (error instanceof lib.EvalInputError) throw new UsageError(error.message);
        throw error;
      }
      if (flags.html !== undefined) {
        const html = await lib.htmlReport(report, comparison, {
          targetAccuracy: flags.targetAccuracy,
          source: typeof source === 'string' ? (target ?? source) : `batch ${source.batch}`,
        });
        await writeFile(resolve(cwd, flags.html), html);
        ctx.warn(`wrote ${flags.html}: one file, it opens without a server or a network`);
      }
      if (flags.json) return ctx.say(JSON.stringify(report, null, 2));
      ctx.say(table(lib.fieldsWorstFirst(report), report, ctx, flags.targetAccuracy));
    });
  harvestCommand(command, ctx);
}

/** What a harvest found, in one line. */
function harvested(harvest: import('@idp-kit/eval').Harvest): string {
  const n = harvest.documents.length;
  return (
    `${n} document(s) went through MANUAL_VALIDATION_REQUIRED to SUCCEEDED; ${harvest.corrected} had corrections ` +
    `(${harvest.correctedValues} value(s) corrected)` +
    (harvest.waiting > 0 ? `; ${harvest.waiting} still wait for a review` : '')
  );
}

/** `idp eval harvest`: the reviewers' corrections as truth JSONL. */
function harvestCommand(parent: Command, ctx: CliContext): void {
  const { cmd } = ctx;
  parent
    .command('harvest')
    .summary('Turn reviewers’ corrections into ground truth (truth JSONL).')
    .description(
      'For each document of a batch that went through MANUAL_VALIDATION_REQUIRED to SUCCEEDED, the values ' +
        'after the review become its truth: one {"file": "sha256:…", "path", "fields", "tables"} line each, ' +
        'the format idp eval --truth reads. The batch must have run with --until final (it then keeps the ' +
        'result seen at review beside the final one).',
    )
    .argument('[batch]', 'the batch folder (idp batch run --until final --out)')
    .requiredOption('--out <file>', 'where to write the truth JSONL')
    .option('--store <url>', STORE_HELP)
    .option('--batch <name>', "the batch's name in the store")
    .addHelpText(
      'after',
      `\nExit 2 when no document went through a review (nothing is written then).\n\nExamples:\n  ${cmd} batch run invoices/ --action <id> --version 1.1.0 --confidence --until final --out batch-out\n  ${cmd} eval harvest batch-out --out truth.jsonl\n  ${cmd} eval batch-v2 --truth truth.jsonl`,
    )
    .action(async (target: string | undefined, flags: SourceFlags & { out: string }) => {
      const lib = await import('@idp-kit/eval');
      const source = sourceOf(ctx, target, flags);
      let harvest: import('@idp-kit/eval').Harvest;
      try {
        harvest = await lib.harvestReviews(source, storeOptions(ctx));
        lib.requireReviews(harvest);
      } catch (error) {
        if (error instanceof lib.EvalInputError) throw new UsageError(error.message);
        throw error;
      }
      await writeFile(resolve(ctx.io.cwd, flags.out), lib.truthJsonl(harvest));
      ctx.say(`${harvested(harvest)}. Wrote ${flags.out}: their values after the review, as truth.`);
    });
}

function table(
  fields: [string, import('@idp-kit/eval').FieldReport][],
  report: import('@idp-kit/eval').EvalReport,
  ctx: CliContext,
  target: number,
): string {
  const { style } = ctx;
  const header = [
    'field',
    'tp',
    'fp',
    'fn',
    'tn',
    'precision',
    'recall',
    'F1',
    'accuracy',
    'ECE',
    'AUROC',
    'caught@10%',
    `threshold for ${pct(target)}`,
  ];
  const row = (name: string, f: import('@idp-kit/eval').FieldReport) => [
    name,
    String(f.tp),
    String(f.fp),
    String(f.fn),
    String(f.tn),
    pct(f.precision),
    pct(f.recall),
    pct(f.f1),
    pct(f.accuracy),
    num(f.calibration.ece),
    num(f.calibration.auroc),
    pct(f.errorCapture['10']),
    f.threshold
      ? `${Math.round(f.threshold.value * 1000) / 1000} (${pct(f.threshold.straightThrough)} straight through)`
      : 'none reaches it',
  ];
  const lines = [
    `${report.matched} of ${report.documents} documents matched a truth row`,
    '',
    ...columns([
      header.map((h) => style.bold(h)),
      ...fields.map(([n, f]) => row(n, f)),
      row(style.bold('overall'), report.overall),
    ]),
  ];
  const list = (label: string, items: string[]) => {
    if (items.length === 0) return;
    const shown = items.slice(0, 10).join(', ');
    lines.push('', style.warn(`${items.length} ${label}: ${shown}${items.length > 10 ? ', …' : ''}`));
  };
  list('truth rows match no result', report.unmatchedTruth);
  list('results have no truth row', report.unmatchedResults);
  return lines.join('\n');
}
