import { inspect } from 'node:util';
import { execution, IDS, json, REF } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import { IdpApiError, IdpConnectionError, IdpRequestTimeoutError } from '../src/index.js';
import { rejection, setup } from './helpers.js';

describe('getExecution', () => {
  it('GETs the execution path with valueOnly, bearer token and user agent', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 200, execution('SUCCEEDED')));
    const result = await client.getExecution(REF);
    expect(result.status).toBe('SUCCEEDED');
    const [request] = idp.runtimeRequests();
    expect(request?.method).toBe('GET');
    expect(request?.url).toBe(
      `/api/v1/organizations/${IDS.organizationId}/actions/${IDS.actionId}/versions/1.1.0/executions/${IDS.executionId}?valueOnly=true`,
    );
    expect(request?.headers.authorization).toBe('Bearer tok-0');
    expect(request?.headers['user-agent']).toMatch(/^idp-kit\/\d+\.\d+\.\d+/);
    expect(idp.tokenRequests()).toHaveLength(1);
  });

  it('sends valueOnly=false when asked', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 200, execution('SUCCEEDED')));
    await client.getExecution(REF, { valueOnly: false });
    expect(idp.runtimeRequests()[0]?.url).toMatch(/\?valueOnly=false$/);
  });

  it('a FAILED execution resolves: the caller switches on status', async () => {
    const { client } = await setup((_req, res) => json(res, 200, execution('FAILED')));
    expect((await client.getExecution(REF)).status).toBe('FAILED');
  });

  it('an unknown status and extra fields parse without error and stay visible', async () => {
    const body = { ...execution('ARCHIVED'), shiny: { nested: [1, 2] }, pages: [{ page: '1', extra: true }] };
    const warnings: string[] = [];
    const { client } = await setup((_req, res) => json(res, 200, body), {
      logger: { warn: (m) => warnings.push(m) },
    });
    const result = await client.getExecution(REF);
    expect(result).toEqual(body);
    expect(warnings).toEqual(['getExecution: unknown status "ARCHIVED"; treated as not settled']);
  });

  it('accepts the top-level envelope and both envelopes at once', async () => {
    const body = {
      ...execution('SUCCEEDED'),
      fields: { total: { value: '10.00' } },
      tables: { items: [{ sku: { value: 'A-1' } }] },
    };
    const { client } = await setup((_req, res) => json(res, 200, body));
    expect(await client.getExecution(REF)).toEqual(body);
  });
});

describe('getExecution: retries', () => {
  it('429 with Retry-After: 1 waits at least 1 s, then succeeds', async () => {
    const { idp, client } = await setup(
      (_req, res, i) =>
        i === 0
          ? json(res, 429, { status: 429, title: 'Too Many Requests' }, { 'Retry-After': '1' })
          : json(res, 200, execution('SUCCEEDED')),
      { retry: { maxDelayMs: 5_000 } },
    );
    const started = Date.now();
    expect((await client.getExecution(REF)).status).toBe('SUCCEEDED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(idp.runtimeRequests()).toHaveLength(2);
  });

  it('a 503 burst then 200 recovers', async () => {
    const { idp, client } = await setup((_req, res, i) =>
      i < 3
        ? json(res, 503, { status: 503, title: 'Service Unavailable' })
        : json(res, 200, execution('IN_PROGRESS')),
    );
    expect((await client.getExecution(REF)).status).toBe('IN_PROGRESS');
    expect(idp.runtimeRequests()).toHaveLength(4);
  });

  it.each([408, 500, 502, 504])('retries %i', async (status) => {
    const { idp, client } = await setup((_req, res, i) =>
      i === 0 ? json(res, status, { status, title: 'x' }) : json(res, 200, execution('SUCCEEDED')),
    );
    await client.getExecution(REF);
    expect(idp.runtimeRequests()).toHaveLength(2);
  });

  it('a burst longer than the budget ends in an IdpApiError after maxRetries + 1 attempts', async () => {
    const { idp, client } = await setup((_req, res) =>
      json(
        res,
        503,
        { status: 503, title: 'Service Unavailable', detail: 'down' },
        { 'x-request-id': 'req-42' },
      ),
    );
    const error = (await rejection(client.getExecution(REF))) as IdpApiError;
    expect(error).toBeInstanceOf(IdpApiError);
    expect(error.status).toBe(503);
    expect(error.requestId).toBe('req-42');
    expect(error.message).toContain(
      'getExecution failed: HTTP 503 Service Unavailable — down (request id req-42)',
    );
    expect(idp.runtimeRequests()).toHaveLength(4);
  });

  it.each([400, 403, 404, 406])('never retries %i', async (status) => {
    const { idp, client } = await setup((_req, res) => json(res, status, { status, title: 'No' }));
    await rejection(client.getExecution(REF));
    expect(idp.runtimeRequests()).toHaveLength(1);
  });

  it('retry: false sends once', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 503, { status: 503, title: 'x' }), {
      retry: false,
    });
    await rejection(client.getExecution(REF));
    expect(idp.runtimeRequests()).toHaveLength(1);
  });

  it('a per-attempt timeout is retried, then IdpRequestTimeoutError', async () => {
    // Long enough that each attempt reaches the server before its timer fires, even on a loaded machine.
    const { idp, client } = await setup(() => {}, {
      timeoutMs: 1_500,
      retry: { maxRetries: 1, baseDelayMs: 1 },
    });
    const error = await rejection(client.getExecution(REF));
    expect(error).toBeInstanceOf(IdpRequestTimeoutError);
    expect((error as Error).message).toContain('no answer within 1500 ms (2 attempts)');
    expect(idp.runtimeRequests()).toHaveLength(2);
  });

  it('connection refused → IdpConnectionError after the retries', async () => {
    const fixed = { getToken: async () => 'fixed-token', invalidate: () => {} };
    const { idp, client } = await setup((_req, res) => json(res, 200, {}), { auth: fixed });
    await idp.close();
    const error = await rejection(client.getExecution(REF));
    expect(error).toBeInstanceOf(IdpConnectionError);
    expect((error as Error).message).toMatch(/failed after 4 attempts: fetch failed \(ECONNREFUSED\)/);
  });
});

describe('getExecution: errors say what happened and what to do', () => {
  it('404 problem+json → IdpApiError with the problem, advice and no token', async () => {
    const problem = {
      status: 404,
      title: 'Not Found',
      detail: 'Action Id: x, Version: 1.1.0, Execution Id: y',
      type: 'about:blank',
    };
    const { client } = await setup((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'application/problem+json', 'X-Correlation-Id': 'corr-7' });
      res.end(JSON.stringify(problem));
    });
    const error = (await rejection(client.getExecution(REF))) as IdpApiError;
    expect(error).toBeInstanceOf(IdpApiError);
    expect(error.problem).toEqual(problem);
    expect(error.requestId).toBe('corr-7');
    expect(error.operation).toBe('getExecution');
    expect(error.url).toContain(`/executions/${IDS.executionId}`);
    expect(error.message).toContain('business group that owns the action');
    expect(inspect(error, { depth: 10 })).not.toContain('tok-0');
    expect(inspect(error, { depth: 10 })).not.toContain('secret-1');
  });

  it('a 502 HTML page from a proxy → IdpApiError with a short plain excerpt', async () => {
    const { client } = await setup(
      (_req, res) => {
        res.writeHead(502, { 'Content-Type': 'text/html' });
        res.end(`<html><body><h1>502 Bad Gateway</h1>${'<p>filler</p>'.repeat(200)}</body></html>`);
      },
      { retry: false },
    );
    const error = (await rejection(client.getExecution(REF))) as IdpApiError;
    expect(error.status).toBe(502);
    expect(error.problem).toBeUndefined();
    expect(error.message).toContain('text/html body: "502 Bad Gateway filler');
    expect(error.message.length).toBeLessThan(400);
  });

  it.each([
    ['invalid JSON', 'application/json', '{"status": "SUCC', /not JSON/],
    ['HTML', 'text/html', '<html>login</html>', /not JSON \(text\/html: "login"\)/],
    ['an empty body', 'application/json', '', /body is empty/],
    ['JSON without a status', 'application/json', '{"id":"x"}', /not an execution/],
  ])('a 200 with %s → IdpApiError, never a parse crash', async (_name, type, body, message) => {
    const { client } = await setup((_req, res) => {
      res.writeHead(200, { 'Content-Type': type });
      res.end(body);
    });
    const error = (await rejection(client.getExecution(REF))) as IdpApiError;
    expect(error).toBeInstanceOf(IdpApiError);
    expect(error.status).toBe(200);
    expect(error.message).toMatch(message);
  });
});

describe('getExecution: auth', () => {
  it('a 401 re-authenticates once and succeeds', async () => {
    const { idp, client } = await setup((req, res) =>
      req.headers.authorization === 'Bearer tok-0'
        ? json(res, 401, { status: 401, title: 'Unauthorized' })
        : json(res, 200, execution('SUCCEEDED')),
    );
    expect((await client.getExecution(REF)).status).toBe('SUCCEEDED');
    expect(idp.tokenRequests()).toHaveLength(2);
    expect(idp.runtimeRequests().map((r) => r.headers.authorization)).toEqual([
      'Bearer tok-0',
      'Bearer tok-1',
    ]);
  });

  it('many concurrent calls share one token request', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 200, execution('SUCCEEDED')));
    await Promise.all(Array.from({ length: 50 }, () => client.getExecution(REF)));
    expect(idp.tokenRequests()).toHaveLength(1);
  });

  it('logs one line per attempt, never the Authorization header or the token', async () => {
    const lines: string[] = [];
    const record = (message: string, details?: Record<string, unknown>) =>
      lines.push(`${message} ${JSON.stringify(details ?? {})}`);
    const { client } = await setup(
      (_req, res, i) =>
        i === 0 ? json(res, 503, { status: 503, title: 'x' }) : json(res, 200, execution('SUCCEEDED')),
      { logger: { debug: record, warn: record } },
    );
    await client.getExecution(REF);
    const attempts = lines.filter((l) => l.includes(' → '));
    // one pipeline: the token request is logged like every other request
    expect(attempts).toHaveLength(3);
    // Each line names its operation and number: the token request runs inside the first call.
    expect(attempts[0]).toMatch(
      /^token#2 POST \/accounts\/api\/v2\/oauth2\/token → 200 \(attempt 1, \d+ ms\) \{"operation":"token","operationId":2/,
    );
    expect(attempts[1]).toMatch(
      /^getExecution#1 GET \/api\/v1\/.* → 503 \(attempt 1, \d+ ms\) \{"operation":"getExecution","operationId":1/,
    );
    expect(attempts[2]).toMatch(/^getExecution#1 GET \/api\/v1\/.* → 200 \(attempt 2, \d+ ms\)/);
    expect(lines.some((l) => /^getExecution#1 GET .*: HTTP 503; retrying in/.test(l))).toBe(true);
    expect(lines.join('\n')).not.toMatch(/tok-0|Bearer|secret-1/i);
  });

  it('the attempts of concurrent calls are told apart by their operation number', async () => {
    const lines: string[] = [];
    const { client } = await setup((_req, res) => json(res, 200, execution('SUCCEEDED')), {
      logger: { debug: (message) => lines.push(message) },
    });
    await client.getExecution(REF); // the token first, so that the next two are only retrievals
    lines.length = 0;
    await Promise.all([client.getExecution(REF), client.getExecution(REF)]);
    const ids = lines.map((l) => /^getExecution#(\d+) /.exec(l)?.[1]);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
  });
});
