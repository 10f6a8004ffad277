import type { Command } from 'commander';
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
      if (flags.json) return ctx.say(JSON.stringify(tasks, null, 2));
      const rows = tasks.map((t) => [
        t.docOperationId,
        t.docActionId,
        t.docFileName ?? '',
        t.docOperationCreationDate ?? '',
      ]);
      if (flags.csv) return ctx.say(toCsv(['execution_id', 'action_id', 'file_name', 'created'], rows));
      if (tasks.length === 0) return ctx.say(ctx.style.dim('(no review tasks)'));
      ctx.say(
        columns([['execution', 'action', 'file', 'created'].map(ctx.style.bold), ...rows], '').join('\n'),
      );
      const [first] = tasks;
      // On stderr: stdout stays the table alone, for a pipe.
      if (first)
        ctx.warn(
          `\nRead one (its low-confidence items): ${cmd} review --action ${first.docActionId} --execution ${first.docOperationId}`,
        );
    });
}
