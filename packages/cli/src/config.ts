import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  executionTarget,
  IDP_SETTINGS,
  type IdpRegion,
  IdpValidationError,
  REGION_BASE_URLS,
  readIdpSettings,
} from '@idp-kit/client';
import { UsageError } from './usage-error.js';

export { UsageError };

/** Flags common to every command that talks to IDP. */
export interface ConnectionFlags {
  org?: string;
  region?: string;
  baseUrl?: string;
  tokenUrl?: string;
  clientId?: string;
  controlPlaneUrl?: string;
  requestTimeout?: string;
}

export interface ExecutionFlags extends ConnectionFlags {
  action?: string;
  version?: string;
  execution?: string;
}

export interface Connection {
  organizationId: string;
  region?: IdpRegion;
  baseUrl?: string;
  tokenUrl?: string;
  clientId: string;
  clientSecret: string;
  controlPlaneUrl?: string;
  /** Anypoint username and password (IDP_USERNAME, IDP_PASSWORD): Basic for reviews and discovery. */
  basic?: { username: string; password: string };
}

type Env = Record<string, string | undefined>;

const SETTINGS = {
  clientId: {
    env: 'IDP_CLIENT_ID',
    flag: '--client-id',
    what: 'the client id of your Anypoint connected app',
  },
  clientSecret: {
    env: 'IDP_CLIENT_SECRET',
    flag: undefined,
    what: 'its client secret (environment or .env only, never a flag)',
  },
  organizationId: {
    env: 'IDP_ORG_ID',
    flag: '--org',
    what: 'the id of the business group that owns the document action',
  },
} as const;

/**
 * The settings the CLI reads: the environment, then a `.env` file in the working folder for what the
 * environment lacks. `dotenv` names the file and the IDP_* settings it supplied (names, never values).
 */
export interface Settings {
  env: Env;
  dotenv?: { path: string; supplied: string[] };
}

/** The environment, then a `.env` file in `cwd` for what the environment lacks, and which it supplied. */
export function loadSettings(env: Env, cwd: string): Settings {
  const path = join(cwd, '.env');
  if (!existsSync(path)) return { env };
  try {
    // The client's one reading of the IDP_* settings (environment first, then .env).
    const read = readIdpSettings(env, readFileSync(path, 'utf8'));
    return { env: read.env, dotenv: { path, supplied: read.fromDotenv } };
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

/** The environment, then a `.env` file in `cwd` for what the environment lacks. */
export function loadEnv(env: Env, cwd: string): Env {
  return loadSettings(env, cwd).env;
}

/** Set to 1 in the environment (never in .env) to let a .env choose hosts for credentials from elsewhere. */
export const TRUST_DOTENV_URLS = 'IDP_TRUST_DOTENV_URLS';

/** The credentials: where they come from decides whether a .env may say where they go. */
const CREDENTIALS = IDP_SETTINGS.filter((s) => s.credential).map((s) => s.name);

/** The settings that say where requests, and the credentials with them, are sent; with their flags. */
const DESTINATIONS = IDP_SETTINGS.filter((s) => s.destination).map(
  (s) => [s.name, flagKey(s.flag ?? '')] as [string, keyof ConnectionFlags],
);

/** `--control-plane-url` → `controlPlaneUrl`: the key commander gives a flag's value. */
export function flagKey(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * A `.env` in the working folder may not choose where credentials from elsewhere are sent: an untrusted
 * folder's `.env` could otherwise send the client secret of the environment to its own host. Where any
 * credential comes from the environment (or a flag), a destination (IDP_BASE_URL, IDP_TOKEN_URL,
 * IDP_CONTROL_PLANE_URL, IDP_REGION) taken from `.env` is refused, before anything is sent, unless
 * IDP_TRUST_DOTENV_URLS=1 is set in the environment.
 */
export function checkDotenvDestinations(settings: Settings, flags: ConnectionFlags, env: Env): void {
  const { dotenv } = settings;
  if (!dotenv || /^(1|true|yes)$/i.test(env[TRUST_DOTENV_URLS]?.trim() ?? '')) return;
  const elsewhere: string[] = CREDENTIALS.filter((key) => env[key]?.trim());
  if (flags.clientId !== undefined) elsewhere.push('--client-id');
  if (elsewhere.length === 0) return;
  const chosen = DESTINATIONS.filter(
    ([key, flag]) => dotenv.supplied.includes(key) && flags[flag] === undefined,
  ).map(([key]) => key);
  if (chosen.length === 0) return;
  throw new UsageError(
    `${chosen.join(', ')} ${chosen.length > 1 ? 'come' : 'comes'} from ${dotenv.path}, but ${elsewhere.join(', ')} ` +
      `${elsewhere.length > 1 ? 'come' : 'comes'} from the environment: a .env file may not choose where credentials from elsewhere are sent. ` +
      `Set ${chosen.join(', ')} in the environment (or as flags), or put the credentials in the same .env, ` +
      `or set ${TRUST_DOTENV_URLS}=1 in the environment if you trust ${dotenv.path}.`,
  );
}

function pick(flag: string | undefined, env: Env, name: string): string | undefined {
  const value = flag ?? env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * Settings from flags, then the environment, then `.env`. Every missing one is named in one message.
 * `fromUrl` (an execution URL) supplies the organization and base URL when given.
 */
export function resolveConnection(
  flags: ConnectionFlags,
  env: Env,
  fromUrl?: { organizationId: string; baseUrl: string },
  /** How the user runs idp here (`idp`, `pnpm idp`): the hint must paste as it is. */
  cmd = 'idp',
): Connection {
  const values = {
    clientId: pick(flags.clientId, env, 'IDP_CLIENT_ID'),
    clientSecret: pick(undefined, env, 'IDP_CLIENT_SECRET'),
    organizationId: fromUrl?.organizationId ?? pick(flags.org, env, 'IDP_ORG_ID'),
  };
  const missing = (Object.keys(SETTINGS) as (keyof typeof SETTINGS)[]).filter(
    (key) => values[key] === undefined,
  );
  if (missing.length > 0) {
    const lines = missing.map((key) => {
      const { env: name, flag, what } = SETTINGS[key];
      return `  ${name}${flag ? ` (or ${flag})` : ''}: ${what}`;
    });
    throw new UsageError(
      `missing setting${missing.length > 1 ? 's' : ''}:\n${lines.join('\n')}\n` +
        'Set them in the environment or in a .env file in this folder. To try idp-kit without credentials, ' +
        `run \`${cmd} mock\` and paste the lines it prints.`,
      { ownLines: true },
    );
  }
  const region = pick(flags.region, env, 'IDP_REGION');
  if (region !== undefined && !Object.hasOwn(REGION_BASE_URLS, region)) {
    throw new UsageError(`region must be us-east-1 or eu-central-1, got ${JSON.stringify(region)}`);
  }
  const configuredBase = pick(flags.baseUrl, env, 'IDP_BASE_URL');
  const tokenUrl = pick(flags.tokenUrl, env, 'IDP_TOKEN_URL');
  const controlPlaneUrl = pick(flags.controlPlaneUrl, env, 'IDP_CONTROL_PLANE_URL');
  const username = pick(undefined, env, 'IDP_USERNAME');
  const password = pick(undefined, env, 'IDP_PASSWORD');
  if ((username === undefined) !== (password === undefined)) {
    throw new UsageError(
      'IDP_USERNAME and IDP_PASSWORD go together (Basic for reviews and discovery, instead of the token): set both or neither',
    );
  }
  const urlRegion = fromUrl ? trustUrlHost(fromUrl.baseUrl, configuredBase, region) : undefined;
  // A URL never supplies the base URL itself: the runtime is the configured one or its region's.
  const baseUrl = configuredBase;
  const inferredRegion = (region as IdpRegion | undefined) ?? urlRegion;
  return {
    organizationId: values.organizationId as string,
    clientId: values.clientId as string,
    clientSecret: values.clientSecret as string,
    ...(inferredRegion ? { region: inferredRegion } : {}),
    ...(baseUrl ? { baseUrl } : {}),
    ...(tokenUrl ? { tokenUrl } : {}),
    ...(controlPlaneUrl ? { controlPlaneUrl } : {}),
    ...(username && password ? { basic: { username, password } } : {}),
  };
}

/**
 * Where an execution URL may send the token: the client's rule (its trusted origins). A configured base
 * URL (--base-url, IDP_BASE_URL) wins, and a URL naming another origin is refused. Without one, the
 * URL's host must be a MuleSoft IDP runtime host (it then picks the region). A loopback URL is trusted
 * only as the configured base URL, port included: another local port is another program. Any other
 * host is refused before any token is fetched: a URL pasted from a log must not hand a live token to
 * whoever wrote the log. Returns the region the URL names, if it names one.
 */
export function trustUrlHost(
  urlBase: string,
  configuredBase: string | undefined,
  region: string | undefined,
): IdpRegion | undefined {
  const url = new URL(urlBase);
  if (configuredBase !== undefined) {
    if (urlBase === configuredBase.replace(/\/+$/, '')) return undefined;
    throw new UsageError(
      `the execution URL names ${url.origin}, but the configured base URL (--base-url or IDP_BASE_URL) is ${configuredBase}; ` +
        'idp sends your token only there. Use --action/--version/--execution, or change the base URL if you trust that host.',
    );
  }
  const named = (Object.keys(REGION_BASE_URLS) as IdpRegion[]).find((r) => REGION_BASE_URLS[r] === urlBase);
  if (named) {
    if (region !== undefined && region !== named) {
      throw new UsageError(
        `the execution URL is in ${named}, but the region is set to ${region} (--region or IDP_REGION)`,
      );
    }
    return named;
  }
  throw new UsageError(
    `refusing to send your token to ${url.origin}: it is not a MuleSoft IDP host (${Object.values(REGION_BASE_URLS).join(', ')}). ` +
      'If it is your proxy, or your mock (idp mock prints the line), set --base-url (or IDP_BASE_URL) to it.',
  );
}

/** The execution named by a URL argument or by --action/--version/--execution (not both). */
export function resolveExecution(
  url: string | undefined,
  flags: ExecutionFlags,
  /** A review is named without its version (`--version` is then optional); its messages say "review". */
  options: { needsVersion?: boolean; noun?: 'execution' | 'review' } = {},
): ReturnType<typeof executionTarget> {
  try {
    // The client's one rule for "a URL or the ids", in the words a user types here.
    return executionTarget(
      { url, actionId: flags.action, actionVersion: flags.version, executionId: flags.execution },
      { names: FLAG_NAMES, ...options },
    );
  } catch (error) {
    if (error instanceof IdpValidationError && /^(give either|name the)/.test(error.message)) {
      throw new UsageError(error.message);
    }
    throw error;
  }
}

const FLAG_NAMES = {
  url: 'an execution URL',
  actionId: '--action',
  actionVersion: '--version',
  executionId: '--execution',
};

/** `90s`, `10m`, `1h`, `500ms`, or seconds. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match)
    throw new UsageError(`${option} must be a duration like 30s, 10m or 1h, got ${JSON.stringify(text)}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'] ?? 1000;
  return Math.round(Number(match[1]) * unit);
}
