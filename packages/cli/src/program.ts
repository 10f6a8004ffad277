import { IdpError } from '@idp-kit/client';
import { Command, CommanderError } from 'commander';
import { actionCommand } from './commands/action.js';
import { actionsCommand } from './commands/actions.js';
import { batchCommand } from './commands/batch.js';
import { diffCommand } from './commands/diff.js';
import { doctorCommand } from './commands/doctor.js';
import { evalCommand } from './commands/eval.js';
import { getCommand } from './commands/get.js';
import { mcpCommand } from './commands/mcp.js';
import { mockCommand } from './commands/mock.js';
import { reviewCommand } from './commands/review.js';
import { reviewsCommand } from './commands/reviews.js';
import { submitCommand } from './commands/submit.js';
import { viewCommand } from './commands/view.js';
import { waitCommand } from './commands/wait.js';
import { UsageError } from './config.js';
import { CliContext, type Io } from './context.js';
import { EXIT, EXIT_CODES_HELP, exitCodeForError } from './exit-codes.js';
import { SETTINGS_HELP } from './flags.js';
import { helpHasColors, helpWidth } from './help-output.js';
import type { Style } from './style.js';
import { terminalLine, terminalText } from './terminal-text.js';
import { VERSION } from './version.js';

export type { Io };

/** Runs `idp` with `argv` (without node and the script) and resolves with the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const ctx = new CliContext(io);
  const program = new Command('idp')
    .description(
      'Retrieve, wait for and submit MuleSoft IDP document-action executions; review them; discover actions.',
    )
    .version(VERSION, '-V, --version', 'print the idp-kit version')
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.io.stdout.write(terminalText(text, ctx.style.sequences)),
      writeErr: (text) => ctx.io.stderr.write(terminalText(text, ctx.errStyle.sequences)),
      outputError: (text, write) => write(ctx.errStyle.bad(text)),
      getOutHelpWidth: () => helpWidth(ctx.io.stdout),
      getErrHelpWidth: () => helpWidth(ctx.io.stderr),
      getOutHasColors: () => helpHasColors(ctx.io.stdout, ctx.io.env),
      getErrHasColors: () => helpHasColors(ctx.io.stderr, ctx.io.env),
    })
    .addHelpText(
      'after',
      `\n${SETTINGS_HELP}\n\n${EXIT_CODES_HELP}\n\nStart with: ${ctx.cmd} mock   (no credentials needed)`,
    );
  for (const command of [
    getCommand,
    waitCommand,
    submitCommand,
    reviewsCommand,
    reviewCommand,
    actionsCommand,
    actionCommand,
    batchCommand,
    evalCommand,
    diffCommand,
    viewCommand,
    mcpCommand,
    doctorCommand,
    mockCommand,
  ])
    command(program, ctx);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    return report(ctx, error);
  }
}

/** One line on stderr that says what went wrong and what to do; causes and stacks with --verbose. */
function report(ctx: CliContext, error: unknown): number {
  const code = exitCodeForError(error);
  if (error instanceof CommanderError) return code; // commander printed it already
  if (code === EXIT.INTERRUPTED) {
    ctx.warn('idp: interrupted (Ctrl-C); nothing was cancelled at IDP');
    return code;
  }
  const { errStyle } = ctx;
  // One line, whatever the server put in its problem detail: it cannot fake a line of its own. Only the
  // CLI's own multi-line messages (nothing quoted in them) keep their lines.
  const message = error instanceof Error ? error.message : String(error);
  const shown = error instanceof UsageError && error.ownLines ? terminalText(message) : terminalLine(message);
  ctx.warn(errStyle.bad(`idp: ${shown}`));
  const expected = error instanceof UsageError || error instanceof IdpError;
  if (ctx.verbose) {
    for (let cause = (error as Error | undefined)?.cause; cause; cause = (cause as Error).cause) {
      ctx.warn(
        errStyle.dim(
          `  caused by: ${terminalLine(cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause))}`,
        ),
      );
    }
    if (!expected && error instanceof Error && error.stack) ctx.warn(errStyle.dim(error.stack));
  } else if (!expected) {
    ctx.warn(errStyle.dim('  (run with --verbose for details)'));
  }
  return code;
}

export type { Style };
