import type { Command } from 'commander';
import { parseDuration, UsageError } from '../config.js';
import type { CliContext } from '../context.js';

/** `idp mock`: the bundled mock in the foreground, with the settings to paste. */
export function mockCommand(program: Command, ctx: CliContext): void {
  program
    .command('mock')
    .description('Run the bundled IDP mock (Prism) and print the settings that point idp at it.')
    .option('--port <port>', 'port to listen on', '4010')
    .option('--callback-delay <duration>', 'call back this long after an execution settles (e.g. 2s)', '0s')
    .option('--callback-loss <share>', 'lose this share of callbacks on purpose, 0 to 1 (e.g. 0.1)', '0')
    .action(async (flags: { port: string; callbackDelay: string; callbackLoss: string }) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new UsageError(`--port must be 0-65535, got ${flags.port}`);
      }
      const delayMs = parseDuration(flags.callbackDelay, '--callback-delay');
      const lossRate = Number(flags.callbackLoss);
      if (flags.callbackLoss.trim() === '' || !(lossRate >= 0 && lossRate <= 1)) {
        throw new UsageError(
          `--callback-loss must be a share from 0 to 1 (0.1 loses one callback in ten), got ${flags.callbackLoss}`,
        );
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
      // Prism takes seconds to start (tens on a busy machine, more the first time): say so at once, on
      // stderr, rather than sit silent. Requests that come meanwhile get 503 with Retry-After.
      ctx.warn(
        ctx.errStyle.dim(
          `Starting the IDP mock on port ${port} (Prism: a few seconds, up to a minute on a busy machine)…`,
        ),
      );
      const mock = await startMock({ port, callbacks: { delayMs, lossRate } });
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
