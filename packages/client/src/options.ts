import type { TokenProvider } from '@idp-kit/auth';
import type { Admit } from './admit.js';
import { DEFAULT_MAX_RESPONSE_BYTES } from './body-limit.js';
import { IdpValidationError } from './errors.js';
import type { IdpHooks } from './hooks.js';
import type { Logger } from './logger.js';
import { DEFAULT_RETRY, type RetryOptions } from './pipeline.js';
import type { Redactor } from './redactor.js';
import { secureUrl } from './validate.js';

/**
 * Base URLs of the IDP runtime, by region.
 *
 * @example
 * ```ts
 * REGION_BASE_URLS['eu-central-1']; // 'https://idp-rt.eu-central-1.eu1.anypoint.mulesoft.com'
 * ```
 */
export const REGION_BASE_URLS = {
  'us-east-1': 'https://idp-rt.us-east-1.anypoint.mulesoft.com',
  'eu-central-1': 'https://idp-rt.eu-central-1.eu1.anypoint.mulesoft.com',
} as const;

/**
 * The Anypoint control plane of each region: action discovery (and the token endpoint) live there.
 *
 * @example
 * ```ts
 * CONTROL_PLANE_URLS['eu-central-1']; // 'https://eu1.anypoint.mulesoft.com'
 * ```
 */
export const CONTROL_PLANE_URLS = {
  'us-east-1': 'https://anypoint.mulesoft.com',
  'eu-central-1': 'https://eu1.anypoint.mulesoft.com',
} as const;

/**
 * The control plane of each region, as `@idp-kit/auth` names it (the token endpoint's host).
 *
 * @example
 * ```ts
 * clientCredentials({ clientId, clientSecret, controlPlane: REGION_CONTROL_PLANES['eu-central-1'] }); // 'eu'
 * ```
 */
export const REGION_CONTROL_PLANES = {
  'us-east-1': 'us',
  'eu-central-1': 'eu',
} as const;

/**
 * An IDP region: only these two exist.
 *
 * @example
 * ```ts
 * createIdpClient({ organizationId, auth, region: 'eu-central-1' satisfies IdpRegion });
 * ```
 */
export type IdpRegion = keyof typeof REGION_BASE_URLS;

/**
 * Client id and secret of an Anypoint connected app; `tokenUrl` overrides the region's control plane.
 *
 * @example
 * ```ts
 * createIdpClient({ organizationId, auth: { clientId, clientSecret } });
 * ```
 */
export interface ClientCredentialsAuth {
  /** The connected app's client id. */
  clientId: string;
  clientSecret: string;
  tokenUrl?: string;
}

/**
 * An Anypoint username and password for HTTP Basic (review and control-plane operations only).
 *
 * @example
 * ```ts
 * createIdpClient({ organizationId, auth, basicAuth: { username: 'ap-reviewer', password: process.env.ANYPOINT_PASSWORD! } });
 * ```
 */
export interface BasicAuth {
  username: string;
  password: string;
}

/**
 * Options of `createIdpClient()`; every one is checked when the client is created.
 *
 * @example
 * ```ts
 * const options: IdpClientOptions = { organizationId, region: 'eu-central-1', auth: { clientId, clientSecret } };
 * ```
 */
export interface IdpClientOptions {
  /** The business group that owns the document actions (the parent organization gives 404). */
  organizationId: string;
  /** IDP region; default `us-east-1`. Also picks the token's control plane (eu-central-1 → eu). */
  region?: IdpRegion;
  /**
   * Overrides `region` (a mock or a proxy): https, or http to a loopback host. Requests, and the token,
   * go only here (or to loopback): an execution URL naming another host is refused.
   */
  baseUrl?: string;
  /**
   * A `TokenProvider`, or the connected app's credentials. With credentials the token request goes
   * through this client's pipeline: its retry, timeout, hooks and logger apply to it too.
   */
  auth: TokenProvider | ClientCredentialsAuth;
  /** Retries of failed requests; `false` turns them off. Default: 3 retries, 500 ms base, 30 s cap. */
  retry?: RetryOptions | false;
  /** Timeout of each attempt, reading the body included; default 30 s. */
  timeoutMs?: number;
  /** Default deadline of a whole call (token, retries and waits included); default none. */
  deadlineMs?: number;
  /**
   * Cap on the body of any answer, in bytes; default 64 MiB (a 150-page result with confidence is
   * about 2.5 MB). A larger answer stops being read at the cap and fails with
   * `IdpResponseTooLargeError`, without a retry.
   */
  maxResponseBytes?: number;
  /** A fetch implementation; default the global one. Used for tokens too when `auth` is credentials. */
  fetch?: typeof fetch;
  /** `User-Agent` header; default `idp-kit/<version>`. */
  userAgent?: string;
  /**
   * The Anypoint control plane for action discovery: the region's (`anypoint.mulesoft.com`,
   * `eu1.anypoint.mulesoft.com`) by default; with a loopback `baseUrl` (a mock), that same URL.
   */
  controlPlaneUrl?: string;
  /**
   * Anypoint username and password, sent as HTTP Basic to the review and control-plane operations
   * instead of the token (a community description of the API marks them so). Opt-in: the connected
   * app's token is the documented way. Never logged, never in an error or `inspect` output.
   */
  basicAuth?: BasicAuth;
  /** Receives one debug line per HTTP attempt and warnings; never the Authorization header. */
  logger?: Logger;
  /** Seen by every request the client sends, the token's and `raw`'s included. */
  hooks?: IdpHooks | readonly IdpHooks[];
  /**
   * Waited on before every attempt is sent (the token request's and retries included): a rate budget's
   * gate. Default: none, every attempt goes at once.
   */
  admit?: Admit;
  /**
   * The redactor to register this client's secrets and tokens with (`createRedactor()`), so that a
   * program's front ends share one; default a new one (`idp.redactor`).
   */
  redactor?: Redactor;
}

export function isTokenProvider(auth: unknown): auth is TokenProvider {
  return (
    typeof auth === 'object' &&
    auth !== null &&
    typeof (auth as TokenProvider).getToken === 'function' &&
    typeof (auth as TokenProvider).invalidate === 'function'
  );
}

export function checkDuration(name: string, value: unknown, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new IdpValidationError(`${name} must be a number of milliseconds ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

export function resolveRetry(retry: IdpClientOptions['retry']): Required<RetryOptions> {
  if (retry === false) return { ...DEFAULT_RETRY, maxRetries: 0 };
  const resolved = { ...DEFAULT_RETRY, ...retry };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isFinite(value) || value < 0) {
      throw new IdpValidationError(`retry.${name} must be a number ≥ 0, got ${value}`);
    }
  }
  return { ...resolved, maxRetries: Math.floor(resolved.maxRetries) };
}

/** Checks the connected app's credentials here, so that a bad one is an `IdpValidationError`. */
export function checkCredentials(auth: unknown): ClientCredentialsAuth {
  if (typeof auth !== 'object' || auth === null) {
    throw new IdpValidationError(
      'auth is required: a TokenProvider, or { clientId, clientSecret } of an Anypoint connected app',
    );
  }
  const { clientId, clientSecret, tokenUrl } = auth as Partial<ClientCredentialsAuth>;
  if (typeof clientId !== 'string' || clientId.trim() === '') {
    throw new IdpValidationError('auth.clientId is required: the client id of your Anypoint connected app');
  }
  if (typeof clientSecret !== 'string' || clientSecret.trim() === '') {
    throw new IdpValidationError(
      'auth.clientSecret is required: the client secret of your Anypoint connected app',
    );
  }
  if (tokenUrl !== undefined) secureUrl('auth.tokenUrl', tokenUrl);
  return { clientId, clientSecret, ...(tokenUrl !== undefined ? { tokenUrl } : {}) };
}

/**
 * The `Authorization` value for Basic credentials, checked here. Held in a closure by the pipeline;
 * the object that carries it never shows it (`inspect`, JSON).
 */
export function basicAuthorization(auth: unknown): { header(): string } {
  if (typeof auth !== 'object' || auth === null) {
    throw new IdpValidationError('basicAuth must be { username, password } of an Anypoint user');
  }
  const { username, password } = auth as Partial<BasicAuth>;
  if (typeof username !== 'string' || username === '' || username.includes(':')) {
    throw new IdpValidationError('basicAuth.username is required: an Anypoint username (without ":")');
  }
  if (typeof password !== 'string' || password === '') {
    throw new IdpValidationError('basicAuth.password is required');
  }
  const value = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  const holder = {
    header: () => value,
    toJSON: () => '[basic credentials]',
    [Symbol.for('nodejs.util.inspect.custom')]: () => '[basic credentials]',
  };
  return holder;
}

/** Checks `maxResponseBytes`: a whole number of bytes ≥ 1, or the default. */
export function resolveMaxResponseBytes(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_RESPONSE_BYTES;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new IdpValidationError(
      `maxResponseBytes must be a whole number of bytes ≥ 1 (default ${DEFAULT_MAX_RESPONSE_BYTES}), got ${String(value)}`,
    );
  }
  return value;
}
