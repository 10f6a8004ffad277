import {
  type ClientCredentialsGrant,
  clientCredentialsGrant,
  type IssuedToken,
  SEND_THROUGH,
  type TokenProvider,
  tokenCycle,
} from '@idp-kit/auth';
import type { ClientCredentialsAuth } from './options.js';
import type { Pipeline } from './pipeline.js';
import { REDACTED } from './redactor.js';

/**
 * Client-credentials tokens whose request runs on the client's pipeline: the client's retry, timeouts,
 * hooks and logger apply to it, and the cycle (one request for any number of callers, early refresh)
 * comes from `@idp-kit/auth`.
 */
export function pipelineTokens(
  pipeline: Pipeline,
  credentials: ClientCredentialsAuth,
  controlPlane: 'us' | 'eu',
): TokenProvider {
  const grant: ClientCredentialsGrant = clientCredentialsGrant({
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    controlPlane,
    ...(credentials.tokenUrl !== undefined ? { tokenUrl: credentials.tokenUrl } : {}),
  });
  return tokenCycle(() => requestOnPipeline(pipeline, grant), {
    describe: { tokenUrl: grant.tokenUrl, clientId: grant.clientId },
    label: 'ClientCredentials',
  });
}

/**
 * A `clientCredentials()` provider from `@idp-kit/auth` handed to the client as `auth`: its requests go
 * through the client's pipeline too (same grant, refresh window and cache). Any other provider is used
 * as it is.
 */
export function onPipeline(pipeline: Pipeline, provider: TokenProvider): TokenProvider {
  const sendThrough = (provider as { [SEND_THROUGH]?: unknown })[SEND_THROUGH];
  if (typeof sendThrough !== 'function') return provider;
  return (sendThrough as (send: (grant: ClientCredentialsGrant) => Promise<IssuedToken>) => TokenProvider)(
    (grant) => requestOnPipeline(pipeline, grant),
  );
}

/** One token request on the pipeline: the client's retry, timeouts, hooks and logger apply. */
async function requestOnPipeline(pipeline: Pipeline, grant: ClientCredentialsGrant): Promise<IssuedToken> {
  const request = grant.request();
  const { value } = await pipeline.run({
    name: 'token',
    method: request.method,
    url: grant.tokenUrl,
    headers: request.headers,
    body: () => request.body,
    redirect: request.redirect,
    // Asking for a token twice costs nothing: retried like a GET.
    idempotent: true,
    auth: false,
    expect: 'any',
    read: (response, attempt) => grant.read(response, attempt.sentAt, attempt.number),
    transportFailure: (error, how) => grant.unreachable(how.reason, how.attempts, error),
    // A hook that asks for the body (the drift check) sees its shape, never the token: the token is
    // not known to the redactor until this answer has been read.
    hookBody: withoutTokens,
  });
  return value;
}

/**
 * A token answer with every token value blanked, as JSON (`"access_token": "…"`) or form-encoded
 * (`access_token=…`): the rest of the text, and its shape, unchanged.
 */
export function withoutTokens(text: string): string {
  return text.replace(JSON_TOKEN, `$1"${REDACTED}"`).replace(FORM_TOKEN, `$1${REDACTED}`);
}

/** `"access_token": "…"`, escapes inside the value included. */
const JSON_TOKEN = /("(?:access|refresh|id)_token"\s*:\s*)"(?:[^"\\]|\\.)*"/g;
/** `access_token=…` up to the next field. */
const FORM_TOKEN = /(\b(?:access|refresh|id)_token=)[^&\s]*/g;
