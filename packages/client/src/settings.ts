import { parseEnv } from 'node:util';

/**
 * One IDP_* setting, as every tool of the kit reads it (CLI, doctor, MCP, examples).
 *
 * @example
 * ```ts
 * const secret: IdpSetting | undefined = IDP_SETTINGS.find((s) => s.name === 'IDP_CLIENT_SECRET'); // secret: true, no flag
 * ```
 */
export interface IdpSetting {
  /** The environment variable. */
  readonly name: string;
  /** The CLI flag that overrides it, if any (a secret has none: it must not show in the process list). */
  readonly flag?: string;
  /** What it is, for help texts and messages. */
  readonly what: string;
  /** A secret: never printed, never a flag. */
  readonly secret?: boolean;
  /** Needed to talk to IDP at all. */
  readonly required?: boolean;
  /** A credential: where it comes from decides whether a `.env` may say where it goes. */
  readonly credential?: boolean;
  /** Says where requests, and the credentials with them, are sent. */
  readonly destination?: boolean;
}

/**
 * The IDP_* settings, written once. Flags win over the environment, which wins over a `.env` file.
 *
 * @example
 * ```ts
 * for (const s of IDP_SETTINGS) console.log(s.name, s.flag ?? '(environment only)', s.what);
 * ```
 */
export const IDP_SETTINGS: readonly IdpSetting[] = [
  {
    name: 'IDP_CLIENT_ID',
    flag: '--client-id',
    what: 'client id of the Anypoint connected app',
    required: true,
    credential: true,
  },
  {
    name: 'IDP_CLIENT_SECRET',
    what: 'its client secret: environment or .env only, never a flag',
    secret: true,
    required: true,
    credential: true,
  },
  { name: 'IDP_ORG_ID', flag: '--org', what: 'business group that owns the action', required: true },
  { name: 'IDP_REGION', flag: '--region', what: 'us-east-1 (default) or eu-central-1', destination: true },
  { name: 'IDP_BASE_URL', flag: '--base-url', what: 'another runtime URL, e.g. the mock', destination: true },
  { name: 'IDP_TOKEN_URL', flag: '--token-url', what: 'another token URL, e.g. the mock', destination: true },
  {
    name: 'IDP_CONTROL_PLANE_URL',
    flag: '--control-plane-url',
    what: "control plane for actions; default: the region's, or IDP_BASE_URL when that is loopback",
    destination: true,
  },
  {
    name: 'IDP_USERNAME',
    what: 'optional Anypoint user for reviews and actions: HTTP Basic instead of the token',
    credential: true,
  },
  { name: 'IDP_PASSWORD', what: 'its password (environment or .env only)', secret: true, credential: true },
  {
    name: 'IDP_RATE',
    flag: '--rate',
    what: 'idp batch run: at most this many requests for the whole batch, like 600/min or 10/s (every worker of a --store batch shares it)',
  },
];

/**
 * The settings as read: the environment, then a `.env` text for what the environment lacks.
 *
 * @example
 * ```ts
 * const read: IdpSettingsRead = readIdpSettings(process.env);
 * if (!read.env.IDP_CLIENT_ID) console.error('set IDP_CLIENT_ID');
 * ```
 */
export interface IdpSettingsRead {
  /** The environment with what `.env` supplied added. */
  env: Record<string, string | undefined>;
  /** The IDP_* names `.env` supplied (names only, never values). */
  fromDotenv: string[];
  /** Where each IDP_* setting came from, or nothing. */
  sources: Record<string, 'environment' | '.env' | undefined>;
}

/**
 * Merges the environment with a `.env` file's text (the environment wins; an empty value counts as
 * unset) and says where each IDP_* setting came from. Throws on a `.env` that cannot be parsed.
 *
 * @example
 * ```ts
 * const { env, sources } = readIdpSettings(process.env, await readFile('.env', 'utf8').catch(() => undefined));
 * console.log(sources.IDP_CLIENT_ID); // 'environment' | '.env' | undefined
 * ```
 */
export function readIdpSettings(
  environment: Record<string, string | undefined>,
  dotenvText?: string,
): IdpSettingsRead {
  const file = dotenvText === undefined ? {} : parseEnv(dotenvText);
  const env: Record<string, string | undefined> = { ...file };
  for (const [key, value] of Object.entries(environment))
    if (value !== undefined && value !== '') env[key] = value;
  const fromDotenv = Object.keys(file).filter(
    (key) => key.startsWith('IDP_') && file[key] !== '' && !environment[key],
  );
  const sources: IdpSettingsRead['sources'] = {};
  for (const { name } of IDP_SETTINGS) {
    sources[name] = environment[name] ? 'environment' : fromDotenv.includes(name) ? '.env' : undefined;
  }
  return { env, fromDotenv, sources };
}
