import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { UsageError } from '../config.js';
import type { CliContext } from '../context.js';
import { readEvalConfig } from '../eval-config.js';
import { columns } from '../format.js';

interface EvalFlags {
  truth: string;
  config?: string;
  targetAccuracy: number;
  json?: boolean;
  html?: string;
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

/** `idp eval`: how right a batch's results are against ground truth, and where to set thresholds. */
export function evalCommand(program: Command, ctx: CliContext): void {
  const { cmd } = ctx;
  program
    .command('eval')
    .summary('Measure results against ground truth: accuracy, calibration, threshold advice.')
    .description(
      'Compare a batch’s results with the right answers: per field precision, recall, F1 and accuracy; ' +
        'whether a low confidence really means a wrong value (ECE, Brier, AUROC); the share of errors a ' +
        'review of the lowest-scored 5/10/20 % catches; and the lowest threshold whose accepted values ' +
        'reach the target accuracy.',
    )
    .argument('<results>', 'a batch folder or its results.jsonl (idp batch run --confidence)')
    .requiredOption(
      '--truth <file>',
      'CSV (a file column, then one per field) or JSONL {file, fields, tables}',
    )
    .option(
      '--config <file>',
      'JSON {"fields": {"total": "number", "dueDate": "date", "vendor": "fuzzy:0.9"}}',
    )
    .option('--target-accuracy <share>', 'accuracy the threshold advice aims at', accuracy, 0.99)
    .option('--json', 'print the report as one JSON object')
    .option('--html <file>', 'also write a self-contained HTML report with charts')
    .addHelpText(
      'after',
      `\nComparators: text (default: trimmed, spaces collapsed, any case), number (within 0.005) or\nnumber:<tolerance>, date (month first) or date:dmy, fuzzy:<0-1>, exact. Table columns are\n<table>.<column>. A truth row matches a result by base name, path relative to the batch's input, or\nSHA-256. Exit 2 on bad input; nothing is written then.\n\nExamples:\n  ${cmd} eval batch-out --truth truth.csv\n  ${cmd} eval batch-out/results.jsonl --truth truth.jsonl --config eval.json --json\n  ${cmd} eval batch-out --truth truth.csv --target-accuracy 0.98 --html report.html`,
    )
    .action(async (target: string, flags: EvalFlags) => {
      const lib = await import('@idp-kit/eval');
      const { cwd } = ctx.io;
      const config = await readEvalConfig(flags.config, cwd);
      let report: import('@idp-kit/eval').EvalReport;
      let comparison: import('@idp-kit/eval').Comparison;
      try {
        const results = await lib.readResults(resolve(cwd, target));
        const truth = await lib.readTruth(resolve(cwd, flags.truth));
        comparison = lib.compareAll(results, truth, config);
        report = lib.reportOf(comparison, flags.targetAccuracy);
      } catch (error) {
        if (error instanceof lib.EvalInputError) throw new UsageError(error.message);
        throw error;
      }
      if (flags.html !== undefined) {
        const html = await lib.htmlReport(report, comparison, {
          targetAccuracy: flags.targetAccuracy,
          source: target,
        });
        await writeFile(resolve(cwd, flags.html), html);
        ctx.warn(`wrote ${flags.html}: one file, it opens without a server or a network`);
      }
      if (flags.json) return ctx.say(JSON.stringify(report, null, 2));
      ctx.say(table(lib.fieldsWorstFirst(report), report, ctx, flags.targetAccuracy));
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
