import { authMiddleware, type TokenProvider } from '@idp-kit/auth';
import createClient, { type Client } from 'openapi-fetch';
import { IdpApiError } from './errors.js';
import type { ExecutionBody, ExecutionRef, paths } from './types.js';

/** Base URLs of the IDP runtime, by region. */
export const REGION_BASE_URLS = {
  'us-east-1': 'https://idp-rt.us-east-1.anypoint.mulesoft.com',
  'eu-central-1': 'https://idp-rt.eu-central-1.eu1.anypoint.mulesoft.com',
} as const;

export type IdpRegion = keyof typeof REGION_BASE_URLS;

export interface IdpClientOptions {
  /** The business group that owns the document actions. */
  organizationId: string;
  /** IDP region; default `us-east-1`. */
  region?: IdpRegion;
  /** Overrides `region` (a mock or a proxy). */
  baseUrl?: string;
  /** Supplies bearer tokens. */
  auth: TokenProvider;
  /** A fetch implementation; default the global one. */
  fetch?: typeof fetch;
}

export interface IdpClient {
  /** Retrieves an execution's status and, once available, its results. */
  getExecution(
    ref: ExecutionRef,
    options?: { valueOnly?: boolean; signal?: AbortSignal },
  ): Promise<ExecutionBody>;
  /** The underlying openapi-fetch client, for anything else. */
  readonly raw: Client<paths>;
}

const EXECUTION_PATH =
  '/api/v1/organizations/{organizationId}/actions/{actionId}/versions/{actionVersion}/executions/{executionId}';

/**
 * Creates a client for the IDP runtime API.
 *
 * @example
 * ```ts
 * const idp = createIdpClient({ organizationId, auth: clientCredentials({ clientId, clientSecret }) });
 * const execution = await idp.getExecution({ actionId, actionVersion: '1.1.0', executionId });
 * ```
 */
export function createIdpClient(options: IdpClientOptions): IdpClient {
  const baseUrl = options.baseUrl ?? REGION_BASE_URLS[options.region ?? 'us-east-1'];
  const raw = createClient<paths>({ baseUrl, ...(options.fetch ? { fetch: options.fetch } : {}) });
  raw.use(authMiddleware(options.auth));
  const organizationId = options.organizationId;

  return {
    raw,
    async getExecution(ref, callOptions = {}) {
      const { data, error, response } = await raw.GET(EXECUTION_PATH, {
        params: {
          path: { organizationId, ...ref },
          query: { valueOnly: callOptions.valueOnly ?? true },
        },
        ...(callOptions.signal ? { signal: callOptions.signal } : {}),
      });
      if (data) return data;
      throw new IdpApiError(`getExecution failed: HTTP ${response.status}`, {
        status: response.status,
        ...(error && typeof error === 'object' ? { problem: error } : {}),
      });
    },
  };
}
