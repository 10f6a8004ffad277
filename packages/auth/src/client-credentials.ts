import { backoffDelay, checkSecureUrl, parseRetryAfter, RETRYABLE_STATUSES, sleep } from '@idp-kit/http';
import { AuthError } from './errors.js';
import { redactSecret } from './redact.js';
import type { TokenCache } from './token-cache.js';
import { type IssuedToken, tokenCycle } from './token-cycle.js';
import type { TokenProvider } from './token-provider.js';

/**
 * Token URL of each Anypoint control plane.
 *
 * @example
 * ```ts
 * CONTROL_PLANE_TOKEN_URLS.eu; // 'https://eu1.anypoint.mulesoft.com/accounts/api/v2/oauth2/token'
 * ```
 */
export const CONTROL_PLANE_TOKEN_URLS = {
  us: 'https://anypoint.mulesoft.com/accounts/api/v2/oauth2/token',
  eu: 'https://eu1.anypoint.mulesoft.com/accounts/api/v2/oauth2/token',
} as const;

/**
 * An Anypoint control plane: `us` (anypoint.mulesoft.com) or `eu` (eu1.anypoint.mulesoft.com).
 *
 * @example
 * ```ts
 * const plane: ControlPlane = process.env.IDP_REGION === 'eu-central-1' ? 'eu' : 'us';
 * ```
 */
export type ControlPlane = keyof typeof CONTROL_PLANE_TOKEN_URLS;

/**
 * The credentials of an Anypoint connected app and where to ask for its tokens.
 *
 * @example
 * ```ts
 * const app: ClientCredentialsGrantOptions = { clientId, clientSecret, controlPlane: 'eu' };
 * ```
 */
export interface ClientCredentialsGrantOptions {
  /** Client id of the Anypoint connected app. */
  clientId: string;
  /** Client secret of the connected app. Never logged, never in an error. */
  clientSecret: string;
  /** Control plane of the organization; default `us`. */
  controlPlane?: ControlPlane;
  /** Overrides `controlPlane` (a mock or a proxy). https, or http to a loopback host. */
  tokenUrl?: string;
}

/**
 * Options of `clientCredentials()`: the connected app's credentials, where to ask, and how patiently.
 *
 * @example
 * ```ts
 * const options: ClientCredentialsOptions = { clientId, clientSecret, controlPlane: 'eu', timeoutMs: 10_000 };
 * ```
 */
export interface ClientCredentialsOptions extends ClientCredentialsGrantOptions {
  /** A fetch implementation; default the global one. */
  fetch?: typeof fetch;
  /** Per-attempt timeout of the token request; default 30 s. */
  timeoutMs?: number;
  /** Retries of the token request on network errors, 408, 429, 5xx; default 3. */
  maxRetries?: number;
  /** Refresh this long before expiry (at most half the token's lifetime); default 5 min. */
  refreshBeforeExpiryMs?: number;
  /** Share tokens across processes through a store you run; default: this process only. */
  cache?: TokenCache;
}

/**
 * One client-credentials token request, for whoever sends it: the request to make and how to read the
 * answer. `clientCredentials()` sends it with retries of its own; `@idp-kit/client` sends it through its
 * request pipeline, so that the client's retry, timeout and hooks apply to the token request too.
 *
 * @example
 * ```ts
 * const grant = clientCredentialsGrant({ clientId, clientSecret });
 * const sentAt = Date.now();
 * const issued = await grant.read(await fetch(grant.tokenUrl, grant.request()), sentAt);
 * ```
 */
export interface ClientCredentialsGrant {
  readonly tokenUrl: string;
  readonly clientId: string;
  /** The request: a POST with the documented JSON body. A fresh object each time. */
  request(): { method: 'POST'; headers: Record<string, string>; body: string; redirect: 'manual' };
  /** Reads the token endpoint's answer: the token, or an `AuthError` that says what to check. */
  read(response: Response, sentAt: number, attempts?: number): Promise<IssuedToken>;
  /** The `AuthError` for a token endpoint that could not be reached (`reason` is redacted). */
  unreachable(reason: string, attempts: number, cause?: unknown): AuthError;
  /** Removes the client secret from `text` (for anything that echoes a server's words). */
  redact(text: string): string;
}

const DEFAULT_LIFETIME_S = 3600;
const BACKOFF = { baseDelayMs: 500, maxDelayMs: 30_000 };
const CHECKLIST =
  'Check the connected app: its client id and secret, that it is of type "App acts on its own behalf ' +
  '(client credentials)", that it has the scope "Execute Published Actions", and that the control plane ' +
  'matches the organization (us: anypoint.mulesoft.com, eu: eu1.anypoint.mulesoft.com).';

function fail(problem: string): never {
  throw new TypeError(`clientCredentials: ${problem}`);
}

function positiveOption(name: string, value: number | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < min) fail(`${name} must be a number ≥ ${min}, got ${value}`);
  return value;
}

/**
 * The client-credentials grant of an Anypoint connected app: checks the options (a bad one throws
 * `TypeError` naming it) and returns the request to send and the reader of its answer.
 *
 * @example
 * ```ts
 * const grant = clientCredentialsGrant({ clientId, clientSecret, controlPlane: 'eu' });
 * grant.tokenUrl; // 'https://eu1.anypoint.mulesoft.com/accounts/api/v2/oauth2/token'
 * ```
 */
export function clientCredentialsGrant(options: ClientCredentialsGrantOptions): ClientCredentialsGrant {
  const { clientId, clientSecret } = options;
  if (typeof clientId !== 'string' || clientId.trim() === '') {
    fail('clientId is required: the client id of your Anypoint connected app');
  }
  if (typeof clientSecret !== 'string' || clientSecret.trim() === '') {
    fail('clientSecret is required: the client secret of your Anypoint connected app');
  }
  const controlPlane = options.controlPlane ?? 'us';
  if (!Object.hasOwn(CONTROL_PLANE_TOKEN_URLS, controlPlane)) {
    fail(`controlPlane must be 'us' or 'eu', got ${JSON.stringify(controlPlane)}`);
  }
  const checked = checkSecureUrl(options.tokenUrl ?? CONTROL_PLANE_TOKEN_URLS[controlPlane]);
  if (typeof checked === 'string') fail(`tokenUrl: ${checked}`);
  const tokenUrl = checked.href;
  // Server text may echo the secret.
  const redact = (text: string) => redactSecret(text, clientSecret);
  const body = JSON.stringify({
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: clientSecret,
  });

  async function errorFrom(response: Response, attempts: number): Promise<AuthError> {
    const text = redact((await response.text().catch(() => '')).slice(0, 2_000));
    let oauthError: string | undefined;
    let errorDescription: string | undefined;
    try {
      const parsed = JSON.parse(text) as { error?: unknown; error_description?: unknown };
      if (typeof parsed.error === 'string') oauthError = parsed.error;
      if (typeof parsed.error_description === 'string') errorDescription = parsed.error_description;
    } catch {
      // not JSON: described below by its content type and an excerpt
    }
    const status = response.status;
    const what = oauthError
      ? `${oauthError}${errorDescription ? `: ${errorDescription}` : ''}`
      : `${response.headers.get('content-type') ?? 'no content type'}${text ? `: ${JSON.stringify(text.slice(0, 120))}` : ''}`;
    const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
    const advice =
      status === 400 || status === 401 || status === 403
        ? CHECKLIST
        : status >= 300 && status < 400
          ? `It redirected${response.headers.get('location') ? ` to ${response.headers.get('location')}` : ''}; set tokenUrl to the final token URL.`
          : 'The token endpoint may be down; try again later, and check the control plane or tokenUrl.';
    return new AuthError(`Token request to ${tokenUrl} failed${tries} (HTTP ${status} ${what}). ${advice}`, {
      status,
      ...(oauthError !== undefined ? { oauthError } : {}),
      ...(errorDescription !== undefined ? { errorDescription } : {}),
    });
  }

  async function tokenFrom(response: Response, sentAt: number): Promise<IssuedToken> {
    const text = await response.text();
    let parsed: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      const type = response.headers.get('content-type') ?? 'no content type';
      throw new AuthError(
        `Token endpoint ${tokenUrl} answered HTTP ${response.status} with ${type}, not a JSON token` +
          `${text ? ` (starts ${JSON.stringify(redact(text.slice(0, 80)))})` : ' (empty body)'}. ` +
          'Check tokenUrl or the control plane: it should be …/accounts/api/v2/oauth2/token.',
        { status: response.status },
      );
    }
    const accessToken = parsed?.access_token;
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw new AuthError(
        `Token endpoint ${tokenUrl} answered HTTP ${response.status} without an access_token. Check tokenUrl or the control plane.`,
        { status: response.status },
      );
    }
    if (typeof parsed.token_type === 'string' && parsed.token_type.toLowerCase() !== 'bearer') {
      throw new AuthError(
        `Token endpoint ${tokenUrl} issued a ${JSON.stringify(parsed.token_type)} token; idp-kit needs a bearer token.`,
        { status: response.status },
      );
    }
    const expiresIn = Number(parsed.expires_in);
    const lifetimeS = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : DEFAULT_LIFETIME_S;
    // Counted from when the request was sent, so the token is never thought fresher than it is.
    return { token: accessToken, issuedAt: sentAt, expiresAt: sentAt + lifetimeS * 1000 };
  }

  return {
    tokenUrl,
    clientId,
    request: () => ({
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body,
      redirect: 'manual',
    }),
    read: async (response, sentAt, attempts = 1) =>
      response.ok ? tokenFrom(response, sentAt) : Promise.reject(await errorFrom(response, attempts)),
    unreachable: (reason, attempts, cause) =>
      new AuthError(
        `Could not reach the token endpoint ${tokenUrl} after ${attempts} attempt${attempts === 1 ? '' : 's'} (${redact(reason)}). Check the network and the control plane or tokenUrl.`,
        cause === undefined ? {} : { cause },
      ),
    redact,
  };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/**
 * OAuth 2.0 client-credentials tokens from an Anypoint connected app: `tokenCycle()` over
 * `clientCredentialsGrant()`, sent with retries of its own.
 *
 * One token request serves any number of concurrent callers; the token is refreshed in the background
 * before it expires (callers keep the valid one meanwhile); failed requests are retried with backoff on
 * network errors, 429 (honouring `Retry-After`) and 5xx, never on 400/401/403.
 *
 * @example
 * ```ts
 * const auth = clientCredentials({
 *   clientId: process.env.IDP_CLIENT_ID!,
 *   clientSecret: process.env.IDP_CLIENT_SECRET!,
 *   controlPlane: 'eu',
 * });
 * const token = await auth.getToken();
 * ```
 */
export function clientCredentials(options: ClientCredentialsOptions): TokenProvider {
  const grant = clientCredentialsGrant(options);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = positiveOption('timeoutMs', options.timeoutMs, 30_000, 1);
  const maxRetries = Math.floor(positiveOption('maxRetries', options.maxRetries, 3));
  const refreshBeforeExpiryMs = positiveOption(
    'refreshBeforeExpiryMs',
    options.refreshBeforeExpiryMs,
    5 * 60_000,
  );

  async function requestToken(): Promise<IssuedToken> {
    for (let attempt = 0; ; attempt++) {
      const sentAt = Date.now();
      let response: Response;
      try {
        response = await fetchImpl(grant.tokenUrl, {
          ...grant.request(),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        if (attempt < maxRetries) {
          await sleep(backoffDelay(attempt, BACKOFF));
          continue;
        }
        const reason =
          error instanceof Error && error.name === 'TimeoutError'
            ? `no answer within ${timeoutMs} ms`
            : describe(error);
        throw grant.unreachable(reason, attempt + 1, error);
      }
      if (!response.ok && RETRYABLE_STATUSES.has(response.status) && attempt < maxRetries) {
        const delay = parseRetryAfter(response.headers.get('retry-after')) ?? backoffDelay(attempt, BACKOFF);
        await response.body?.cancel();
        await sleep(Math.min(delay, BACKOFF.maxDelayMs));
        continue;
      }
      return grant.read(response, sentAt, attempt + 1);
    }
  }

  const cycle = (request: () => Promise<IssuedToken>) =>
    tokenCycle(request, {
      refreshBeforeExpiryMs,
      ...(options.cache
        ? { cache: options.cache, cacheKey: `idp-kit:token:${grant.tokenUrl}:${grant.clientId}` }
        : {}),
      describe: { tokenUrl: grant.tokenUrl, clientId: grant.clientId },
      label: 'ClientCredentials',
    });
  // Handed to an IDP client, its requests go through the client's own pipeline (its retry, timeouts,
  // hooks and logger), the first client's; the cycle stays one, so clients sharing this provider still
  // share its token. A provider given its own `fetch` keeps it. A function, so that no option (nor the
  // secret) shows as data.
  let through: ((grant: ClientCredentialsGrant) => Promise<IssuedToken>) | undefined;
  const provider = cycle(() => (through ? through(grant) : requestToken()));
  if (options.fetch === undefined) {
    Object.defineProperty(provider, SEND_THROUGH, {
      value: (send: (grant: ClientCredentialsGrant) => Promise<IssuedToken>) => {
        through ??= send;
        return provider;
      },
      enumerable: false,
    });
  }
  return provider;
}

/**
 * The key under which a `clientCredentials()` provider offers to send its token requests through
 * another sender (an IDP client's pipeline). Used by `@idp-kit/client`; not for direct use.
 *
 * @example
 * ```ts
 * const onPipeline = (provider as { [SEND_THROUGH]?: unknown })[SEND_THROUGH]; // a function, or undefined
 * ```
 */
export const SEND_THROUGH: unique symbol = Symbol.for('idp-kit.clientCredentials.sendThrough');
