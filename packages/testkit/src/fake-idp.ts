import { type Handler, json, type Loopback, loopback, type Recorded } from './loopback.js';

export const IDS = {
  organizationId: '01f79c97-9a83-4194-b922-15b64fd7305e',
  actionId: '90c3e286-72b5-42ca-92d0-22f86ea8d766',
  actionVersion: '1.1.0',
  executionId: '022c61de-9bfc-4a94-8a9c-43c5f8ac153e',
} as const;

export const REF = { actionId: IDS.actionId, actionVersion: IDS.actionVersion, executionId: IDS.executionId };

export const TOKEN_PATH = '/accounts/api/v2/oauth2/token';

export interface FakeIdp {
  server: Loopback;
  /** Base URL for `createIdpClient({ baseUrl })`. */
  baseUrl: string;
  tokenUrl: string;
  /** Requests to the token endpoint. */
  tokenRequests(): Recorded[];
  /** Requests to anything else (the runtime API). */
  runtimeRequests(): Recorded[];
  close(): Promise<void>;
}

/**
 * A loopback stand-in for IDP: a token endpoint issuing `tok-0`, `tok-1`, … and a runtime handled by
 * `runtime`, whose `index` counts runtime requests only.
 */
export async function fakeIdp(runtime: Handler, token?: Handler): Promise<FakeIdp> {
  let tokens = 0;
  let calls = 0;
  const server = await loopback((req, res) => {
    if (req.url.startsWith(TOKEN_PATH)) {
      const index = tokens++;
      if (token) return token(req, res, index);
      return json(res, 200, { access_token: `tok-${index}`, token_type: 'bearer', expires_in: 3600 });
    }
    return runtime(req, res, calls++);
  });
  return {
    server,
    baseUrl: server.url,
    tokenUrl: `${server.url}${TOKEN_PATH}`,
    tokenRequests: () => server.requests.filter((r) => r.url.startsWith(TOKEN_PATH)),
    runtimeRequests: () => server.requests.filter((r) => !r.url.startsWith(TOKEN_PATH)),
    close: () => server.close(),
  };
}

/** An execution body in `status`, with a one-field result for statuses that carry results. */
export function execution(status: string, extra: Record<string, unknown> = {}) {
  const results = ['SUCCEEDED', 'PARTIAL_SUCCESS', 'MANUAL_VALIDATION_REQUIRED'].includes(status)
    ? { pages: [{ page: 1, fields: { invoiceNumber: { value: 'INV-2291' } } }] }
    : {};
  return { id: IDS.executionId, documentName: 'invoice-2291.pdf', status, ...results, ...extra };
}
