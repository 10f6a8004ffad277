import { join } from 'node:path';
import { IDP_SETTINGS } from '@idp-kit/client';
import type { DiagnoseSettings } from '@idp-kit/client/diagnose';
import { flagKey } from './config.js';
import type { CliContext } from './context.js';

/**
 * Where each setting came from: a flag, the environment, the .env file, or nowhere. Never a value. The
 * settings and the reading of .env are the client's and the CLI's own (`IDP_SETTINGS`, `ctx.settings()`),
 * not a copy.
 */
export function settingSources(ctx: CliContext, flags: Record<string, unknown>): DiagnoseSettings {
  let dotenv: { path: string; supplied: string[] } | undefined;
  try {
    dotenv = ctx.settings().dotenv;
  } catch {
    dotenv = undefined; // an unreadable .env is reported when the connection is made
  }
  const path = dotenv?.path ?? join(ctx.io.cwd, '.env');
  const sources: Record<string, string | undefined> = {};
  for (const { name, flag } of IDP_SETTINGS) {
    sources[name] =
      flag && flags[flagKey(flag)] !== undefined
        ? `flag ${flag}`
        : ctx.io.env[name]
          ? 'environment'
          : dotenv?.supplied.includes(name)
            ? `.env (${path})`
            : undefined;
  }
  return { sources, dotenvPath: path };
}
