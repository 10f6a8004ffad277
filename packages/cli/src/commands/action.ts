import { type OutputSchema, runtimeBaseUrl } from '@idp-kit/client';
import type { Command } from 'commander';
import { cellFitter, cutNote } from '../cell.js';
import type { ConnectionFlags } from '../config.js';
import type { CliContext } from '../context.js';
import { connectionOptions, formatOptions } from '../flags.js';
import { columns, toCsv } from '../format.js';

interface Flags extends ConnectionFlags {
  version?: string;
  json?: boolean;
  csv?: boolean;
  verbose?: boolean;
}

function rowsOf(output: OutputSchema): string[][] {
  return [
    ...(output.fields ?? []).map((f) => ['field', f.name, f.type ?? '', f.description ?? '']),
    ...(output.tables ?? []).flatMap((t) =>
      (t.columns ?? []).map((c) => ['column', `${t.name}.${c.name}`, c.type ?? '', c.description ?? '']),
    ),
    ...(output.prompts ?? []).map((p) => ['prompt', p.name, p.type ?? '', p.description ?? '']),
  ];
}

/** `idp action <id> [--version v]`: what the action (or one of its versions) extracts. */
export function actionCommand(program: Command, ctx: CliContext): void {
  const { cmd } = ctx;
  formatOptions(connectionOptions(program.command('action')))
    .argument('<action-id>', 'the document action (see `idp actions`)')
    .option('--version <semver>', 'one published version, e.g. 1.1.0; shows where it runs')
    .description('Show the fields, tables and prompts a document action extracts.')
    .addHelpText('after', `\nExamples:\n  ${cmd} action 90c3e286-72b5-42ca-92d0-22f86ea8d766 --version 1.1.0`)
    .action(async (actionId: string, flags: Flags) => {
      const idp = ctx.connect(flags);
      const action = await idp.getAction(actionId, ctx.signalOption);
      const version = flags.version
        ? await idp.getActionVersion(actionId, flags.version, ctx.signalOption)
        : undefined;
      // A version's configuration is what runs; the action's is the latest draft.
      const output = version?.configuration?.content?.output ?? action.configuration?.content?.output ?? {};
      if (flags.json) return ctx.json({ action, ...(version ? { version } : {}), output }, 2);
      const rows = rowsOf(output);
      if (flags.csv) return ctx.data(toCsv(['kind', 'name', 'type', 'description'], rows));
      const { style } = ctx;
      const cell = cellFitter();
      const out = [
        `${style.bold(cell(action.name))}  ${style.dim(cell(action.id))}${action.type ? `  ${cell(action.type)}` : ''}`,
      ];
      if (action.description) out.push(cell(action.description));
      if (version) {
        const url = runtimeBaseUrl(version);
        out.push(
          `Version ${cell(version.version)}: ${url ? cell(url) : style.dim('not published to a runtime')}`,
        );
      }
      out.push('');
      out.push(
        ...(rows.length > 0
          ? columns(rows.map((row) => row.map(cell)))
          : [style.dim('  (the action describes no output)')]),
      );
      if (cell.cut > 0) out.push('', style.dim(cutNote(cell.cut)));
      ctx.say(out.join('\n'));
    });
}
