import { resolve } from 'node:path';
import {
  confidenceScaleOf,
  correctReview,
  type IdpClient,
  normalizeConfidence,
  parseExecutionUrl,
  type Review,
  type ReviewRef,
} from '@idp-kit/client';
import { type Command, Option } from 'commander';
import { type ConnectionFlags, UsageError } from '../config.js';
import type { CliContext } from '../context.js';
import { connectionOptions, percent } from '../flags.js';
import { columns, toCsv } from '../format.js';
import { readInputFile } from '../input-file.js';

interface Flags extends ConnectionFlags {
  action?: string;
  execution?: string;
  json?: boolean;
  csv?: boolean;
  verbose?: boolean;
  minConfidence: number;
  set?: string[];
  file?: string;
}

function targetOptions(command: Command): Command {
  return connectionOptions(command)
    .argument('[execution-url]', 'the execution URL, as shown in Anypoint or logged by a flow')
    .option('--action <id>', 'document action id (instead of a URL)')
    .option('--execution <id>', 'execution id (instead of a URL)')
    .option('--version <semver>', 'accepted for symmetry with get/wait; a review does not need it');
}

/** The review named by a URL or by --action/--execution, and the URL's connection settings. */
function target(url: string | undefined, flags: Flags) {
  if (url !== undefined) {
    if (flags.action !== undefined || flags.execution !== undefined) {
      throw new UsageError('give either an execution URL or --action/--execution, not both');
    }
    const { organizationId, baseUrl, actionId, executionId } = parseExecutionUrl(url);
    return { ref: { actionId, executionId }, fromUrl: { organizationId, baseUrl } };
  }
  const missing = ['--action', '--execution'].filter(
    (_, i) => [flags.action, flags.execution][i] === undefined,
  );
  if (missing.length > 0) throw new UsageError(`name the review: an execution URL, or ${missing.join(', ')}`);
  return { ref: { actionId: flags.action ?? '', executionId: flags.execution ?? '' } as ReviewRef };
}

function connect(ctx: CliContext, url: string | undefined, flags: Flags): { idp: IdpClient; ref: ReviewRef } {
  const { ref, fromUrl } = target(url, flags);
  return { idp: ctx.connect(flags, fromUrl), ref };
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '(no value)';
  return (typeof value === 'string' ? value : JSON.stringify(value)).replace(/[\r\n\t]+/g, ' ');
}

function show(ctx: CliContext, review: Review, flags: Flags) {
  if (flags.json) return ctx.say(JSON.stringify(review, null, 2));
  const items = review.analyzersResults;
  const scale = confidenceScaleOf(
    items.flatMap((i) => (typeof i.confidenceScore === 'number' ? [i.confidenceScore] : [])),
  );
  const confidence = (score: number | undefined) =>
    score === undefined ? undefined : normalizeConfidence(score, scale);
  if (flags.csv) {
    return ctx.say(
      toCsv(
        ['name', 'value', 'confidence', 'validated', 'query'],
        items.map((i) => [
          i.name,
          text(i.result),
          confidence(i.confidenceScore),
          i.isValidated ?? false,
          i.query,
        ]),
      ),
    );
  }
  const { style } = ctx;
  if (items.length === 0) return ctx.say(style.dim('(no low-confidence items)'));
  let low = 0;
  const rows = items.map((i) => {
    const c = confidence(i.confidenceScore);
    const shaky = c !== undefined && c < flags.minConfidence && !i.isValidated;
    if (shaky) low++;
    const score = c === undefined ? '' : shaky ? style.warn(`${c.toFixed(1)} !`) : c.toFixed(1);
    return [i.name, text(i.result), score, i.isValidated ? style.ok('validated') : '', i.query ?? ''];
  });
  const out = columns([['name', 'value', 'confidence', '', 'query'].map(style.bold), ...rows], '');
  if (low > 0) {
    out.push(
      '',
      style.warn(`! ${low} value${low > 1 ? 's' : ''} below ${flags.minConfidence}%: correct with`) +
        ` ${ctx.cmd} review update … --set name=value`,
    );
  }
  ctx.say(out.join('\n'));
}

/** `--set name=value`, repeatable. */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function parseSets(sets: string[]): Record<string, string> {
  const corrections: Record<string, string> = {};
  for (const set of sets) {
    const at = set.indexOf('=');
    if (at <= 0) throw new UsageError(`--set takes name=value, got ${JSON.stringify(set)}`);
    corrections[set.slice(0, at)] = set.slice(at + 1);
  }
  return corrections;
}

/** A corrections file: a whole review payload, or `{ "name": value, … }`. */
async function readCorrections(
  path: string,
  cwd: string,
): Promise<{ review?: Review; corrections?: Record<string, never> }> {
  const full = resolve(cwd, path);
  const text = (await readInputFile(path, cwd)).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`cannot read corrections from ${full}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`${full} must hold a review payload or an object of name: value corrections`);
  }
  return 'analyzersResults' in parsed
    ? { review: parsed as Review }
    : { corrections: parsed as Record<string, never> };
}

const minConfidence = () =>
  new Option('--min-confidence <percent>', 'mark values below this confidence')
    .default(80)
    .argParser(percent);

/** `idp review …`: read, correct and approve one execution's review task. */
export function reviewCommand(program: Command, ctx: CliContext): void {
  const { cmd } = ctx;
  const review = program
    .command('review')
    .description('Read, correct and approve the review task of an execution in MANUAL_VALIDATION_REQUIRED.')
    .addHelpText(
      'after',
      `\nExamples:\n  ${cmd} review --action <action-id> --execution <execution-id>\n  ${cmd} review update --action <action-id> --execution <execution-id> --set total=1920.00\n  ${cmd} review approve --action <action-id> --execution <execution-id>`,
    );

  targetOptions(review.command('show', { isDefault: true }))
    .description('Print the low-confidence items (the default).')
    .addOption(minConfidence())
    .addOption(new Option('--json', 'print the review payload as JSON').conflicts('csv'))
    .option('--csv', 'print the items as CSV')
    .action(async (url: string | undefined, flags: Flags) => {
      const { idp, ref } = connect(ctx, url, flags);
      show(ctx, await idp.getReview(ref, ctx.signalOption), flags);
    });

  targetOptions(review.command('update'))
    .description('Correct items: --set name=value (repeatable), or --file with a payload or { name: value }.')
    .option('--set <name=value>', 'the corrected value of one item (text)', collect)
    .option('--file <corrections.json>', 'a review payload, or an object of name: value corrections')
    .addOption(minConfidence())
    .addOption(new Option('--json', 'print the updated payload as JSON').conflicts('csv'))
    .option('--csv', 'print the items as CSV')
    .action(async (url: string | undefined, flags: Flags) => {
      if (!flags.set && !flags.file)
        throw new UsageError('say what to correct: --set name=value, or --file corrections.json');
      const fromFile = flags.file ? await readCorrections(flags.file, ctx.io.cwd) : {};
      if (fromFile.review && flags.set)
        throw new UsageError('--file holds a whole review payload: do not add --set');
      const { idp, ref } = connect(ctx, url, flags);
      const payload =
        fromFile.review ??
        correctReview(await idp.getReview(ref, ctx.signalOption), {
          ...fromFile.corrections,
          ...parseSets(flags.set ?? []),
        });
      show(ctx, await idp.updateReview(ref, payload, ctx.signalOption), flags);
    });

  targetOptions(review.command('approve'))
    .description('Close the review task: the execution becomes SUCCEEDED.')
    .action(async (url: string | undefined, flags: Flags) => {
      const { idp, ref } = connect(ctx, url, flags);
      await idp.approveReview(ref, ctx.signalOption);
      ctx.warn(
        `approved: execution ${ref.executionId} becomes SUCCEEDED (${cmd} wait … --until final shows its results)`,
      );
    });
}
