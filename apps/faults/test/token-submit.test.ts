import { clientCredentials } from '@idp-kit/auth';
import {
  AuthError,
  createIdpClient,
  IdpApiError,
  IdpAuthError,
  IdpConnectionError,
  IdpError,
  IdpRequestTimeoutError,
} from '@idp-kit/client';
import { closeAfterTest, execution, type FakeIdp, fakeIdp, IDS, json, pdfBytes, REF } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import { assertNoSecrets, rawServer, rejected, SECRET, settledWithoutLeaks, timers } from './helpers.js';

const fake = async (...args: Parameters<typeof fakeIdp>) => closeAfterTest(await fakeIdp(...args));

function clientFor(idp: FakeIdp, retry = { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 50 }) {
  return createIdpClient({
    organizationId: IDS.organizationId,
    baseUrl: idp.baseUrl,
    auth: { clientId: 'fault-client', clientSecret: SECRET, tokenUrl: idp.tokenUrl },
    retry,
    timeoutMs: 500,
  });
}

const ok = (_req: unknown, res: Parameters<typeof json>[0]) => json(res, 200, execution('SUCCEEDED'));
const PDF = pdfBytes(1);
const submission = { actionId: IDS.actionId, actionVersion: '1.1.0', file: PDF, fileName: 'invoice.pdf' };

describe('token endpoint faults', () => {
  it('500s then success: one token after the retries, the call succeeds', async () => {
    const idp = await fake(ok, (_req, res, i) =>
      i < 2
        ? json(res, 500, { error: 'server_error' })
        : json(res, 200, { access_token: 'tok-ok', token_type: 'bearer' }),
    );
    const result = await settledWithoutLeaks(clientFor(idp).getExecution(REF), timers());
    expect(result.status).toBe('fulfilled');
    expect(idp.tokenRequests()).toHaveLength(3);
    expect(idp.runtimeRequests()[0]?.headers.authorization).toBe('Bearer tok-ok');
  });

  it('invalid_client: IdpAuthError (cause: AuthError) after one token request, no runtime request, no secret', async () => {
    const idp = await fake(ok, (_req, res) =>
      json(res, 401, {
        error: 'invalid_client',
        error_description: `Invalid client credentials for ${SECRET}`,
      }),
    );
    const error = rejected(await settledWithoutLeaks(clientFor(idp).getExecution(REF), timers()));
    expect(error).toBeInstanceOf(IdpAuthError);
    expect(error).toBeInstanceOf(IdpError);
    expect((error as IdpAuthError).oauthError).toBe('invalid_client');
    expect((error as IdpAuthError).status).toBe(401);
    expect((error as Error).cause).toBeInstanceOf(AuthError);
    expect(idp.tokenRequests()).toHaveLength(1);
    expect(idp.runtimeRequests()).toHaveLength(0);
    assertNoSecrets(error);
  });

  it('HTML instead of JSON: IdpAuthError naming the content type', async () => {
    const idp = await fake(ok, (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html>Anypoint login</html>');
    });
    const error = rejected(await settledWithoutLeaks(clientFor(idp).getExecution(REF), timers()));
    expect(error).toBeInstanceOf(IdpAuthError);
    expect((error as Error).message).toContain('text/html, not a JSON token');
  });

  it('a token without expires_in is used (default lifetime)', async () => {
    const idp = await fake(ok, (_req, res) =>
      json(res, 200, { access_token: 'tok-noexp', token_type: 'bearer' }),
    );
    const client = clientFor(idp);
    await client.getExecution(REF);
    await client.getExecution(REF);
    expect(idp.tokenRequests()).toHaveLength(1);
  });

  it('a token endpoint that never answers: AuthError after the retries, no leaked timer', async () => {
    const tokens = closeAfterTest(await rawServer(() => {}));
    const auth = clientCredentials({
      clientId: 'c',
      clientSecret: SECRET,
      tokenUrl: `${tokens.url}/token`,
      timeoutMs: 100,
      maxRetries: 1,
    });
    const before = timers();
    const error = rejected(await settledWithoutLeaks(auth.getToken(), before));
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toContain('no answer within 100 ms');
    assertNoSecrets(error);
  });

  it('a token revoked mid-wait (401 on the next poll): one re-auth, the wait continues', async () => {
    let revoked = false;
    const idp = await fake((req, res, i) => {
      if (i === 1) revoked = true;
      if (revoked && req.headers.authorization === 'Bearer tok-0')
        return json(res, 401, { status: 401, title: 'Unauthorized' });
      return json(res, 200, execution(i < 4 ? 'IN_PROGRESS' : 'SUCCEEDED'));
    });
    const result = await settledWithoutLeaks(
      clientFor(idp).waitForExecution(REF, { pollIntervalMs: 10 }),
      timers(),
    );
    expect(result.status).toBe('fulfilled');
    expect(idp.tokenRequests()).toHaveLength(2);
    const auths = idp.runtimeRequests().map((r) => r.headers.authorization);
    expect(auths.filter((a) => a === 'Bearer tok-0')).toHaveLength(2);
    expect(auths.slice(2).every((a) => a === 'Bearer tok-1')).toBe(true);
  });
});

describe('submit faults: a document is never sent twice blindly', () => {
  it('500 after the upload: exactly one POST, and the error says it may exist and how to check', async () => {
    const idp = await fake((_req, res) => json(res, 500, { status: 500, title: 'Internal Server Error' }));
    const error = rejected(await settledWithoutLeaks(clientFor(idp).submitExecution(submission), timers()));
    expect(error).toBeInstanceOf(IdpApiError);
    expect((error as Error).message).toContain('may or may not have been created');
    expect((error as Error).message).toContain("Check the document action's executions in Anypoint IDP");
    expect(idp.runtimeRequests().filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it.each([502, 503, 504])('%i after the upload: exactly one POST', async (status) => {
    const idp = await fake((_req, res) => json(res, status, { status, title: 'x' }));
    const error = rejected(await settledWithoutLeaks(clientFor(idp).submitExecution(submission), timers()));
    expect((error as IdpApiError).status).toBe(status);
    expect(idp.runtimeRequests()).toHaveLength(1);
  });

  it('no answer after the upload: one POST, IdpRequestTimeoutError that says it may exist', async () => {
    let posts = 0;
    const server = closeAfterTest(
      await rawServer(() => {
        posts++;
      }),
    );
    const client = createIdpClient({
      organizationId: IDS.organizationId,
      baseUrl: server.url,
      auth: { getToken: async () => 't', invalidate: () => {} },
      timeoutMs: 150,
    });
    const error = rejected(await settledWithoutLeaks(client.submitExecution(submission), timers()));
    expect(error).toBeInstanceOf(IdpRequestTimeoutError);
    expect((error as Error).message).toContain('may or may not have been created');
    expect(posts).toBe(1);
  });

  it('connection refused: retried (nothing was sent), then says so', async () => {
    const server = await rawServer(() => {});
    const url = server.url;
    await server.close();
    const client = createIdpClient({
      organizationId: IDS.organizationId,
      baseUrl: url,
      auth: { getToken: async () => 't', invalidate: () => {} },
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
    });
    const error = rejected(await settledWithoutLeaks(client.submitExecution(submission), timers()));
    expect(error).toBeInstanceOf(IdpConnectionError);
    expect((error as Error).message).toMatch(/after 4 attempts.*Nothing was sent/);
  });

  it('429 is retried with the same bytes; the document arrives once', async () => {
    const idp = await fake((_req, res, i) =>
      i === 0
        ? json(res, 429, { status: 429, title: 'Too Many Requests' }, { 'Retry-After': '0' })
        : json(res, 201, { id: IDS.executionId, documentName: 'invoice.pdf' }),
    );
    const result = await settledWithoutLeaks(clientFor(idp).submitExecution(submission), timers());
    expect(result.status).toBe('fulfilled');
    const bodies = idp.runtimeRequests().map((r) => r.body);
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toContain('%PDF-1.4');
  });
});
