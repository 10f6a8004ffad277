import { DEFAULT_CALLBACK_LISTEN } from '@idp-kit/batch';
import type { ExecutionRef } from '@idp-kit/client';
import { type DiagnosisCheck, diagnose } from '@idp-kit/client/diagnose';
import type { Command } from 'commander';
import { checkCallbackUrl } from '../callback-check.js';
import { type ConnectionFlags, type ExecutionFlags, resolveExecution } from '../config.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { connectionOptions, executionOptions } from '../flags.js';
import { settingSources } from '../setting-sources.js';
import { terminalLine } from '../terminal-text.js';

/** A check as `--json` has always shown it: `pass`, `fail`, or `note` (a warning, or not checked). */
interface Check {
  group: string;
  name: string;
  outcome: 'pass' | 'fail' | 'note';
  detail: string;
  /** What to do when it failed. */
  hint?: string;
}

interface DoctorFlags extends ConnectionFlags, ExecutionFlags {
  json?: boolean;
  callbackUrl?: string;
  callbackListen?: string;
  verbose?: boolean;
}

/** `idp doctor`: the client's `diagnose()`, printed: each check ✓, ✗ or ·, with what to do. */
export function doctorCommand(program: Command, ctx: CliContext): void {
  executionOptions(connectionOptions(program.command('doctor')))
    .description('Check settings, reach, token, access and spec drift against the service, in one go.')
    .option('--json', 'print the whole report as JSON')
    .option(
      '--callback-url <url>',
      "also check that a PATCH to this public URL reaches --callback-listen (idp batch run's callbacks)",
    )
    .option(
      '--callback-listen <host:port>',
      `with --callback-url: where the batch's listener would bind (default ${DEFAULT_CALLBACK_LISTEN})`,
    )
    .addHelpText(
      'after',
      '\nNo secret, token or extracted value is printed: paste the output into a bug report as it is.\nExit code 0 when every check passed, 1 otherwise.',
    )
    .action(async (url: string | undefined, flags: DoctorFlags) => {
      // The execution named, if any; a bad one is reported as the settings' failure, as a bad setting is.
      let named: { ref: ExecutionRef; fromUrl?: { organizationId: string; baseUrl: string } } | undefined;
      let invalid: unknown;
      try {
        const given = url !== undefined || flags.action !== undefined || flags.execution !== undefined;
        named = given ? resolveExecution(url, flags) : undefined;
      } catch (error) {
        invalid = error;
      }
      const diagnosis = await diagnose({
        settings: settingSources(ctx, flags as Record<string, unknown>),
        client: () => {
          if (invalid !== undefined) throw invalid;
          return ctx.clientOptions(flags, named?.fromUrl);
        },
        ...(named ? { execution: named.ref } : {}),
        ...ctx.signalOption,
      });
      const checks = diagnosis.checks.map(asCheck);
      if (flags.callbackUrl !== undefined) {
        const listen = flags.callbackListen ?? DEFAULT_CALLBACK_LISTEN;
        const found = await checkCallbackUrl(flags.callbackUrl, listen).catch((error: Error) => ({
          outcome: 'fail' as const,
          detail: error.message,
        }));
        checks.push({ group: 'callbacks', name: 'callback URL', ...found });
      }
      finish(ctx, checks, diagnosis.drift, flags.json === true);
    });
}

function asCheck(check: DiagnosisCheck): Check {
  return {
    group: check.group,
    name: check.name,
    outcome: check.status === 'ok' ? 'pass' : check.status === 'fail' ? 'fail' : 'note',
    detail: check.message,
    ...(check.action ? { hint: check.action } : {}),
  };
}

function finish(ctx: CliContext, checks: Check[], drift: unknown[], asJson: boolean): void {
  const passed = checks.every((c) => c.outcome !== 'fail');
  ctx.exitCode = passed ? EXIT.SUCCEEDED : EXIT.ERROR;
  if (asJson) {
    ctx.json({ passed, checks, drift }, 2);
    return;
  }
  const { style } = ctx;
  let group = '';
  for (const check of checks) {
    if (check.group !== group) {
      group = check.group;
      ctx.say(style.bold(`\n${group}`));
    }
    const mark =
      check.outcome === 'pass' ? style.ok('✓') : check.outcome === 'fail' ? style.bad('✗') : style.dim('·');
    ctx.say(`${mark} ${terminalLine(check.name)}: ${terminalLine(check.detail)}`);
    if (check.hint && check.outcome === 'fail') ctx.say(style.dim(`    → ${terminalLine(check.hint)}`));
  }
  ctx.say(passed ? style.ok('\nevery check passed') : style.bad('\nsome checks failed: see → above'));
}
