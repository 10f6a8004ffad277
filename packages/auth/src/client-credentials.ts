import { AuthError } from './errors.js';
import { redactSecret } from './redact.js';
import { backoffDelay, parseRetryAfter, RETRYABLE_STATUSES, sleep } from './retry.js';
import type { TokenCache } from './token-cache.js';
import type { TokenProvider } from './token-provider.js';
import { checkSecureUrl } from './urls.js';

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
 * Options of `clientCredentials()`: the connected app's credentials, where to ask, and how patiently.
 *
 * @example
 * ```ts
 * const options: ClientCredentialsOptions = { clientId, clientSecret, controlPlane: 'eu', timeoutMs: 10_000 };
 * ```
 */
export interface ClientCredentialsOptions {
  /** Client id of the Anypoint connected app. */
  clientId: string;
  /** Client secret of the connected app. Never logged, never in an error. */
  clientSecret: string;
  /** Control plane of the organization; default `us`. */
  controlPlane?: ControlPlane;
  /** Overrides `controlPlane` (a mock or a proxy). https, or http to a loopback host. */
  tokenUrl?: string;
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

interface Entry {
  token: string;
  expiresAt: number;
  refreshAt: number;
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

/** Resolves with `promise`, or rejects with the signal's reason as soon as it aborts (the work goes on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * OAuth 2.0 client-credentials tokens from an Anypoint connected app.
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
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = positiveOption('timeoutMs', options.timeoutMs, 30_000, 1);
  const maxRetries = Math.floor(positiveOption('maxRetries', options.maxRetries, 3));
  const refreshBeforeMs = positiveOption('refreshBeforeExpiryMs', options.refreshBeforeExpiryMs, 5 * 60_000);
  const cache = options.cache;
  const cacheKey = `idp-kit:token:${tokenUrl}:${clientId}`;

  let current: Entry | undefined;
  let inflight: Promise<Entry> | undefined;
  let rejected: string | undefined;
  let nextBackgroundTry = 0;

  // Server text may echo the secret.
  const redact = (text: string) => redactSecret(text, clientSecret);

  const entryOf = (token: string, expiresAt: number, issuedAt: number): Entry => ({
    token,
    expiresAt,
    refreshAt: expiresAt - Math.min(refreshBeforeMs, (expiresAt - issuedAt) / 2),
  });

  async function errorFrom(response: Response, attempts: number): Promise<AuthError> {
    const text = redact((await response.text().catch(() => '')).slice(0, 2_000));
    let oauthError: string | undefined;
    let errorDescription: string | undefined;
    try {
      const body = JSON.parse(text) as { error?: unknown; error_description?: unknown };
      if (typeof body.error === 'string') oauthError = body.error;
      if (typeof body.error_description === 'string') errorDescription = body.error_description;
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

  async function tokenFrom(response: Response, sentAt: number): Promise<Entry> {
    const text = await response.text();
    let body: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      const type = response.headers.get('content-type') ?? 'no content type';
      throw new AuthError(
        `Token endpoint ${tokenUrl} answered HTTP ${response.status} with ${type}, not a JSON token` +
          `${text ? ` (starts ${JSON.stringify(redact(text.slice(0, 80)))})` : ' (empty body)'}. ` +
          'Check tokenUrl or the control plane: it should be …/accounts/api/v2/oauth2/token.',
        { status: response.status },
      );
    }
    const accessToken = body?.access_token;
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw new AuthError(
        `Token endpoint ${tokenUrl} answered HTTP ${response.status} without an access_token. Check tokenUrl or the control plane.`,
        { status: response.status },
      );
    }
    if (typeof body.token_type === 'string' && body.token_type.toLowerCase() !== 'bearer') {
      throw new AuthError(
        `Token endpoint ${tokenUrl} issued a ${JSON.stringify(body.token_type)} token; idp-kit needs a bearer token.`,
        { status: response.status },
      );
    }
    const expiresIn = Number(body.expires_in);
    const lifetimeS = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : DEFAULT_LIFETIME_S;
    // Counted from when the request was sent, so the token is never thought fresher than it is.
    return entryOf(accessToken, sentAt + lifetimeS * 1000, sentAt);
  }

  async function requestToken(): Promise<Entry> {
    const body = JSON.stringify({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    });
    for (let attempt = 0; ; attempt++) {
      const sentAt = Date.now();
      let response: Response;
      try {
        response = await fetchImpl(tokenUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body,
          redirect: 'manual',
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
        throw new AuthError(
          `Could not reach the token endpoint ${tokenUrl} after ${attempt + 1} attempts (${redact(reason)}). Check the network and the control plane or tokenUrl.`,
          { cause: error },
        );
      }
      if (response.ok) return tokenFrom(response, sentAt);
      if (RETRYABLE_STATUSES.has(response.status) && attempt < maxRetries) {
        const delay = parseRetryAfter(response.headers.get('retry-after')) ?? backoffDelay(attempt, BACKOFF);
        await response.body?.cancel();
        await sleep(Math.min(delay, BACKOFF.maxDelayMs));
        continue;
      }
      throw await errorFrom(response, attempt + 1);
    }
  }

  /** One refresh at a time: every caller that needs a token joins the same request. */
  function refresh(): Promise<Entry> {
    inflight ??= (async () => {
      if (cache) {
        // Another process sharing the store may already hold a fresher token.
        const shared = await cache.get(cacheKey);
        const now = Date.now();
        if (
          shared &&
          shared.token !== rejected &&
          shared.token !== current?.token &&
          shared.expiresAt > now
        ) {
          const entry = entryOf(shared.token, shared.expiresAt, now);
          if (entry.refreshAt > now) return entry;
        }
      }
      const entry = await requestToken();
      await cache?.set(cacheKey, entry.token, entry.expiresAt);
      return entry;
    })()
      .then((entry) => {
        current = entry;
        return entry;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  }

  function invalidate(token?: string): void {
    if (token !== undefined && current !== undefined && current.token !== token) return;
    rejected = token ?? current?.token;
    current = undefined;
    void Promise.resolve(cache?.delete?.(cacheKey)).catch(() => {});
  }

  async function getToken(
    callOptions: { signal?: AbortSignal; forceRefresh?: boolean } = {},
  ): Promise<string> {
    const { signal, forceRefresh } = callOptions;
    signal?.throwIfAborted();
    if (forceRefresh) invalidate();
    const now = Date.now();
    const entry = current;
    if (entry && now < entry.expiresAt) {
      if (now >= entry.refreshAt && !inflight && now >= nextBackgroundTry) {
        // Serve the valid token; refresh behind it. A failure waits a while before the next try.
        refresh().catch(() => {
          nextBackgroundTry =
            Date.now() + Math.min(30_000, Math.max(1_000, (entry.expiresAt - Date.now()) / 4));
        });
      }
      return entry.token;
    }
    return (await untilAborted(refresh(), signal)).token;
  }

  const description = { tokenUrl, clientId };
  return {
    getToken,
    invalidate,
    toJSON: () => description,
    [Symbol.for('nodejs.util.inspect.custom')]: () => `ClientCredentials ${JSON.stringify(description)}`,
  } as TokenProvider;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
