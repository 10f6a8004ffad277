import { resolve } from 'node:path';
import {
  confidenceScaleOf,
  correctReview,
  type IdpClient,
  normalizeConfidence,
  type Review,
  type ReviewItem,
  type ReviewRef,
  runtimeBaseUrl,
} from '@idp-kit/client';
import { type Command, Option } from 'commander';
import { cellFitter, cutNote } from '../cell.js';
import { type ConnectionFlags, resolveExecution, UsageError } from '../config.js';
import type { CliContext } from '../context.js';
import { connectionOptions, percent } from '../flags.js';
import { columns, toCsv } from '../format.js';
import { readInputFile } from '../input-file.js';
import { shellWord } from '../shell-word.js';

interface Flags extends ConnectionFlags {
  action?: string;
  execution?: string;
  json?: boolean;
  csv?: boolean;
  verbose?: boolean;
  minConfidence: number;
  set?: string[];
  file?: string;
  version?: string;
}

function targetOptions(command: Command): Command {
  return connectionOptions(command)
    .argument('[execution-url]', 'the execution URL, as shown in Anypoint or logged by a flow')
    .option('--action <id>', 'document action id (instead of a URL)')
    .option('--execution <id>', 'execution id (instead of a URL)')
    .option('--version <semver>', 'accepted for symmetry with get/wait; a review does not need it');
}

/** The review named by a URL or by --action/--execution (the one rule `get` and `wait` use too). */
function target(url: string | undefined, flags: Flags) {
  const { ref, fromUrl } = resolveExecution(url, flags, { needsVersion: false, noun: 'review' });
  const review: ReviewRef = { actionId: ref.actionId, executionId: ref.executionId };
  return { ref: review, version: ref.actionVersion || undefined, ...(fromUrl ? { fromUrl } : {}) };
}

/** The client, the review, and the words that name it again in a printed command (the same URL or ids). */
function connect(ctx: CliContext, url: string | undefined, flags: Flags): Target {
  const { ref, fromUrl, version } = target(url, flags);
  const named =
    url !== undefined ? shellWord(url) : `--action ${ref.actionId} --execution ${ref.executionId}`;
  return {
    idp: ctx.connect(flags, fromUrl),
    ref,
    handle: url ?? ref,
    named,
    ...(url !== undefined ? { url } : {}),
    ...(version ? { version } : {}),
  };
}

interface Target {
  idp: IdpClient;
  ref: ReviewRef;
  /** What the client is handed: the pasted URL itself (so the client's own host rule runs for it), or the ids. */
  handle: ReviewRef | string;
  /** `'<url>'` or `--action <id> --execution <id>`, as the user named the review. */
  named: string;
  url?: string;
  version?: string;
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '(no value)';
  return (typeof value === 'string' ? value : JSON.stringify(value)).replace(/[\r\n\t]+/g, ' ');
}

/** A value as `--set` takes it: text as it is, nothing for no value. */
function asRead(value: unknown): string {
  return value === null || value === undefined ? '' : text(value);
}

/** Prints the review; true when it also printed the commands to correct and approve it. */
function show(ctx: CliContext, review: Review, flags: Flags, named: string): boolean {
  if (flags.json) {
    ctx.json(review, 2);
    return false;
  }
  const items = review.analyzersResults;
  const scale = confidenceScaleOf(
    items.flatMap((i) => (typeof i.confidenceScore === 'number' ? [i.confidenceScore] : [])),
  );
  const confidence = (score: number | undefined) =>
    score === undefined ? undefined : normalizeConfidence(score, scale);
  if (flags.csv) {
    ctx.data(
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
    return false;
  }
  const { style } = ctx;
  if (items.length === 0) {
    ctx.say(style.dim('(no low-confidence items)'));
    return false;
  }
  const low: ReviewItem[] = [];
  const cell = cellFitter();
  const rows = items.map((i) => {
    const c = confidence(i.confidenceScore);
    const shaky = c !== undefined && c < flags.minConfidence && !i.isValidated;
    if (shaky) low.push(i);
    const score = c === undefined ? '' : shaky ? style.warn(`${c.toFixed(1)} !`) : c.toFixed(1);
    return [
      cell(i.name),
      cell(text(i.result)),
      score,
      i.isValidated ? style.ok('validated') : '',
      cell(i.query ?? ''),
    ];
  });
  const out = columns([['name', 'value', 'confidence', '', 'query'].map(style.bold), ...rows], '');
  // The hint shows a value as read, to be edited; one with a value reads better than an empty one.
  const first = low.find((i) => i.result !== null && i.result !== undefined) ?? low[0];
  if (first) {
    out.push(
      '',
      style.warn(`! ${low.length} value${low.length > 1 ? 's' : ''} below ${flags.minConfidence}%.`) +
        ' Correct one (put the right value after the =), then approve:',
      `  ${ctx.cmd} review update ${named} --set ${shellWord(`${first.name}=${asRead(first.result)}`)}`,
      `  ${ctx.cmd} review approve ${named}`,
    );
  }
  if (cell.cut > 0) out.push('', style.dim(cutNote(cell.cut)));
  ctx.say(out.join('\n'));
  return first !== undefined;
}

/**
 * `wait … --until final` for an approved review, with the action's version: from the URL or --version,
 * else asked of the control plane (a review does not carry it): the one version on a runtime, or of several
 * the one the execution is found under. Only when that fails does the command hold a placeholder.
 */
async function waitCommand({ idp, ref, named, url, version }: Target, ctx: CliContext): Promise<string> {
  if (url !== undefined) return `wait ${named} --until final`; // the execution URL names the version
  const known = version ?? (await onlyVersion(idp, ref.actionId, ref.executionId, ctx));
  return `wait --action ${ref.actionId} --version ${known ?? '<version>'} --execution ${ref.executionId} --until final`;
}

async function onlyVersion(
  idp: IdpClient,
  actionId: string,
  executionId: string,
  ctx: CliContext,
): Promise<string | undefined> {
  try {
    // Only a version published to a runtime can have executions.
    const versions = (await idp.listActionVersions(actionId, ctx.signalOption)).filter(
      (v) => runtimeBaseUrl(v) !== undefined,
    );
    if (versions.length <= 1) return versions[0]?.version;
    // Several versions on a runtime: the one under which the execution is found (a GET each, only here).
    const found = await Promise.all(
      versions.map((v) =>
        idp.getExecution({ actionId, actionVersion: v.version, executionId }, ctx.signalOption).then(
          () => v.version,
          () => undefined,
        ),
      ),
    );
    const under = found.filter((v) => v !== undefined);
    return under.length === 1 ? under[0] : undefined;
  } catch {
    return undefined; // a hint is not worth an error: the approval itself succeeded
  }
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
      const { idp, handle, named } = connect(ctx, url, flags);
      show(ctx, await idp.getReview(handle, ctx.signalOption), flags, named);
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
      const { idp, handle, named } = connect(ctx, url, flags);
      const payload =
        fromFile.review ??
        correctReview(await idp.getReview(handle, ctx.signalOption), {
          ...fromFile.corrections,
          ...parseSets(flags.set ?? []),
        });
      const hinted = show(ctx, await idp.updateReview(handle, payload, ctx.signalOption), flags, named);
      if (!hinted && !flags.json && !flags.csv)
        ctx.warn(`Then close the review: ${cmd} review approve ${named}`);
    });

  targetOptions(review.command('approve'))
    .description('Close the review task: the execution becomes SUCCEEDED.')
    .action(async (url: string | undefined, flags: Flags) => {
      const review = connect(ctx, url, flags);
      await review.idp.approveReview(review.handle, ctx.signalOption);
      ctx.warn(`approved: execution ${review.ref.executionId} becomes SUCCEEDED. Its results:`);
      ctx.warn(`  ${cmd} ${await waitCommand(review, ctx)}`);
    });
}
