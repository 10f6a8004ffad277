import type { Command } from 'commander';
import type { ConnectionFlags } from '../config.js';
import type { CliContext, OutputFlags, WaitFlags } from '../context.js';
import { EXIT_CODES_HELP, exitCodeFor } from '../exit-codes.js';
import { connectionOptions, outputOptions, waitOptions } from '../flags.js';
import { readDocumentInput } from '../input-file.js';
import { terminalLine } from '../terminal-text.js';

interface SubmitFlags extends ConnectionFlags, OutputFlags, WaitFlags {
  action: string;
  version: string;
  callback?: string;
  salesforceOrg?: string;
  wait?: boolean;
  preflight?: boolean;
}

/** `idp submit`: uploads a document (costs credits: never retried once it may have arrived). */
export function submitCommand(program: Command, ctx: CliContext): void {
  const { cmd } = ctx;
  waitOptions(outputOptions(connectionOptions(program.command('submit'))))
    .description('Submit a document (PDF, PNG, JPG, TIFF; at most 15 MB) to a published document action.')
    .argument('<file>', 'the document to submit')
    .requiredOption('--action <id>', 'document action id')
    .requiredOption('--version <semver>', 'published action version, e.g. 1.1.0')
    .option('--callback <url>', 'https URL that IDP calls (PATCH) when the execution settles')
    .option('--salesforce-org <id>', 'Salesforce org that runs the action (x-sfdc-core-tenant-id)')
    .option('--wait', 'then wait for the result, as `idp wait` does')
    .option(
      '--no-preflight',
      'send it even if the check by content would refuse it (wrong type, encrypted, over 150 pages)',
    )
    .addHelpText(
      'after',
      `\nA submit is never retried once the document may have reached the service: each page costs credits.\nThe document is checked by its bytes first (PDF, PNG, JPEG or TIFF as its name says, not encrypted,\nat most 150 pages): what IDP would refuse is not sent (exit 2); --no-preflight sends it anyway.\n\nExamples:\n  ${cmd} submit invoice.pdf --action 90c3e286-72b5-42ca-92d0-22f86ea8d766 --version 1.1.0\n  ${cmd} submit scan.tiff --action <id> --version 1.1.0 --wait --timeout 20m --json\n\n${EXIT_CODES_HELP}`,
    )
    .action(async (file: string, flags: SubmitFlags) => {
      // Everything that can be wrong is checked before the upload: a typo must not cost credits.
      const timings = flags.wait ? ctx.waitTimings(flags) : undefined;
      const idp = ctx.connect(flags);
      // Only a regular file, its size checked before it is read (a FIFO named .pdf would hang here);
      // relative to the folder the command was typed in.
      const { bytes, fileName } = await readDocumentInput(file, ctx.io.cwd);
      const submitted = await idp.submitExecution({
        actionId: flags.action,
        actionVersion: flags.version,
        file: bytes,
        fileName,
        ...(flags.preflight === false ? { preflight: false } : {}),
        ...(flags.callback ? { callbackUrl: flags.callback } : {}),
        ...(flags.salesforceOrg ? { salesforceOrgId: flags.salesforceOrg } : {}),
        ...ctx.signalOption,
      });
      const ref = {
        actionId: flags.action,
        actionVersion: flags.version,
        executionId: submitted.executionId,
      };
      if (!timings) {
        if (flags.json) ctx.json(submitted, 2);
        else {
          ctx.say(
            terminalLine(
              `Submitted ${submitted.documentName}: execution ${submitted.executionId}${submitted.status ? ` (${submitted.status})` : ''}`,
            ),
          );
          ctx.say(
            ctx.style.dim(
              `Next: ${cmd} wait --action ${ref.actionId} --version ${ref.actionVersion} --execution ${ref.executionId}`,
            ),
          );
        }
        return;
      }
      ctx.warn(
        ctx.errStyle.dim(
          terminalLine(`Submitted ${submitted.documentName}: execution ${submitted.executionId}`),
        ),
      );
      const execution = await ctx.wait(idp, ref, flags, timings);
      ctx.print(execution, flags);
      ctx.exitCode = exitCodeFor(execution);
    });
}
