/**
 * Retrieve one execution by its ids (valueOnly=true) and print its status and fields.
 * Runs against the bundled mock unless IDP_BASE_URL / IDP_TOKEN_URL point elsewhere.
 */
import type { TokenProvider } from '@idp-kit/auth';
import { createIdpClient, type ExecutionBody } from '@idp-kit/client';
import { formatExecution } from './print.js';
import { EXAMPLE_EXECUTION } from './settings.js';

export interface RetrieveOptions {
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
}

/** Fetches a token once from the token endpoint. */
function tokenFrom(options: RetrieveOptions): TokenProvider {
  return {
    async getToken() {
      const response = await fetch(options.tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          grant_type: 'client_credentials',
          client_id: options.clientId,
          client_secret: options.clientSecret,
        }),
      });
      if (!response.ok) throw new Error(`token request failed: HTTP ${response.status}`);
      const body = (await response.json()) as { access_token: string };
      return body.access_token;
    },
    invalidate() {},
  };
}

export async function retrieve(options: RetrieveOptions): Promise<ExecutionBody> {
  const { organizationId, ...ref } = EXAMPLE_EXECUTION;
  const idp = createIdpClient({ organizationId, baseUrl: options.baseUrl, auth: tokenFrom(options) });
  const execution = await idp.getExecution(ref, { valueOnly: true });
  console.log(formatExecution(execution));
  return execution;
}
