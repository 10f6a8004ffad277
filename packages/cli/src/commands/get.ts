import type { Command } from 'commander';
import { type ConnectionFlags, type ExecutionFlags, resolveExecution } from '../config.js';
import type { CliContext, OutputFlags } from '../context.js';
import { EXIT_CODES_HELP, exitCodeFor } from '../exit-codes.js';
import { connectionOptions, EXAMPLE_URL, executionOptions, outputOptions } from '../flags.js';

/** `idp get`: one retrieval, printed; the exit code says the status. */
export function getCommand(program: Command, ctx: CliContext): void {
  const { cmd } = ctx;
  outputOptions(executionOptions(connectionOptions(program.command('get'))))
    .description('Retrieve an execution once and print its status and results.')
    .addHelpText(
      'after',
      `\nExamples:\n  ${cmd} get '${EXAMPLE_URL}'\n  ${cmd} get --action 90c3e286-72b5-42ca-92d0-22f86ea8d766 --version 1.1.0 --execution 022c61de-9bfc-4a94-8a9c-43c5f8ac153e --json\n  ${cmd} get '<url>' --confidence --min-confidence 90\n\n${EXIT_CODES_HELP}`,
    )
    .action(async (url: string | undefined, flags: ConnectionFlags & ExecutionFlags & OutputFlags) => {
      const { target, fromUrl } = resolveExecution(url, flags);
      const idp = ctx.connect(flags, fromUrl);
      const execution = await idp.getExecution(target, { valueOnly: !flags.confidence, ...ctx.signalOption });
      ctx.print(execution, flags);
      ctx.exitCode = exitCodeFor(execution);
    });
}
