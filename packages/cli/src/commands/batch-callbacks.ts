import { type CallbackOptions, DEFAULT_CALLBACK_LISTEN, DEFAULT_SWEEP_MS, parseListen } from '@idp-kit/batch';
import { callbackUrl } from '@idp-kit/client/callback';
import type { Command } from 'commander';
import { parseDuration, UsageError } from '../config.js';

/** `idp batch run`'s callback flags. */
export interface CallbackFlags {
  callbackUrl?: string;
  callbackListen?: string;
  callbackSweep?: string;
}

/** Adds `--callback-url`, `--callback-listen` and `--callback-sweep` to `idp batch run`. */
export function callbackFlags(command: Command): Command {
  return command
    .option(
      '--callback-url <url>',
      'IDP calls this public https URL back when an execution settles (a reverse proxy or a tunnel to --callback-listen): one fetch per document instead of polls',
    )
    .option(
      '--callback-listen <host:port>',
      `where the callback listener binds (default ${DEFAULT_CALLBACK_LISTEN}: loopback only; 0.0.0.0:port listens on every interface)`,
    )
    .option(
      '--callback-sweep <duration>',
      `with --callback-url: a document without a callback for this long is fetched anyway (default ${Math.round(DEFAULT_SWEEP_MS / 1000)}s, twice the service's P99; at least 10s)`,
    );
}

/**
 * The callback options of a run, checked before anything is sent; undefined without `--callback-url`.
 * A flag that needs `--callback-url` without it is a usage error, not silently ignored.
 */
export function callbackOptions(
  flags: CallbackFlags,
  action: { actionId: string; actionVersion: string },
): CallbackOptions | undefined {
  if (flags.callbackUrl === undefined) {
    const orphan =
      flags.callbackListen !== undefined
        ? '--callback-listen'
        : flags.callbackSweep !== undefined
          ? '--callback-sweep'
          : undefined;
    if (orphan) throw new UsageError(`${orphan} needs --callback-url (the public URL IDP calls back)`);
    return undefined;
  }
  try {
    callbackUrl(flags.callbackUrl, 'x'.repeat(32), action);
  } catch (error) {
    throw new UsageError(
      `--callback-url: ${(error as Error).message}. Give the public https URL that reaches the listener (a reverse proxy or a tunnel).`,
    );
  }
  const listen = flags.callbackListen ?? DEFAULT_CALLBACK_LISTEN;
  try {
    parseListen(listen);
  } catch (error) {
    throw new UsageError(`--callback-listen: ${(error as Error).message}`);
  }
  return {
    url: flags.callbackUrl,
    listen,
    ...(flags.callbackSweep !== undefined
      ? { sweepMs: parseDuration(flags.callbackSweep, '--callback-sweep') }
      : {}),
  };
}
