import { constants, existsSync } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { type ConnectionFlags, type ExecutionFlags, resolveExecution, UsageError } from '../config.js';
import type { CliContext } from '../context.js';
import { connectionOptions, EXAMPLE_URL, executionOptions, percent } from '../flags.js';
import { noSuchFile } from '../input-file.js';
import { viewOrder } from '../view-order.js';

interface ViewFlags extends ConnectionFlags, ExecutionFlags {
  document?: string;
  html?: string;
  open: boolean;
  port?: string;
  threshold: number;
}

const readable = (path: string) =>
  access(path, constants.R_OK).then(
    () => true,
    () => false,
  );

/** What the batch page needs of a value. */
const nameAndScore = (f: { name: string; confidence?: number }) =>
  f.confidence === undefined ? { name: f.name } : { name: f.name, confidence: f.confidence };

/** `idp view`: an execution or a batch in the browser, or as one HTML file. */
export function viewCommand(program: Command, ctx: CliContext): void {
  const { cmd } = ctx;
  executionOptions(connectionOptions(program.command('view')))
    .summary('Show an execution or a batch in the browser: pages, boxes, confidence.')
    .description(
      'Show results in a local web page: the document with a box per value coloured by confidence, a\n' +
        'searchable list of values, tables and prompts; or a batch folder: counts, a confidence\n' +
        'histogram per field, the shakiest documents first. The page binds 127.0.0.1 only and gets no\n' +
        'token: IDP is read here, in this process.',
    )
    .option('--document <file>', 'the submitted file (PDF, PNG, JPEG), to draw the boxes on its pages')
    .option('--html <file>', 'write one self-contained HTML file instead of serving (opens offline)')
    .option('--no-open', 'print the URL without opening a browser')
    .option('--port <port>', 'port on 127.0.0.1 (default: a free one)')
    .option('--threshold <0-100>', 'confidence below this is low (adjustable on the page)', percent, 80)
    .addHelpText(
      'after',
      `\nThe first argument may also be a batch folder or its results.jsonl, or an execution saved with\n${cmd} get --confidence --json.\n\nExamples:\n  ${cmd} view '${EXAMPLE_URL}' --document invoice.pdf\n  ${cmd} view batch-out\n  ${cmd} view saved.json --document invoice.pdf --html report.html`,
    )
    .action(async (target: string | undefined, flags: ViewFlags) => {
      const viewer = await import('@idp-kit/viewer');
      const { threshold } = flags;
      const port = flags.port === undefined ? undefined : Number(flags.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
        throw new UsageError(`--port must be 0-65535, got ${flags.port}`);
      }
      const document = flags.document ? resolve(ctx.io.cwd, flags.document) : undefined;
      if (document && !(await readable(document))) {
        if (!existsSync(document)) throw noSuchFile(flags.document ?? '', ctx.io.cwd);
        throw new UsageError(`cannot read --document ${flags.document}: check the path`);
      }
      const exporting = flags.html !== undefined;
      const local = target && !/^https?:\/\//i.test(target) ? resolve(ctx.io.cwd, target) : undefined;
      const info = local ? await stat(local).catch(() => undefined) : undefined;
      if (local && !info)
        throw new UsageError(
          `${target} is neither an execution URL nor a file or folder (looked in ${dirname(local)})`,
        );

      let data: import('@idp-kit/viewer').ViewData;
      let files: (string | undefined)[] = [];
      let views:
        | ((
            index: number,
          ) =>
            | import('@idp-kit/viewer').ExecutionView
            | null
            | Promise<import('@idp-kit/viewer').ExecutionView | null>)
        | undefined;

      if (local && info?.isDirectory()) {
        // A batch folder: the journal holds the records, results/ (or an older journal's lines) the
        // executions: read one at a time, never all at once.
        const { fileResults, readJournal } = await import('@idp-kit/batch');
        const { extractFields } = await import('@idp-kit/client');
        const records = await readJournal(local);
        if (!records) throw new UsageError(`${target} holds no batch journal (journal.jsonl)`);
        const results = fileResults(local);
        const sorted = viewOrder(records); // the diff report's links count on this order
        files = sorted.map((r) => (viewer.documentKind(r.path) ? r.path : undefined));
        const viewOf = async (index: number, embedded: boolean) => {
          const r = sorted[index];
          const execution = r?.state === 'retrieved' ? await results.readResult(r) : undefined;
          if (!r || execution === undefined) return null;
          const servable = !embedded && files[index] !== undefined;
          return viewer.executionView(execution, {
            title: r.fileName,
            ...(servable ? { document: { path: r.path, url: `/document/${index}` } } : {}),
            noDocumentReason: embedded
              ? 'The static export of a batch holds the values, not the documents: no boxes.'
              : 'The document is not a PDF, PNG or JPEG: no boxes.',
          });
        };
        const items: import('@idp-kit/viewer').BatchItem[] = [];
        for (const r of sorted) {
          const execution = r.state === 'retrieved' ? await results.readResult(r) : undefined;
          items.push({
            file: r.path,
            state: r.state,
            ...(r.status ? { status: r.status } : {}),
            // Names and scores only: what the batch page counts.
            fields: execution === undefined ? [] : extractFields(execution).map(nameAndScore),
            viewable: execution !== undefined,
          });
        }
        const documents: (import('@idp-kit/viewer').ExecutionView | null)[] = [];
        if (exporting) for (let i = 0; i < sorted.length; i++) documents.push(await viewOf(i, true));
        data = {
          view: viewer.batchView(items, threshold, basename(local)),
          threshold,
          ...(exporting ? { documents } : {}),
        };
        views = (index) => viewOf(index, false);
      } else if (local && /\.jsonl$/i.test(local)) {
        // A batch's results.jsonl: values and scores, no geometry.
        const lines = (await readFile(local, 'utf8')).split('\n').filter((l) => l.trim());
        const items = lines.map((line, i) => {
          try {
            return JSON.parse(line) as { file: string; state: string; status?: string; fields?: [] };
          } catch {
            throw new UsageError(`${target} line ${i + 1} is not JSON: is it a batch's results.jsonl?`);
          }
        });
        data = { view: viewer.batchView(items, threshold, basename(local)), threshold };
      } else {
        let execution: unknown;
        if (local) {
          try {
            execution = JSON.parse(await readFile(local, 'utf8'));
          } catch {
            throw new UsageError(
              `${target} is not JSON: give an execution URL, a saved execution, or a batch folder`,
            );
          }
        } else {
          const named = resolveExecution(target, flags);
          const idp = ctx.connect(flags, named.fromUrl);
          // Scores and geometry are what the view is for.
          // Shown in a page or written to a file: what the server sent, without this run's secrets.
          execution = idp.redactor.redactValue(
            await idp.getExecution(named.target, { valueOnly: false, ...ctx.signalOption }),
          );
        }
        let view = viewer.executionView(execution, {
          ...(document ? { document: { path: document, url: '/document/0' } } : {}),
        });
        if (exporting && document) view = await viewer.embedDocument(view, document);
        files = document ? [document] : [];
        data = { view, threshold };
      }

      if (flags.html !== undefined) {
        const out = resolve(ctx.io.cwd, flags.html);
        await viewer.writeStandalone(out, data);
        const { size } = await stat(out);
        ctx.warn(
          `wrote ${flags.html} (${Math.ceil(size / 1024)} kB): one file, it opens without a server or a network`,
        );
        return;
      }
      const running = await viewer
        .startViewer({
          data,
          files,
          ...(views ? { view: views } : {}),
          ...(port !== undefined ? { port } : {}),
        })
        .catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'EADDRINUSE')
            throw new UsageError(`port ${port} is taken: choose another --port, or leave it out`);
          throw error;
        });
      ctx.say(running.url);
      ctx.warn(ctx.errStyle.dim('serving on 127.0.0.1 only; Ctrl-C to stop'));
      if (flags.open) {
        const { default: openBrowser } = await import('open');
        await openBrowser(running.url)
          .then((child) =>
            child.on('error', () => ctx.warn(`could not open a browser: open ${running.url} yourself`)),
          )
          .catch(() => ctx.warn(`could not open a browser: open ${running.url} yourself`));
      }
      await ctx.untilInterrupted();
      await running.close();
      ctx.warn('viewer stopped');
    });
}
