import { setTimeout as delay } from 'node:timers/promises';
import { inspect } from 'node:util';
import { closeAfterTest, json, loopback, until } from '@idp-kit/testkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthError, clientCredentials, memoryTokenCache } from '../src/index.js';

const SECRET = 'sUp3r-s3cret-V4lue';
afterEach(() => {
  vi.useRealTimers();
});

async function tokenServer(handler: Parameters<typeof loopback>[0]) {
  const server = closeAfterTest(await loopback(handler));
  return { server, tokenUrl: `${server.url}/accounts/api/v2/oauth2/token` };
}

function provider(tokenUrl: string, extra: Partial<Parameters<typeof clientCredentials>[0]> = {}) {
  return clientCredentials({ clientId: 'client-1', clientSecret: SECRET, tokenUrl, ...extra });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('clientCredentials: the token request', () => {
  it('POSTs the documented JSON body and reads the token', async () => {
    const { server, tokenUrl } = await tokenServer((_req, res) =>
      json(res, 200, { access_token: 'tok-1', token_type: 'Bearer', expires_in: 3600 }),
    );
    expect(await provider(tokenUrl).getToken()).toBe('tok-1');
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/accounts/api/v2/oauth2/token');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers.accept).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      grant_type: 'client_credentials',
      client_id: 'client-1',
      client_secret: SECRET,
    });
  });

  it('1,000 concurrent getToken() on a cold cache make exactly one request and share its token', async () => {
    const { server, tokenUrl } = await tokenServer(async (_req, res) => {
      await delay(50);
      json(res, 200, { access_token: 'tok-shared', token_type: 'bearer', expires_in: 3600 });
    });
    const auth = provider(tokenUrl);
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => auth.getToken()));
    expect(server.requests).toHaveLength(1);
    expect(new Set(tokens)).toEqual(new Set(['tok-shared']));
  });

  it('concurrent callers all get the same error from one failed request', async () => {
    const { server, tokenUrl } = await tokenServer((_req, res) =>
      json(res, 401, { error: 'invalid_client', error_description: 'Invalid client credentials' }),
    );
    const auth = provider(tokenUrl);
    const errors = await Promise.all(Array.from({ length: 50 }, () => rejection(auth.getToken())));
    expect(server.requests).toHaveLength(1);
    expect(new Set(errors).size).toBe(1);
    expect(errors[0]).toBeInstanceOf(AuthError);
  });

  it('retries 503, 503 then succeeds: one token after two retries', async () => {
    const { server, tokenUrl } = await tokenServer((_req, res, index) => {
      if (index < 2) json(res, 503, { error: 'temporarily_unavailable' });
      else json(res, 200, { access_token: 'tok-after-retries', token_type: 'bearer' });
    });
    expect(await provider(tokenUrl).getToken()).toBe('tok-after-retries');
    expect(server.requests).toHaveLength(3);
  });

  it('honours Retry-After on 429', async () => {
    const { server, tokenUrl } = await tokenServer((_req, res, index) => {
      if (index === 0) json(res, 429, { error: 'slow_down' }, { 'Retry-After': '1' });
      else json(res, 200, { access_token: 'tok-429', token_type: 'bearer' });
    });
    const started = Date.now();
    expect(await provider(tokenUrl).getToken()).toBe('tok-429');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(server.requests).toHaveLength(2);
  });

  it('gives up after maxRetries and says how many attempts were made', async () => {
    const { server, tokenUrl } = await tokenServer((_req, res) => json(res, 500, { error: 'server_error' }));
    const error = await rejection(provider(tokenUrl, { maxRetries: 1 }).getToken());
    expect(server.requests).toHaveLength(2);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).status).toBe(500);
    expect((error as AuthError).message).toContain('after 2 attempts');
  });

  it.each([400, 401, 403])('never retries HTTP %i', async (status) => {
    const { server, tokenUrl } = await tokenServer((_req, res) =>
      json(res, status, { error: 'invalid_request' }),
    );
    const error = await rejection(provider(tokenUrl).getToken());
    expect(server.requests).toHaveLength(1);
    expect((error as AuthError).status).toBe(status);
  });

  it('invalid_client → AuthError after one request, saying what to check', async () => {
    const { server, tokenUrl } = await tokenServer((_req, res) =>
      json(res, 401, { error: 'invalid_client', error_description: 'Invalid client credentials' }),
    );
    const error = (await rejection(provider(tokenUrl).getToken())) as AuthError;
    expect(server.requests).toHaveLength(1);
    expect(error).toBeInstanceOf(AuthError);
    expect(error.status).toBe(401);
    expect(error.oauthError).toBe('invalid_client');
    expect(error.errorDescription).toBe('Invalid client credentials');
    for (const hint of [
      'client id and secret',
      'client credentials',
      'Execute Published Actions',
      'eu1.anypoint',
    ]) {
      expect(error.message).toContain(hint);
    }
  });

  it('retries network errors, then fails with a clear AuthError', async () => {
    const { server, tokenUrl } = await tokenServer((_req, res) => {
      res.end();
    });
    await server.close();
    const error = (await rejection(provider(tokenUrl, { maxRetries: 1 }).getToken())) as AuthError;
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toMatch(/Could not reach the token endpoint .* after 2 attempts/);
    expect(error.status).toBeUndefined();
  });

  it('a per-attempt timeout ends a request that never answers', async () => {
    const { server, tokenUrl } = await tokenServer(() => {
      // never answers
    });
    const error = (await rejection(
      provider(tokenUrl, { timeoutMs: 200, maxRetries: 1 }).getToken(),
    )) as AuthError;
    expect(server.requests).toHaveLength(2);
    expect(error.message).toContain('no answer within 200 ms');
  });
});

describe('clientCredentials: malformed token responses are AuthErrors', () => {
  it.each([
    ['HTML', 'text/html', '<html><body>Login</body></html>', /text\/html, not a JSON token/],
    ['invalid JSON', 'application/json', '{"access_token": "x', /not a JSON token/],
    ['no access_token', 'application/json', '{"token_type":"bearer"}', /without an access_token/],
    ['empty body', 'application/json', '', /empty body/],
    ['another token type', 'application/json', '{"access_token":"t","token_type":"mac"}', /"mac" token/],
  ])('%s', async (_name, type, body, message) => {
    const { tokenUrl } = await tokenServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': type });
      res.end(body);
    });
    const error = (await rejection(provider(tokenUrl).getToken())) as AuthError;
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toMatch(message);
  });

  it.each([
    ['without expires_in', {}],
    ['with expires_in 0', { expires_in: 0 }],
    ['with a negative expires_in', { expires_in: -5 }],
    ['with expires_in that is not a number', { expires_in: 'soon' }],
  ])('a token %s lives 3600 s', async (_name, expiry) => {
    const { server, tokenUrl } = await tokenServer((_req, res, index) =>
      json(res, 200, { access_token: `tok-${index}`, token_type: 'bearer', ...expiry }),
    );
    vi.useFakeTimers({ toFake: ['Date'] });
    const auth = provider(tokenUrl, { refreshBeforeExpiryMs: 0 });
    expect(await auth.getToken()).toBe('tok-0');
    vi.setSystemTime(Date.now() + 3_599_000);
    expect(await auth.getToken()).toBe('tok-0');
    vi.setSystemTime(Date.now() + 2_000);
    expect(await auth.getToken()).toBe('tok-1');
    expect(server.requests).toHaveLength(2);
  });
});

describe('clientCredentials: refresh', () => {
  it('a token without token_type is taken as a bearer token', async () => {
    const { tokenUrl } = await tokenServer((_req, res) => json(res, 200, { access_token: 'tok-untyped' }));
    expect(await provider(tokenUrl).getToken()).toBe('tok-untyped');
  });

  it('by default refreshes 5 minutes before expiry', async () => {
    const { server, tokenUrl } = await tokenServer((_req, res, index) =>
      json(res, 200, { access_token: `tok-${index}`, token_type: 'bearer', expires_in: 3600 }),
    );
    vi.useFakeTimers({ toFake: ['Date'] });
    const auth = provider(tokenUrl);
    const start = Date.now();
    expect(await auth.getToken()).toBe('tok-0');
    vi.setSystemTime(start + 3_600_000 - 300_000); // the window opens: served the valid token, refreshed behind it
    expect(await auth.getToken()).toBe('tok-0');
    await until(() => server.requests.length === 2, 'the background refresh');
    expect(server.requests).toHaveLength(2);
  });

  // The token cycle reads only Date.now(): a fake Date walks it through its lifetime, with real requests.
  it('expires_in 2 s with a 1 s window: one early refresh, never an expired token, never two at once', async () => {
    const issuedAt = new Map<string, number>();
    const { server, tokenUrl } = await tokenServer((_req, res, index) => {
      const token = `tok-${index}`;
      issuedAt.set(token, Date.now());
      json(res, 200, { access_token: token, token_type: 'bearer', expires_in: 2 });
    });
    vi.useFakeTimers({ toFake: ['Date'] });
    const auth = provider(tokenUrl, { refreshBeforeExpiryMs: 1000 });
    const start = Date.now();
    const seen: { token: string; at: number }[] = [];
    // 20 concurrent callers every 50 ms of (fake) time, through the first token's life up to its expiry
    for (let at = 0; at < 2_000; at += 50) {
      vi.setSystemTime(start + at);
      const batch = await Promise.all(Array.from({ length: 20 }, () => auth.getToken()));
      for (const token of batch) seen.push({ token, at: Date.now() });
    }
    // the background refresh started in the window lands before tok-0 expires (the clock stopped short of it)
    await until(() => server.requests.length === 2 && issuedAt.has('tok-1'), 'the background refresh');
    const refreshedAt = issuedAt.get('tok-1') ?? Number.NaN;
    expect(refreshedAt).toBeGreaterThanOrEqual(start + 1_000);
    expect(refreshedAt).toBeLessThan(start + 2_000);
    vi.setSystemTime(start + 2_000); // tok-0 has expired: only tok-1 from now on, with no new request
    expect(await auth.getToken()).toBe('tok-1');
    expect(server.requests).toHaveLength(2);
    expect(server.maxConcurrent).toBe(1);
    for (const { token, at } of seen) {
      expect(at, `${token} used after it expired`).toBeLessThan((issuedAt.get(token) ?? 0) + 2000);
    }
    // callers never waited on the refresh: whenever it landed, each of them got one of the two tokens
    expect(seen.filter((s) => s.token !== 'tok-0' && s.token !== 'tok-1')).toEqual([]);
  });

  it('a failed background refresh does not fail callers while the old token is valid', async () => {
    const { server, tokenUrl } = await tokenServer((_req, res, index) => {
      if (index === 0) json(res, 200, { access_token: 'tok-0', token_type: 'bearer', expires_in: 4 });
      else json(res, 400, { error: 'invalid_request' });
    });
    vi.useFakeTimers({ toFake: ['Date'] });
    const auth = provider(tokenUrl, { refreshBeforeExpiryMs: 3000 });
    const start = Date.now();
    expect(await auth.getToken()).toBe('tok-0');
    vi.setSystemTime(start + 2_100); // inside the window (capped at half the lifetime: 2 s)
    expect(await auth.getToken()).toBe('tok-0');
    await until(() => server.requests.length === 2, 'the background refresh');
    vi.setSystemTime(start + 2_200);
    expect(await auth.getToken()).toBe('tok-0');
    // the failure is remembered for a while: no request storm
    expect(server.requests).toHaveLength(2);
  });

  it('invalidate(token) drops only that token; forceRefresh fetches a new one', async () => {
    const { server, tokenUrl } = await tokenServer((_req, res, index) =>
      json(res, 200, { access_token: `tok-${index}`, token_type: 'bearer' }),
    );
    const auth = provider(tokenUrl);
    expect(await auth.getToken()).toBe('tok-0');
    auth.invalidate('some-other-token');
    expect(await auth.getToken()).toBe('tok-0');
    auth.invalidate('tok-0');
    expect(await auth.getToken()).toBe('tok-1');
    expect(await auth.getToken({ forceRefresh: true })).toBe('tok-2');
    expect(server.requests).toHaveLength(3);
  });

  it('an aborted caller stops waiting at once; the shared request still serves the others', async () => {
    // The server holds the token until the aborted caller has given up: if the abort did not end
    // that caller's wait, the test would hang (and fail on the hang guard).
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { server, tokenUrl } = await tokenServer(async (_req, res) => {
      await held;
      json(res, 200, { access_token: 'tok-slow', token_type: 'bearer' });
    });
    const auth = provider(tokenUrl);
    const controller = new AbortController();
    const waiting = auth.getToken({ signal: controller.signal });
    const patient = auth.getToken();
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    controller.abort(new Error('caller gave up'));
    await expect(waiting).rejects.toThrow('caller gave up');
    release();
    expect(await patient).toBe('tok-slow');
    expect(server.requests).toHaveLength(1);
  });

  it('a shared TokenCache lets a second provider reuse the token without a request', async () => {
    const { server, tokenUrl } = await tokenServer((_req, res, index) =>
      json(res, 200, { access_token: `tok-${index}`, token_type: 'bearer' }),
    );
    const cache = memoryTokenCache();
    const keys: string[] = [];
    const spying = {
      ...cache,
      set: (key: string, token: string, at: number) => {
        keys.push(key);
        return cache.set(key, token, at);
      },
    };
    expect(await provider(tokenUrl, { cache: spying }).getToken()).toBe('tok-0');
    expect(await provider(tokenUrl, { cache: spying }).getToken()).toBe('tok-0');
    expect(server.requests).toHaveLength(1);
    expect(keys[0]).toContain('client-1');
    expect(keys[0]).not.toContain(SECRET);
  });
});

describe('clientCredentials: options are checked before anything is sent', () => {
  it.each([
    [{ clientId: '' }, /clientId is required/],
    [{ clientSecret: ' ' }, /clientSecret is required/],
    [{ controlPlane: 'apac' as 'us' }, /controlPlane must be 'us' or 'eu'/],
    [{ tokenUrl: 'http://anypoint.example.com/token' }, /http is allowed only to a loopback host/],
    [{ tokenUrl: 'ftp://127.0.0.1/token' }, /scheme must be https/],
    [{ tokenUrl: 'not a url' }, /not an absolute URL/],
    [{ timeoutMs: -1 }, /timeoutMs must be a number/],
    // A 0 ms timeout would fail every attempt before it is sent.
    [{ timeoutMs: 0 }, /timeoutMs must be a number ≥ 1, got 0/],
    [{ maxRetries: -1 }, /maxRetries must be a number ≥ 0/],
    [{ maxRetries: Number.POSITIVE_INFINITY }, /maxRetries must be a number/],
    [{ refreshBeforeExpiryMs: -1 }, /refreshBeforeExpiryMs must be a number ≥ 0/],
    // An unset environment variable (process.env.IDP_CLIENT_ID) or one that holds only blanks.
    [{ clientId: undefined as unknown as string }, /clientId is required/],
    [{ clientId: '  ' }, /clientId is required/],
    [{ clientSecret: undefined as unknown as string }, /clientSecret is required/],
  ])('%o', (override, message) => {
    expect(() => clientCredentials({ clientId: 'id', clientSecret: SECRET, ...override })).toThrow(message);
  });

  it('uses the control plane token URLs', () => {
    expect(JSON.stringify(clientCredentials({ clientId: 'id', clientSecret: SECRET }))).toContain(
      'https://anypoint.mulesoft.com/accounts/api/v2/oauth2/token',
    );
    expect(
      JSON.stringify(clientCredentials({ clientId: 'id', clientSecret: SECRET, controlPlane: 'eu' })),
    ).toContain('https://eu1.anypoint.mulesoft.com/accounts/api/v2/oauth2/token');
  });
});

describe('clientCredentials: no secret or token leaks', () => {
  const TOKEN = 'tok-VERY-private-123';

  function assertClean(value: unknown) {
    const views = [
      String(value),
      inspect(value, { depth: 10, showHidden: true }),
      JSON.stringify(value) ?? '',
      value instanceof Error ? `${value.message}\n${value.stack}` : '',
    ];
    for (const view of views) {
      expect(view).not.toContain(SECRET);
      expect(view).not.toContain(TOKEN);
    }
  }

  it('not in the provider, before or after it holds a token', async () => {
    const { tokenUrl } = await tokenServer((_req, res) =>
      json(res, 200, { access_token: TOKEN, token_type: 'bearer' }),
    );
    const auth = provider(tokenUrl);
    assertClean(auth);
    expect(await auth.getToken()).toBe(TOKEN);
    assertClean(auth);
    // what console.log shows instead: which provider this is
    expect(inspect(auth)).toBe(`ClientCredentials {"tokenUrl":"${tokenUrl}","clientId":"client-1"}`);
  });

  it.each([
    [
      'an OAuth error that echoes the secret',
      401,
      'application/json',
      JSON.stringify({ error: 'invalid_client', error_description: `bad secret ${SECRET}` }),
    ],
    [
      'an HTML page that echoes the secret',
      502,
      'text/html',
      `<h1>Bad gateway</h1><pre>client_secret=${SECRET}</pre>`,
    ],
    ['a 200 that is not JSON and echoes the secret', 200, 'text/plain', `secret ${SECRET}`],
  ])('not in the error for %s', async (_name, status, type, body) => {
    const { tokenUrl } = await tokenServer((_req, res) => {
      res.writeHead(status, { 'Content-Type': type });
      res.end(body);
    });
    const error = await rejection(provider(tokenUrl, { maxRetries: 0 }).getToken());
    expect(error).toBeInstanceOf(AuthError);
    assertClean(error);
  });

  it('not in a network error', async () => {
    const { server, tokenUrl } = await tokenServer((_req, res) => {
      res.end();
    });
    await server.close();
    const error = await rejection(provider(tokenUrl, { maxRetries: 0 }).getToken());
    assertClean(error);
  });
});
