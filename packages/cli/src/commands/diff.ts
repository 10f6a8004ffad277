import { stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { type ConnectionFlags, parseDuration, UsageError } from '../config.js';
import { confirm } from '../confirm.js';
import type { CliContext } from '../context.js';
import { costLines, planRun, runSide, type SideOptions } from '../diff-run.js';
import { readEvalConfig } from '../eval-config.js';
import { EXIT } from '../exit-codes.js';
import { connectionOptions } from '../flags.js';
import { columns } from '../format.js';
import { viewIndex } from '../view-order.js';
import { openStore, storeUrl } from './batch.js';
import { budgetLine, costOptions } from './batch-cost.js';
import { storeOptions } from './eval.js';

type Eval = typeof import('@idp-kit/eval');
type DiffReport = import('@idp-kit/eval').DiffReport;
type GateResult = import('@idp-kit/eval').GateResult;
type SideView = import('@idp-kit/eval').SideView;

interface DiffFlags extends ConnectionFlags {
  truth?: string;
  config?: string;
  targetAccuracy: number;
  json?: boolean;
  html?: string;
  failOn: string[];
  run?: string[];
  action?: string;
  versions?: string;
  baseline?: string;
  out?: string;
  creditsPerPage?: number;
  yes?: boolean;
  until: 'settled' | 'final';
  store?: string;
  maxPages?: string;
  maxCredits?: string;
  viewPort: number;
  batch?: string;
  interval?: string;
}

/** A target accuracy: more than 0, at most 1 (commander argument parser). */
function accuracy(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 1)
    throw new InvalidArgumentError('expected a share above 0 and at most 1, e.g. 0.99');
  return n;
}

function credits(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number of credits, e.g. 1.5');
  return n;
}

/** The first of two loopback ports for the report's `idp view` links. */
function viewPort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65534)
    throw new InvalidArgumentError('expected a port from 1 to 65534 (side b uses the next one), e.g. 4811');
  return n;
}

const collect = (value: string, previous: string[]) => [...previous, value];

const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`;
const score = (x: number | null | undefined) => (x === null || x === undefined ? '–' : x.toFixed(1));
const signed = (x: number | null | undefined, f: (x: number) => string) =>
  x === null || x === undefined ? '–' : `${x > 0 ? '+' : ''}${f(x)}`;
const shown = (v: string | null) => (v === null ? '(none)' : JSON.stringify(v));

const SEMVER = /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/;

/** `--versions 1.1.0,1.2.0` (or one version with `--baseline`), checked before anything is read. */
function versionsOf(flags: DiffFlags): string[] {
  const versions = (flags.versions ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  const bad = versions.find((v) => !SEMVER.test(v));
  if (bad) throw new UsageError(`--versions: ${bad} is not a version such as 1.2.0`);
  const wanted = flags.baseline !== undefined ? 1 : 2;
  if (versions.length !== wanted || new Set(versions).size !== versions.length)
    throw new UsageError(
      flags.baseline !== undefined
        ? '--baseline takes one version: --versions 1.1.0 (the version the baseline ran)'
        : '--versions takes the two versions to compare: --versions 1.1.0,1.2.0 (current first)',
    );
  return versions;
}

/** Runs both sides (after the cost is said and agreed), or the one side a baseline is diffed with. */
async function runBoth(
  ctx: CliContext,
  flags: DiffFlags,
): Promise<{ a: string; b: string; labels: { a: string; b: string } }> {
  if (!flags.action) throw new UsageError('--run needs --action <id> and --versions 1.1.0,1.2.0');
  if (!flags.out)
    throw new UsageError('--run needs --out <dir>: each version runs as a batch in <dir>/<version>');
  const versions = versionsOf(flags);
  // The budgets of `idp batch run`, for each version's batch; checked before anything is read or sent.
  const limits = costOptions({
    ...(flags.maxPages !== undefined ? { maxPages: flags.maxPages } : {}),
    ...(flags.maxCredits !== undefined ? { maxCredits: flags.maxCredits } : {}),
    ...(flags.creditsPerPage !== undefined ? { creditsPerPage: String(flags.creditsPerPage) } : {}),
  });
  const pollIntervalMs =
    flags.interval === undefined ? undefined : parseDuration(flags.interval, '--interval');
  // The connection is checked before any file is read: a missing setting ends here.
  const idp = ctx.connect(flags);
  const stores = await sideStores(ctx, flags, flags.action, versions);
  try {
    return await runWith(
      ctx,
      flags,
      idp,
      versions,
      { ...limits, ...(pollIntervalMs === undefined ? {} : { pollIntervalMs }) },
      stores,
    );
  } finally {
    for (const s of stores.values()) await s.journal.close();
  }
}

type SideStore = { batch: string; journal: Awaited<ReturnType<typeof openStore>> };

/**
 * With `--run --store`: each version's batch in the store (`<--batch>-<version>`), opened before anything
 * is read. Any batch of the store that retrieved a document for the same action and version gives its
 * result: it is not sent again. A drift canary must send again, so `--baseline` takes no store.
 */
async function sideStores(ctx: CliContext, flags: DiffFlags, actionId: string, versions: string[]) {
  const stores = new Map<string, SideStore>();
  if (flags.store === undefined) return stores;
  if (flags.baseline !== undefined)
    throw new UsageError(
      '--baseline runs the documents again to see drift, while --store reuses what any of its batches retrieved: give one of the two',
    );
  if (!flags.batch)
    throw new UsageError(
      '--run --store needs --batch <name>: each version runs as the batch <name>-<version> of the store (the same name resumes)',
    );
  const url = storeUrl(ctx, { store: flags.store }) ?? flags.store;
  for (const version of versions) {
    const batch = `${flags.batch}-${version}`;
    try {
      stores.set(version, {
        batch,
        journal: await openStore(ctx, url, batch, { actionId, actionVersion: version }),
      });
    } catch (error) {
      for (const s of stores.values()) await s.journal.close();
      throw error;
    }
  }
  return stores;
}

async function runWith(
  ctx: CliContext,
  flags: DiffFlags,
  idp: ReturnType<CliContext['connect']>,
  versions: string[],
  limits: SideOptions,
  stores: Map<string, SideStore>,
): Promise<{ a: string; b: string; labels: { a: string; b: string } }> {
  const out = flags.out ?? '';
  const action = flags.action ?? '';
  const plan = await planRun(
    flags.run ?? [],
    ctx.io.cwd,
    out,
    action,
    versions,
    stores.size > 0
      ? (version) => {
          const { batch, journal } = stores.get(version) as SideStore;
          return {
            batch,
            load: () => journal.load(),
            findElsewhere: async (key) => journal.findElsewhere?.(key),
          };
        }
      : undefined,
  );
  for (const line of costLines(plan, flags.creditsPerPage)) ctx.warn(line);
  if (!flags.yes) {
    const answer = await confirm(ctx.io, 'Send them?');
    if (answer === undefined)
      throw new UsageError(
        'nothing was sent: add --yes to go on without a terminal to ask (the cost is above)',
      );
    if (!answer) {
      ctx.warn('nothing was sent');
      ctx.exitCode = EXIT.USAGE;
      throw new Declined();
    }
  }
  const dirs: string[] = [];
  for (const version of versions) {
    const dir = join(out, version);
    const store = stores.get(version);
    const summary = await runSide(
      ctx,
      idp,
      flags.run ?? [],
      action,
      version,
      dir,
      flags.until,
      limits,
      store,
    );
    const stopped = budgetLine(summary, limits);
    if (stopped) {
      // Half a side is no comparison: said, and the diff waits for a rerun with a larger budget.
      ctx.warn(ctx.errStyle.warn(`${dir}: ${stopped}`));
      ctx.warn('no diff: rerun the same command with a larger budget to finish both sides');
      ctx.exitCode = EXIT.BUDGET_SPENT;
      throw new Declined();
    }
    ctx.warn(
      `${summary.succeeded} of ${summary.documents} documents SUCCEEDED in ${store ? `batch ${store.batch}` : dir}`,
    );
    if (summary.reused > 0)
      ctx.warn(
        `${summary.reused} of them were retrieved before in another batch of the store for ${version}: reused, not paid again`,
      );
    if (summary.pending > 0 || summary.needsReview > 0)
      ctx.warn(
        ctx.errStyle.warn(
          `${summary.pending + summary.needsReview} not finished in ${dir}: the diff leaves them out; rerun the same command to resume`,
        ),
      );
    dirs.push(store ? store.batch : dir);
  }
  if (flags.baseline !== undefined) {
    const [version = ''] = versions;
    return {
      a: flags.baseline,
      b: dirs[0] ?? '',
      labels: { a: `baseline ${flags.baseline}`, b: `${version} now` },
    };
  }
  const [a = '', b = ''] = dirs;
  return { a, b, labels: { a: versions[0] ?? a, b: versions[1] ?? b } };
}

/** The person said no at the prompt: nothing was sent, the exit code is set already. */
class Declined extends Error {}

/** `idp diff`: two runs of the same documents compared, and a gate for CI. */
export function diffCommand(program: Command, ctx: CliContext): void {
  const { cmd } = ctx;
  connectionOptions(program.command('diff'))
    .summary('Compare two runs of the same documents (two action versions); a gate for CI.')
    .description(
      'Compare two batches over the same documents, matched by content hash: per field how many values ' +
        'agree, changed, appeared or disappeared, and the change in mean confidence; with --truth each ' +
        'side’s precision, recall, F1 and accuracy, and the difference. Every changed value is listed, ' +
        'worst first. With --run, runs the documents through both versions first (after saying the cost).',
    )
    .argument('[a]', 'the current side: a batch folder or its results.jsonl')
    .argument('[b]', 'the candidate side: a batch folder or its results.jsonl')
    .option('--truth <file>', 'ground truth (CSV or JSONL, as for idp eval): adds each side’s eval figures')
    .option('--config <file>', 'comparators per field, as for idp eval: they decide what "agree" means')
    .option('--target-accuracy <share>', 'for the eval figures’ threshold advice', accuracy, 0.99)
    .option('--json', 'print the report as one JSON object')
    .option('--html <file>', 'also write a self-contained HTML report')
    .option(
      '--view-port <port>',
      'with --html: each changed value links to idp view of side a on this port, side b on the next',
      viewPort,
      4811,
    )
    .option(
      '--fail-on <rule>',
      'f1-drop:<points>, changed:<percent>%, missing-field; repeat it or separate with commas',
      collect,
      [],
    )
    .option(
      '--store <url>',
      '<a> and <b> name two batches in this PostgreSQL store (idp batch run --store … --batch <name>); with --run, both versions run there',
    )
    .option('--run <paths...>', 'run these documents through both --versions first, then diff')
    .option(
      '--batch <name>',
      'with --run --store: each version runs as the batch <name>-<version> of the store; documents any batch of the store retrieved for that version are reused',
    )
    .option('--action <id>', 'with --run: the document action')
    .option('--versions <list>', 'with --run: the two versions, current first: 1.1.0,1.2.0')
    .option(
      '--baseline <dir>',
      'with --run and one version: diff a new run against this earlier batch (drift)',
    )
    .option('--out <dir>', 'with --run: each version runs as a batch in <dir>/<version> (rerun resumes)')
    .option(
      '--interval <duration>',
      'with --run: first poll interval, as for batch run (at least 10s against MuleSoft hosts)',
    )
    .option('--credits-per-page <n>', 'with --run: say the cost in credits too', credits)
    .option(
      '--max-pages <n>',
      'with --run: the page budget of each version’s batch, as for batch run (exit 9)',
    )
    .option(
      '--max-credits <n>',
      'with --run: the credit budget of each version’s batch (needs --credits-per-page)',
    )
    .option(
      '--yes',
      'with --run: send without asking (CI); without it a terminal is asked, else nothing is sent',
    )
    .addOption(
      new Option('--until <when>', 'with --run: settled, or final to wait for reviewers')
        .choices(['settled', 'final'])
        .default('settled'),
    )
    .addHelpText(
      'after',
      `\nWorst first: a value that was right and became wrong (with --truth), then by the largest drop in\nconfidence. Exit codes: 0 the gate passed (or none was set), ${EXIT.DIFF_GATE} a --fail-on rule was broken,\n${EXIT.BUDGET_SPENT} --run: a budget (--max-pages, --max-credits) stopped a side (no diff; rerun with more),\n2 bad input (f1-drop without --truth; --run without a terminal or --yes: nothing sent).\n\nExamples:\n  ${cmd} diff out/1.1.0 out/1.2.0 --truth truth.csv --config eval.json --html diff.html\n  ${cmd} diff out/1.1.0 out/1.2.0 --truth truth.csv --fail-on f1-drop:0.01,changed:5% --json\n  ${cmd} diff --run invoices/ --action <id> --versions 1.1.0,1.2.0 --out out --credits-per-page 1\n  ${cmd} diff --run invoices/ --action <id> --versions 1.1.0,1.2.0 --out upgrade --store postgres://idp@db/batches --batch upgrade\n  ${cmd} diff --run invoices/ --action <id> --versions 1.1.0 --baseline canary/2026-11-01 --out canary/2026-12-01 --yes`,
    )
    .action(async (a: string | undefined, b: string | undefined, flags: DiffFlags) => {
      const lib = await import('@idp-kit/eval');
      const { cwd } = ctx.io;
      // Everything that can be wrong with the input is said before a document is sent.
      let rules: import('@idp-kit/eval').GateRule[];
      try {
        rules = lib.parseFailOn(flags.failOn);
      } catch (error) {
        if (error instanceof lib.EvalInputError) throw new UsageError(error.message);
        throw error;
      }
      const needs = lib.needsTruth(rules);
      if (needs && flags.truth === undefined)
        throw new UsageError(`--fail-on ${needs.rule} needs --truth <file>: F1 is measured against it`);
      const config = await readEvalConfig(flags.config, cwd);
      const truth = flags.truth === undefined ? undefined : await readTruth(lib, resolve(cwd, flags.truth));

      let sides: { a: string; b: string; labels: { a: string; b: string } };
      if (flags.run) {
        if (a !== undefined || b !== undefined)
          throw new UsageError('--run makes both sides: give no <a> <b> with it');
        try {
          sides = await runBoth(ctx, flags);
        } catch (error) {
          if (error instanceof Declined) return;
          throw error;
        }
      } else {
        const stray = (
          [
            'action',
            'versions',
            'baseline',
            'out',
            'creditsPerPage',
            'maxPages',
            'maxCredits',
            'yes',
            'batch',
          ] as const
        ).find((k) => flags[k] !== undefined);
        if (stray)
          throw new UsageError(
            `--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} goes with --run <paths...>: it runs the documents first`,
          );
        if (a === undefined || b === undefined)
          throw new UsageError(
            'name both sides: idp diff <a> <b> (batch folders or results.jsonl), or use --run',
          );
        sides = { a, b, labels: { a, b } };
      }
      // Without --run, <a> and <b> name two batches of the store; with it, --run made them there.
      const store = flags.store;
      // The same documents in two batches of one store: each side is read one result at a time.
      const load = (side: string) =>
        store
          ? lib.loadResults({ store: storeUrl(ctx, { store }) ?? store, batch: side }, storeOptions(ctx))
          : lib.readResults(resolve(cwd, side));

      /** Both sides in memory (with truth, or from a store): b first, as the messages have it. */
      const loadBoth = async () => {
        const rb = await load(sides.b);
        return [await load(sides.a), rb] as const;
      };
      let diff: import('@idp-kit/eval').VersionDiff;
      let gate: GateResult | undefined;
      try {
        // Without truth, both sides are compared as they are read: a pair is let go once compared.
        diff = truth
          ? lib.diffResults(...(await loadBoth()), {
              truth,
              ...(config ? { config } : {}),
              targetAccuracy: flags.targetAccuracy,
              sources: sides.labels,
            })
          : store
            ? lib.diffResults(...(await loadBoth()), {
                ...(config ? { config } : {}),
                sources: { a: `batch ${sides.a}`, b: `batch ${sides.b}` },
              })
            : await lib.diffStream(
                lib.eachResult(resolve(cwd, sides.a)),
                lib.eachResult(resolve(cwd, sides.b)),
                {
                  ...(config ? { config } : {}),
                  sources: sides.labels,
                },
              );
        if (rules.length > 0) gate = lib.checkGate(diff.report, rules);
      } catch (error) {
        if (error instanceof lib.EvalInputError) throw new UsageError(error.message);
        throw error;
      }
      if (flags.html !== undefined) {
        const views = store ? {} : await sideViews(cwd, sides, cmd, flags.viewPort);
        const html = await lib.diffHtmlReport(diff, {
          targetAccuracy: flags.targetAccuracy,
          ...(gate ? { gate } : {}),
          views,
        });
        await writeFile(resolve(cwd, flags.html), html);
        ctx.warn(`wrote ${flags.html}: one file, it opens without a server or a network`);
      }
      if (flags.json) ctx.say(JSON.stringify({ ...diff.report, ...(gate ? { gate } : {}) }, null, 2));
      else ctx.say(text(diff.report, gate, ctx));
      if (gate && !gate.passed) {
        const broken = gate.rules.filter((r) => r.broken);
        ctx.warn(
          ctx.errStyle.bad(
            `the gate failed: ${broken.map((r) => `${r.rule} (${r.fields.join(', ')})`).join('; ')}`,
          ),
        );
        ctx.exitCode = EXIT.DIFF_GATE;
      }
    });
}

async function readTruth(lib: Eval, path: string) {
  try {
    return await lib.readTruth(path);
  } catch (error) {
    if (error instanceof lib.EvalInputError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * The sides that are batch folders (a journal beside the results), as `idp view` serves them: the
 * command (side a on `port`, side b on the next) and each document's number on its page, so that each
 * changed value in the report links to its document on each side.
 */
async function sideViews(cwd: string, sides: { a: string; b: string }, cmd: string, port: number) {
  const { readJournal } = await import('@idp-kit/batch');
  const viewOf = async (side: string, at: number): Promise<SideView | undefined> => {
    const dir = resolve(cwd, side);
    const journal = await stat(join(dir, 'journal.jsonl')).catch(() => undefined);
    const records = journal?.isFile() ? await readJournal(dir).catch(() => undefined) : undefined;
    if (!records) return undefined;
    const index = viewIndex(records);
    return {
      command: `${cmd} view ${quote(dir)} --port ${at} --no-open`,
      url: `http://127.0.0.1:${at}/`,
      indexOf: (file, hash) =>
        index.get(file) ?? (hash ? index.get(`sha256:${hash.toLowerCase()}`) : undefined),
    };
  };
  const a = await viewOf(sides.a, port);
  const b = await viewOf(sides.b, port + 1);
  return { ...(a ? { a } : {}), ...(b ? { b } : {}) };
}

/** A path as one shell word. */
const quote = (path: string) => (/^[\w./@:-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`);

const SHOWN_CHANGES = 50;

function text(report: DiffReport, gate: GateResult | undefined, ctx: CliContext): string {
  const { style } = ctx;
  const withTruth = report.truth !== undefined;
  const header = [
    'field',
    'agree',
    'changed',
    'appeared',
    'disappeared',
    'changed %',
    'conf a',
    'conf b',
    'Δ conf',
    ...(withTruth ? ['F1 a', 'F1 b', 'Δ F1'] : []),
  ];
  const row = (name: string, f: import('@idp-kit/eval').FieldDiff) => [
    name,
    String(f.agree),
    String(f.changed),
    String(f.appeared),
    String(f.disappeared),
    pct(f.changedShare),
    score(f.meanConfidence.a),
    score(f.meanConfidence.b),
    signed(f.meanConfidence.change, (x) => x.toFixed(1)),
    ...(withTruth
      ? [pct(f.eval?.a.f1), pct(f.eval?.b.f1), signed(f.eval?.change.f1, (x) => `${(x * 100).toFixed(1)} pt`)]
      : []),
  ];
  // The fields that moved most first: the ones to look at.
  const fields = Object.entries(report.fields).sort(
    ([, x], [, y]) =>
      (y.changedShare ?? 0) - (x.changedShare ?? 0) || (x.eval?.change.f1 ?? 0) - (y.eval?.change.f1 ?? 0),
  );
  const lines = [
    `${report.matched} documents on both sides (a: ${report.a.source}, b: ${report.b.source})`,
    '',
    ...columns([
      header.map((h) => style.bold(h)),
      ...fields.map(([n, f]) => row(n, f)),
      row(style.bold('overall'), report.overall),
    ]),
  ];
  for (const [label, items] of [
    [`only in a (${report.a.source})`, report.onlyInA],
    [`only in b (${report.b.source})`, report.onlyInB],
  ] as const) {
    if (items.length > 0)
      lines.push(
        '',
        style.warn(
          `${items.length} ${label}: ${items.slice(0, 10).join(', ')}${items.length > 10 ? ', …' : ''}`,
        ),
      );
  }
  lines.push(
    '',
    style.bold(
      `${report.changes.length} ${report.changes.length === 1 ? 'value differs' : 'values differ'}, worst first`,
    ),
  );
  for (const c of report.changes.slice(0, SHOWN_CHANGES)) {
    const cell = c.row === undefined ? c.field : `${c.field}[${c.row}]`;
    const verdict = c.verdict === 'unjudged' ? '' : ` ${c.verdict}`;
    lines.push(
      `  ${c.file.b}  ${cell}: ${shown(c.a.value)} (${score(c.a.confidence)}) → ${shown(c.b.value)} (${score(c.b.confidence)})${verdict}${c.truth !== undefined ? `, truth ${shown(c.truth)}` : ''}`,
    );
  }
  if (report.changes.length > SHOWN_CHANGES)
    lines.push(`  … ${report.changes.length - SHOWN_CHANGES} more: --json or --html lists them all`);
  if (gate) {
    lines.push('');
    for (const r of gate.rules)
      lines.push(
        r.broken ? style.bad(`gate ${r.rule}: broken by ${r.fields.join(', ')}`) : `gate ${r.rule}: kept`,
      );
  }
  return lines.join('\n');
}
