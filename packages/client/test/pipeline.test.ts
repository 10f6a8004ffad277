import {
  closeAfterTest,
  execution,
  fakeIdp,
  IDS,
  json,
  loopback,
  pdfBytes,
  REF,
  until,
} from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import {
  IdpAbortError,
  IdpApiError,
  IdpAuthError,
  IdpForbiddenError,
  type IdpHooks,
  IdpNotFoundError,
  IdpRateLimitError,
  IdpRequestTimeoutError,
  IdpServerError,
  IdpUnauthorizedError,
  IdpValidationError,
} from '../src/index.js';
import { checkTrustedOrigin } from '../src/pipeline.js';
import { rejection, setup } from './helpers.js';

const PDF = pdfBytes(1);

/** A hook that writes down every operation and attempt it sees. */
function recorder() {
  const seen: string[] = [];
  const hooks: IdpHooks = {
    operationStart: (op) => seen.push(`start ${op.name}${op.parent ? ` (in ${op.parent.name})` : ''}`),
    attemptStart: (a) => seen.push(`attempt ${a.operation.name} ${a.operation.method} #${a.attempt}`),
    attemptEnd: (a, outcome) =>
      seen.push(`end ${a.operation.name} #${a.attempt} → ${outcome.status ?? 'error'}`),
    operationEnd: (op, outcome) => seen.push(`done ${op.name}${outcome.error ? ' (error)' : ''}`),
  };
  return { seen, hooks };
}

describe('one pipeline: one hook sees every request', () => {
  it('get, wait (each poll), submit, raw and the token request', async () => {
    const { seen, hooks } = recorder();
    const { idp, client } = await setup(
      (req, res, i) =>
        req.method === 'POST'
          ? json(res, 201, { id: IDS.executionId, documentName: 'a.pdf' })
          : json(res, 200, execution(i === 1 ? 'IN_PROGRESS' : 'SUCCEEDED')),
      { hooks },
    );
    await client.getExecution(REF);
    await client.waitForExecution(REF, { pollIntervalMs: 1 });
    await client.submitExecution({ ...REF, file: PDF, fileName: 'a.pdf' });
    const { data } = await client.raw.GET(
      '/api/v1/organizations/{organizationId}/actions/{actionId}/versions/{actionVersion}/executions/{executionId}',
      { params: { path: { organizationId: IDS.organizationId, ...REF } } },
    );
    expect(data?.status).toBe('SUCCEEDED');
    expect(seen).toEqual([
      'start getExecution',
      'start token',
      'attempt token POST #1',
      'end token #1 → 200',
      'done token',
      'attempt getExecution GET #1',
      'end getExecution #1 → 200',
      'done getExecution',
      'start waitForExecution',
      'start getExecution (in waitForExecution)',
      'attempt getExecution GET #1',
      'end getExecution #1 → 200',
      'done getExecution',
      'start getExecution (in waitForExecution)',
      'attempt getExecution GET #1',
      'end getExecution #1 → 200',
      'done getExecution',
      'done waitForExecution',
      'start submitExecution',
      'attempt submitExecution POST #1',
      'end submitExecution #1 → 201',
      'done submitExecution',
      'start raw',
      'attempt raw GET #1',
      'end raw #1 → 200',
      'done raw',
    ]);
    expect(idp.tokenRequests()).toHaveLength(1);
  });

  it('hooks may add headers, never see the token, and a throwing hook breaks nothing', async () => {
    const warnings: string[] = [];
    const seenHeaders: Record<string, string>[] = [];
    const { idp, client } = await setup((_req, res) => json(res, 200, execution('SUCCEEDED')), {
      hooks: [
        {
          attemptStart: (a) => {
            a.headers['x-trace'] = `trace-${a.operation.name}`;
            seenHeaders.push({ ...a.headers });
          },
        },
        {
          operationStart: () => {
            throw new Error('buggy hook');
          },
        },
      ],
      logger: { warn: (m) => warnings.push(m) },
    });
    expect((await client.getExecution(REF)).status).toBe('SUCCEEDED');
    expect(idp.runtimeRequests()[0]?.headers['x-trace']).toBe('trace-getExecution');
    expect(idp.tokenRequests()[0]?.headers['x-trace']).toBe('trace-token');
    expect(JSON.stringify(seenHeaders)).not.toMatch(/authorization|tok-0/i);
    expect(warnings.some((w) => w.includes('operationStart hook threw (ignored): buggy hook'))).toBe(true);
  });
});

describe('the client settings reach the token request', () => {
  it('retry: false: one token request, one attempt', async () => {
    const { idp, client } = await setup(
      (_req, res) => json(res, 200, execution('SUCCEEDED')),
      { retry: false },
      (_req, res) => json(res, 503, { error: 'temporarily_unavailable' }),
    );
    const error = await rejection(client.getExecution(REF));
    expect(error).toBeInstanceOf(IdpAuthError);
    expect(idp.tokenRequests()).toHaveLength(1);
    expect(idp.runtimeRequests()).toHaveLength(0);
  });

  it('timeoutMs: a token endpoint that never answers ends the call with IdpAuthError', async () => {
    // The handler never answers: without the client's timeoutMs on the token request, this call hangs.
    const { idp, client } = await setup(
      (_req, res) => json(res, 200, execution('SUCCEEDED')),
      { retry: false, timeoutMs: 200 },
      () => {},
    );
    const error = await rejection(client.getExecution(REF));
    expect(error).toBeInstanceOf(IdpAuthError);
    expect(idp.runtimeRequests()).toHaveLength(0);
  });

  it('the token request is retried with the client retry policy', async () => {
    const { idp, client } = await setup(
      (_req, res) => json(res, 200, execution('SUCCEEDED')),
      { retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 } },
      (_req, res, i) =>
        i < 2
          ? json(res, 503, { error: 'temporarily_unavailable' })
          : json(res, 200, { access_token: 'tok-late', token_type: 'bearer' }),
    );
    expect((await client.getExecution(REF)).status).toBe('SUCCEEDED');
    expect(idp.tokenRequests()).toHaveLength(3);
    expect(idp.runtimeRequests()[0]?.headers.authorization).toBe('Bearer tok-late');
  });
});

describe('per-call options', () => {
  it('deadlineMs bounds the whole call, backoff included: IdpRequestTimeoutError, no timer left', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 503, { status: 503, title: 'down' }), {
      retry: { maxRetries: 50, baseDelayMs: 3_600_000, maxDelayMs: 3_600_000 },
    });
    // without the deadline this call would back off for an hour
    const error = await rejection(client.getExecution(REF, { deadlineMs: 300 }));
    expect(error).toBeInstanceOf(IdpRequestTimeoutError);
    expect((error as Error).message).toMatch(/getExecution: no result within its deadline of 300 ms/);
    expect(idp.runtimeRequests().length).toBeGreaterThanOrEqual(1);
  });

  it('an abort during a backoff sleep ends it at once with IdpAbortError', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 503, { status: 503, title: 'down' }), {
      retry: { maxRetries: 5, baseDelayMs: 3_600_000, maxDelayMs: 3_600_000 },
    });
    const controller = new AbortController();
    const call = rejection(client.getExecution(REF, { signal: controller.signal }));
    await until(() => idp.runtimeRequests().length === 1, 'the first attempt');
    controller.abort(new Error('user stop'));
    const error = (await call) as IdpAbortError;
    expect(error).toBeInstanceOf(IdpAbortError);
    expect(error.reason).toEqual(new Error('user stop'));
  });

  it('retry, attemptTimeoutMs and headers override the client settings for one call', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 503, { status: 503, title: 'down' }));
    await rejection(client.getExecution(REF, { retry: false, headers: { 'x-call': 'one' } }));
    expect(idp.runtimeRequests()).toHaveLength(1);
    expect(idp.runtimeRequests()[0]?.headers['x-call']).toBe('one');
    await rejection(client.getExecution(REF, { retry: { maxRetries: 1 } }));
    expect(idp.runtimeRequests()).toHaveLength(3);
    const silent = await setup(() => {});
    const timedOut = await rejection(silent.client.getExecution(REF, { attemptTimeoutMs: 50, retry: false }));
    expect(timedOut).toBeInstanceOf(IdpRequestTimeoutError);
    expect((timedOut as Error).message).toContain('no answer within 50 ms (1 attempt)');
  });
});

describe('errors that each mean one thing', () => {
  it.each([
    [401, IdpUnauthorizedError],
    [403, IdpForbiddenError],
    [404, IdpNotFoundError],
    [429, IdpRateLimitError],
    [503, IdpServerError],
  ])('%i → its own class, with status, problem, request id and headers', async (status, Kind) => {
    const { client } = await setup(
      (_req, res) =>
        json(
          res,
          status,
          { status, title: 'T', detail: 'D' },
          { 'x-request-id': 'req-9', 'Retry-After': '7' },
        ),
      { retry: false },
    );
    const error = (await rejection(client.getExecution(REF))) as IdpApiError;
    expect(error).toBeInstanceOf(Kind);
    expect(error).toBeInstanceOf(IdpApiError);
    expect(error.status).toBe(status);
    expect(error.problem).toEqual({ status, title: 'T', detail: 'D' });
    expect(error.requestId).toBe('req-9');
    expect(error.headers.get('retry-after')).toBe('7');
    if (error instanceof IdpRateLimitError) expect(error.retryAfterMs).toBe(7_000);
  });

  it('a 404 says results are kept 24 hours', async () => {
    const { client } = await setup((_req, res) => json(res, 404, { status: 404, title: 'Not Found' }));
    expect(((await rejection(client.getExecution(REF))) as Error).message).toContain('kept 24 hours');
  });

  it('401 twice: one replay with a fresh token, then IdpUnauthorizedError', async () => {
    const { idp, client } = await setup((_req, res) =>
      json(res, 401, { status: 401, title: 'Unauthorized' }),
    );
    expect(await rejection(client.getExecution(REF))).toBeInstanceOf(IdpUnauthorizedError);
    expect(idp.runtimeRequests().map((r) => r.headers.authorization)).toEqual([
      'Bearer tok-0',
      'Bearer tok-1',
    ]);
  });

  it('the 401 replay covers submit and raw too (the body is sent again, not retried blindly)', async () => {
    const { idp, client } = await setup((req, res, i) => {
      // The first submit and the first raw request: the token was revoked.
      if (i === 0 || i === 2) return json(res, 401, { status: 401, title: 'Unauthorized' });
      return req.method === 'POST'
        ? json(res, 201, { id: IDS.executionId, documentName: 'a.pdf' })
        : json(res, 200, execution('SUCCEEDED'));
    });
    await client.submitExecution({ ...REF, file: PDF, fileName: 'a.pdf' });
    const { data } = await client.raw.GET(
      '/api/v1/organizations/{organizationId}/actions/{actionId}/versions/{actionVersion}/executions/{executionId}',
      { params: { path: { organizationId: IDS.organizationId, ...REF } } },
    );
    expect(data?.status).toBe('SUCCEEDED');
    const requests = idp.runtimeRequests();
    expect(requests.map((r) => `${r.method} ${r.headers.authorization}`)).toEqual([
      'POST Bearer tok-0',
      'POST Bearer tok-1',
      'GET Bearer tok-1', // raw carries the token like every call
      'GET Bearer tok-2',
    ]);
    expect(requests[1]?.body).toContain('%PDF-1.4');
  });
});

describe('the token goes only where it belongs', () => {
  it('an execution URL naming another host is refused before any token is fetched', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 200, execution('SUCCEEDED')));
    const other = closeAfterTest(await fakeIdp((_req, res) => json(res, 200, execution('SUCCEEDED'))));
    const path = `/api/v1/organizations/${IDS.organizationId}/actions/${REF.actionId}/versions/${REF.actionVersion}/executions/${REF.executionId}`;
    for (const url of [`${other.baseUrl}${path}`, `https://evil.example.com${path}`]) {
      const error = await rejection(client.getExecution(url));
      expect(error).toBeInstanceOf(IdpValidationError);
      expect((error as Error).message).toMatch(
        /sends requests \(and its token\) only to http:\/\/127\.0\.0\.1:\d+/,
      );
    }
    expect(idp.server.requests).toHaveLength(0);
    expect(other.server.requests).toHaveLength(0);
    // the client's own base URL is fine
    expect((await client.getExecution(`${idp.baseUrl}${path}`)).status).toBe('SUCCEEDED');
  });

  it('an execution URL of another organization is refused', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 200, execution('SUCCEEDED')));
    const url = `${idp.baseUrl}/api/v1/organizations/aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee/actions/${REF.actionId}/versions/1.1.0/executions/${REF.executionId}`;
    expect(((await rejection(client.getExecution(url))) as Error).message).toMatch(
      /names organization aaaaaaaa/,
    );
    expect(idp.server.requests).toHaveLength(0);
  });

  it('a host that merely starts like a trusted origin is not trusted', () => {
    const trusted = new Set(['https://idp.test']);
    const allowed = (url: string) => {
      try {
        checkTrustedOrigin(url, trusted, 'test');
        return true;
      } catch (error) {
        expect(error).toBeInstanceOf(IdpValidationError);
        return false;
      }
    };
    expect(allowed('https://idp.test/api')).toBe(true);
    expect(allowed('https://idp.test?x=1')).toBe(true);
    expect(allowed('https://idp.test')).toBe(true);
    expect(allowed('https://idp.test:443/api')).toBe(true);
    // Loopback is another party unless configured (issue 29): the old rule let any local port have it.
    expect(allowed('http://127.0.0.1:9/api')).toBe(false);
    expect(allowed('https://idp.test.evil.example/api')).toBe(false);
    expect(allowed('https://idp.test@evil.example/api')).toBe(false);
    expect(allowed('https://idp.test:8443/api')).toBe(false);
    expect(allowed('https://idp.testevil/api')).toBe(false);
    expect(allowed('http://idp.test/api')).toBe(false);
  });

  it('a configured loopback origin is trusted with its port and spelling, no other loopback one', () => {
    const trusted = new Set(['http://127.0.0.1:4010']);
    const allowed = (url: string) => {
      try {
        checkTrustedOrigin(url, trusted, 'test');
        return true;
      } catch (error) {
        expect((error as Error).message).toMatch(
          /refusing to send the IDP token to https?:\/\/.*configure it as baseUrl/,
        );
        return false;
      }
    };
    expect(allowed('http://127.0.0.1:4010/api')).toBe(true);
    for (const other of [
      'http://127.0.0.1:4011/api',
      'http://localhost:4010/api',
      'http://127.0.0.2:4010/api',
      'http://[::1]:4010/api',
      'http://mock.localhost:4010/api',
      'https://127.0.0.1:4010/api',
    ]) {
      expect([other, allowed(other)]).toEqual([other, false]);
    }
  });

  it('an execution URL on another loopback port is refused before any request, token included', async () => {
    const { idp, client } = await setup(() => {});
    const other = closeAfterTest(await loopback(() => {}));
    const url = `${other.url}/api/v1/organizations/${IDS.organizationId}/actions/${REF.actionId}/versions/1.1.0/executions/${REF.executionId}`;
    const error = await rejection(client.getExecution(url));
    expect(error).toBeInstanceOf(IdpValidationError);
    expect((error as Error).message).toMatch(
      /sends requests \(and its token\) only to http:\/\/127\.0\.0\.1:/,
    );
    expect(idp.server.requests).toHaveLength(0);
    expect(other.requests).toHaveLength(0);
  });
});
