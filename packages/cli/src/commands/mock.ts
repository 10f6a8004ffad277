import type { Command } from 'commander';
import { UsageError } from '../config.js';
import type { CliContext } from '../context.js';

/** `idp mock`: the bundled mock in the foreground, with the settings to paste. */
export function mockCommand(program: Command, ctx: CliContext): void {
  program
    .command('mock')
    .description('Run the bundled IDP mock (Prism) and print the settings that point idp at it.')
    .option('--port <port>', 'port to listen on', '4010')
    .action(async (flags: { port: string }) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new UsageError(`--port must be 0-65535, got ${flags.port}`);
      }
      const {
        startMock,
        EXAMPLE_EXECUTION: ids,
        MOCK_EXECUTIONS,
        exportLines,
        mockSettings,
      } = await import('@idp-kit/mock').catch(() => {
        throw new Error(
          'idp mock needs the @idp-kit/mock package (it brings Prism): npm install -g @idp-kit/mock',
        );
      });
      const mock = await startMock({ port });
      const { cmd } = ctx;
      ctx.say(`IDP mock running at ${mock.baseUrl} (Ctrl-C to stop). In another terminal:

${exportLines(mockSettings(mock)).join('\n')}

${cmd} get --action ${ids.actionId} --version ${ids.actionVersion} --execution ${ids.executionId}

Each of these execution ids shows one status, lifecycle or error (any other id: SUCCEEDED):
${Object.entries(MOCK_EXECUTIONS)
  .map(([name, id]) => `  ${name.padEnd(28)} ${id}`)
  .join('\n')}
To watch one go through its lifecycle (about 20 s):
${cmd} wait --action ${ids.actionId} --version ${ids.actionVersion} --execution ${MOCK_EXECUTIONS.lifecycle}`);
      await ctx.untilInterrupted();
      await mock.stop();
      ctx.say('mock stopped');
    });
}
