import type { Command } from 'commander';
import { cellFitter, cutNote } from '../cell.js';
import type { ConnectionFlags } from '../config.js';
import type { CliContext } from '../context.js';
import { connectionOptions, formatOptions } from '../flags.js';
import { columns, toCsv } from '../format.js';

interface Flags extends ConnectionFlags {
  json?: boolean;
  csv?: boolean;
  verbose?: boolean;
}

/** `idp reviews`: the executions waiting for a person. */
export function reviewsCommand(program: Command, ctx: CliContext): void {
  const { cmd } = ctx;
  formatOptions(connectionOptions(program.command('reviews')))
    .description('List the review tasks: executions in MANUAL_VALIDATION_REQUIRED waiting for a person.')
    .addHelpText(
      'after',
      `\nExamples:\n  ${cmd} reviews\n  ${cmd} review --action <action-id> --execution <execution-id>   its low-confidence items`,
    )
    .action(async (flags: Flags) => {
      const idp = ctx.connect(flags);
      const tasks = [];
      for await (const task of idp.reviews(ctx.signalOption)) tasks.push(task);
      if (flags.json) return ctx.json(tasks, 2);
      const rows = tasks.map((t) => [
        t.docOperationId,
        t.docActionId,
        t.docFileName ?? '',
        t.docOperationCreationDate ?? '',
      ]);
      if (flags.csv) return ctx.data(toCsv(['execution_id', 'action_id', 'file_name', 'created'], rows));
      if (tasks.length === 0) return ctx.say(ctx.style.dim('(no review tasks)'));
      const cell = cellFitter();
      const shown = rows.map((row) => row.map(cell));
      const out = columns([['execution', 'action', 'file', 'created'].map(ctx.style.bold), ...shown], '');
      if (cell.cut > 0) out.push('', ctx.style.dim(cutNote(cell.cut)));
      ctx.say(out.join('\n'));
      const [first] = tasks;
      // On stderr: stdout stays the table alone, for a pipe.
      if (first)
        ctx.warn(
          `\nRead one (its low-confidence items): ${cmd} review --action ${first.docActionId} --execution ${first.docOperationId}`,
        );
    });
}
