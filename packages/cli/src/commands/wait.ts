import type { Command } from 'commander';
import { type ConnectionFlags, type ExecutionFlags, resolveExecution } from '../config.js';
import type { CliContext, OutputFlags, WaitFlags } from '../context.js';
import { EXIT_CODES_HELP, exitCodeFor } from '../exit-codes.js';
import { connectionOptions, EXAMPLE_URL, executionOptions, outputOptions, waitOptions } from '../flags.js';

/** `idp wait`: polls with a live status line, then prints the results. */
export function waitCommand(program: Command, ctx: CliContext): void {
  const { cmd } = ctx;
  waitOptions(outputOptions(executionOptions(connectionOptions(program.command('wait')))))
    .description(
      'Poll an execution until it settles (or is final), showing its status, then print the results.',
    )
    .addHelpText(
      'after',
      `\nExamples:\n  ${cmd} wait '${EXAMPLE_URL}' --timeout 15m\n  ${cmd} wait '<url>' --until final --csv > fields.csv\n\n${EXIT_CODES_HELP}`,
    )
    .action(
      async (url: string | undefined, flags: ConnectionFlags & ExecutionFlags & OutputFlags & WaitFlags) => {
        const timings = ctx.waitTimings(flags);
        const { ref, target, fromUrl } = resolveExecution(url, flags);
        const idp = ctx.connect(flags, fromUrl);
        const execution = await ctx.wait(idp, ref, flags, timings, target);
        ctx.print(execution, flags);
        ctx.exitCode = exitCodeFor(execution);
      },
    );
}
