import {
  createIdpClient,
  IdpAbortError,
  IdpApiError,
  type IdpClientOptions,
  IdpConnectionError,
  IdpRequestTimeoutError,
} from '@idp-kit/client';
import { closeAfterTest, execution, fakeIdp, IDS, json, REF, until } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import {
  assertNoSecrets,
  httpHead,
  rawServer,
  rejected,
  SECRET,
  settledWithoutLeaks,
  timers,
} from './helpers.js';

const fixedToken = { getToken: async () => 'tok-fixed', invalidate: () => {} };

function clientAt(baseUrl: string, options: Partial<IdpClientOptions> = {}) {
  return createIdpClient({
    organizationId: IDS.organizationId,
    baseUrl,
    auth: fixedToken,
    retry: { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 50 },
    timeoutMs: 200,
    ...options,
  });
}

const raw = async (onRequest: Parameters<typeof rawServer>[0]) => closeAfterTest(await rawServer(onRequest));
const fake = async (...args: Parameters<typeof fakeIdp>) => closeAfterTest(await fakeIdp(...args));

const BODY = JSON.stringify(execution('SUCCEEDED'));

describe('transport faults on GET (getExecution)', () => {
  it('connection refused: retried, then IdpConnectionError', async () => {
    const server = await raw(() => {});
    const url = server.url;
    await server.close();
    const before = timers();
    const error = rejected(await settledWithoutLeaks(clientAt(url).getExecution(REF), before));
    expect(error).toBeInstanceOf(IdpConnectionError);
    expect((error as Error).message).toMatch(/after 4 attempts: fetch failed \(ECONNREFUSED\)/);
    assertNoSecrets(error);
  });

  it('connection reset before headers: retried on a new connection, then IdpConnectionError', async () => {
    const server = await raw((socket) => socket.destroy());
    const before = timers();
    const error = rejected(await settledWithoutLeaks(clientAt(server.url).getExecution(REF), before));
    expect(error).toBeInstanceOf(IdpConnectionError);
    expect(server.connections).toBe(4);
  });

  it('connection reset mid-body once: the retry succeeds', async () => {
    const server = await raw((socket, i) => {
      if (i === 0) {
        socket.write(httpHead(200, { 'Content-Length': BODY.length }) + BODY.slice(0, 20));
        setTimeout(() => socket.destroy(), 10);
      } else socket.write(httpHead(200, { 'Content-Length': BODY.length }) + BODY);
    });
    const before = timers();
    const result = await settledWithoutLeaks(clientAt(server.url).getExecution(REF), before);
    expect(result.status).toBe('fulfilled');
    expect((result as PromiseFulfilledResult<{ status: string }>).value.status).toBe('SUCCEEDED');
  });

  it('reset mid-body every time: IdpConnectionError after 4 attempts', async () => {
    const server = await raw((socket) => {
      socket.write(httpHead(200, { 'Content-Length': BODY.length }) + BODY.slice(0, 20));
      setTimeout(() => socket.destroy(), 5);
    });
    const before = timers();
    const error = rejected(await settledWithoutLeaks(clientAt(server.url).getExecution(REF), before));
    expect(error).toBeInstanceOf(IdpConnectionError);
    expect(server.connections).toBe(4);
  });

  it('server accepts and never answers: per-attempt timeout, retried, then IdpRequestTimeoutError', async () => {
    let requests = 0;
    const server = await raw(() => {
      requests++;
    });
    const before = timers();
    const error = rejected(await settledWithoutLeaks(clientAt(server.url).getExecution(REF), before));
    expect(error).toBeInstanceOf(IdpRequestTimeoutError);
    expect((error as Error).message).toContain('no answer within 200 ms (4 attempts)');
    expect(requests).toBe(4);
  });

  it('headers sent, then the body stalls: the attempt timeout covers the body, retried, then IdpRequestTimeoutError', async () => {
    let requests = 0;
    const server = await raw((socket) => {
      requests++;
      socket.write(httpHead(200, { 'Content-Length': BODY.length }) + BODY.slice(0, 10));
    });
    const before = timers();
    const error = rejected(await settledWithoutLeaks(clientAt(server.url).getExecution(REF), before));
    expect(error).toBeInstanceOf(IdpRequestTimeoutError);
    expect(requests).toBe(4);
  });
});

describe('Retry-After on 429', () => {
  // The delay the client chose is read from its own log line, so no stopwatch decides the outcome;
  // the wall clock is only checked from below (it really slept at least that long).
  const cases: [string, string, number, number][] = [
    // name, header, least and most delay chosen, in ms (maxDelayMs 1,500; backoff base 100)
    ['seconds', '1', 1000, 1000],
    // whole seconds, less the few ms between the server writing the date and the client reading it
    ['an HTTP date 2 s ahead', '', 900, 2000],
    ['garbage', 'soon-ish', 0, 100],
    ['negative', '-5', 0, 100],
    ['absurdly large (capped, not an hour)', '999999', 1_500, 1_500],
  ];
  it.each(cases)('%s', async (name, header, least, most) => {
    const idp = await fake((_req, res, i) => {
      const value = name.startsWith('an HTTP date') ? new Date(Date.now() + 2_000).toUTCString() : header;
      if (i === 0) json(res, 429, { status: 429, title: 'Too Many Requests' }, { 'Retry-After': value });
      else json(res, 200, execution('SUCCEEDED'));
    });
    const warnings: string[] = [];
    const client = clientAt(idp.baseUrl, {
      retry: { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 1_500 },
      logger: { warn: (message) => warnings.push(message) },
    });
    const before = timers();
    const started = performance.now();
    const result = await settledWithoutLeaks(client.getExecution(REF), before);
    const waited = performance.now() - started;
    expect(result.status).toBe('fulfilled');
    expect(idp.runtimeRequests()).toHaveLength(2);
    expect(warnings).toHaveLength(1);
    const chosen = Number(/retrying in (\d+) ms/.exec(warnings[0] ?? '')?.[1]);
    expect(chosen).toBeGreaterThanOrEqual(least);
    expect(chosen).toBeLessThanOrEqual(most);
    expect(waited).toBeGreaterThanOrEqual(chosen - 2);
  });

  it('a Retry-After: 0 storm is not a busy loop: attempts stay within the budget', async () => {
    const idp = await fake((_req, res) =>
      json(res, 429, { status: 429, title: 'Too Many Requests' }, { 'Retry-After': '0' }),
    );
    const before = timers();
    const error = rejected(await settledWithoutLeaks(clientAt(idp.baseUrl).getExecution(REF), before));
    expect(error).toBeInstanceOf(IdpApiError);
    expect(idp.runtimeRequests()).toHaveLength(4);
  });
});

describe('5xx bursts and bad bodies', () => {
  it.each([500, 502, 503, 504])('a %i burst shorter than the budget recovers', async (status) => {
    const idp = await fake((_req, res, i) =>
      i < 2 ? json(res, status, { status, title: 'x' }) : json(res, 200, execution('SUCCEEDED')),
    );
    const before = timers();
    const result = await settledWithoutLeaks(clientAt(idp.baseUrl).getExecution(REF), before);
    expect(result.status).toBe('fulfilled');
    expect(idp.runtimeRequests()).toHaveLength(3);
  });

  it.each([500, 502, 503, 504])(
    'a %i burst longer than the budget: IdpApiError after 4 attempts',
    async (status) => {
      const idp = await fake((_req, res) => json(res, status, { status, title: 'Down' }));
      const before = timers();
      const error = rejected(await settledWithoutLeaks(clientAt(idp.baseUrl).getExecution(REF), before));
      expect((error as IdpApiError).status).toBe(status);
      expect(idp.runtimeRequests()).toHaveLength(4);
    },
  );

  it('a 502 HTML page from a proxy: IdpApiError with a short excerpt', async () => {
    const idp = await fake((_req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html><head><title>502</title></head><body><center>nginx</center></body></html>');
    });
    const error = rejected(
      await settledWithoutLeaks(clientAt(idp.baseUrl, { retry: false }).getExecution(REF), timers()),
    );
    expect(error).toBeInstanceOf(IdpApiError);
    expect((error as Error).message).toContain('text/html body: "502 nginx"');
  });

  it.each([
    ['truncated JSON', 'application/json', BODY.slice(0, 40), /not JSON/],
    ['invalid JSON', 'application/json', '{status: SUCCEEDED}', /not JSON/],
    ['Content-Type: text/html', 'text/html', '<!doctype html><p>Sign in</p>', /not JSON \(text\/html/],
    ['an empty body', 'application/json', '', /body is empty/],
  ])('a 200 with %s: IdpApiError, no crash', async (_name, type, body, message) => {
    const idp = await fake((_req, res) => {
      res.writeHead(200, { 'Content-Type': type });
      res.end(body);
    });
    const error = rejected(await settledWithoutLeaks(clientAt(idp.baseUrl).getExecution(REF), timers()));
    expect(error).toBeInstanceOf(IdpApiError);
    expect((error as Error).message).toMatch(message);
  });

  it('a 200 whose status the spec does not know: parsed, kept visible', async () => {
    const idp = await fake((_req, res) =>
      json(res, 200, execution('QUEUED_FOR_REVIEW', { extra: { a: 1 } })),
    );
    const result = await clientAt(idp.baseUrl).getExecution(REF);
    expect(result.status).toBe('QUEUED_FOR_REVIEW');
  });

  it('a body of several MB: parsed', async () => {
    const pages = Array.from({ length: 150 }, (_, i) => ({
      page: i + 1,
      fields: Object.fromEntries(
        Array.from({ length: 80 }, (_, j) => [`f${j}`, { value: 'x'.repeat(200), confidenceScore: 90 }]),
      ),
    }));
    const big = execution('SUCCEEDED', { pages });
    const idp = await fake((_req, res) => json(res, 200, big));
    const result = await clientAt(idp.baseUrl, { timeoutMs: 10_000 }).getExecution(REF);
    expect(JSON.stringify(result).length).toBeGreaterThan(2_500_000);
    expect(result).toEqual(big);
  });
});

describe('waiting through faults', () => {
  it('a 503 in the middle of a wait is retried and the wait goes on', async () => {
    const idp = await fake((_req, res, i) => {
      if (i === 1) return json(res, 503, { status: 503, title: 'x' });
      return json(res, 200, execution(i < 3 ? 'IN_PROGRESS' : 'SUCCEEDED'));
    });
    const result = await settledWithoutLeaks(
      clientAt(idp.baseUrl).waitForExecution(REF, { pollIntervalMs: 10 }),
      timers(),
    );
    expect(result.status).toBe('fulfilled');
  });

  it('a permanent error (404) mid-wait fails fast instead of spinning', async () => {
    const idp = await fake((_req, res, i) =>
      i === 0
        ? json(res, 200, execution('IN_PROGRESS'))
        : json(res, 404, { status: 404, title: 'Not Found' }),
    );
    const error = rejected(
      await settledWithoutLeaks(
        clientAt(idp.baseUrl).waitForExecution(REF, { pollIntervalMs: 10 }),
        timers(),
      ),
    );
    expect((error as IdpApiError).status).toBe(404);
    expect(idp.runtimeRequests()).toHaveLength(2);
  });

  it('an aborted wait during a stalled poll rejects at once with the reason', async () => {
    let polls = 0;
    const server = await raw(() => {
      polls++;
    });
    const controller = new AbortController();
    const before = timers();
    // an hour per attempt: only the abort can end this in time
    const waiting = clientAt(server.url, { timeoutMs: 3_600_000 }).waitForExecution(REF, {
      signal: controller.signal,
    });
    await until(() => polls === 1, 'the poll to reach the server');
    controller.abort(new Error('shutdown'));
    const error = rejected(await settledWithoutLeaks(waiting, before));
    expect(error).toBeInstanceOf(IdpAbortError);
    expect((error as IdpAbortError).reason).toEqual(new Error('shutdown'));
    expect((error as Error).message).toBe('waitForExecution aborted: shutdown');
  });
});

describe('secrets stay out of every transport error', () => {
  it('with credentials auth: token and secret absent from errors of every kind', async () => {
    const idp = await fake((_req, res) => json(res, 500, { status: 500, title: 'Boom', detail: 'internal' }));
    const client = createIdpClient({
      organizationId: IDS.organizationId,
      baseUrl: idp.baseUrl,
      auth: { clientId: 'c', clientSecret: SECRET, tokenUrl: idp.tokenUrl },
      retry: false,
    });
    const error = await client.getExecution(REF).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdpApiError);
    assertNoSecrets(error, [SECRET, 'tok-0']);
    assertNoSecrets(client, [SECRET, 'tok-0']);
  });
});
