import { clientCredentials } from '@idp-kit/auth';
import { closeAfterTest, execution, fakeIdp, IDS, json, REF } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import { createIdpClient, type IdpHooks } from '../src/index.js';

describe('auth: clientCredentials(…) handed to the client obeys the client’s pipeline', () => {
  it('its token request is retried by the client’s rules, seen by hooks and logged like every request', async () => {
    const idp = closeAfterTest(
      await fakeIdp(
        (_req, res) => json(res, 200, execution('SUCCEEDED')),
        (_req, res, i) =>
          i === 0
            ? json(res, 503, { status: 503, title: 'busy' })
            : json(res, 200, { access_token: `tok-${i}`, token_type: 'bearer', expires_in: 3600 }),
      ),
    );
    const seen: string[] = [];
    const answers: string[] = [];
    const hooks: IdpHooks = {
      operationStart: (op) => seen.push(op.name),
      // Hooks see the token request's answers: each attempt's, and the one it ended with, once.
      attemptEnd: (a, o) => answers.push(`${a.operation.name} #${a.attempt} ${o.response?.status}`),
      operationEnd: (op, o) => answers.push(`${op.name} ended ${o.response?.status}`),
    };
    const lines: string[] = [];
    const client = createIdpClient({
      organizationId: IDS.organizationId,
      baseUrl: idp.baseUrl,
      // The auth package's own sender would not retry at all (maxRetries: 0), nor call hooks or log.
      auth: clientCredentials({
        clientId: 'c',
        clientSecret: 's3cret-value',
        tokenUrl: idp.tokenUrl,
        maxRetries: 0,
      }),
      retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 },
      hooks: [hooks],
      logger: { debug: (m) => lines.push(m) },
    });
    const result = await client.getExecution(REF);
    expect(result.status).toBe('SUCCEEDED');
    expect(idp.tokenRequests()).toHaveLength(2);
    expect(seen).toEqual(['getExecution', 'token']);
    expect(answers).toEqual([
      'token #1 503',
      'token #2 200',
      'token ended 200',
      'getExecution #1 200',
      'getExecution ended 200',
    ]);
    expect(lines.filter((l) => l.startsWith('token#'))).toHaveLength(2);
    expect(idp.runtimeRequests()[0]?.headers.authorization).toBe('Bearer tok-1');
  });

  it('two clients sharing one provider share its token; a provider with its own fetch keeps it', async () => {
    const idp = closeAfterTest(await fakeIdp((_req, res) => json(res, 200, execution('SUCCEEDED'))));
    const shared = clientCredentials({ clientId: 'c', clientSecret: 's', tokenUrl: idp.tokenUrl });
    const make = (auth: typeof shared, fetch?: typeof globalThis.fetch) =>
      createIdpClient({
        organizationId: IDS.organizationId,
        baseUrl: idp.baseUrl,
        auth,
        ...(fetch ? { fetch } : {}),
      });
    await make(shared).getExecution(REF);
    await make(shared).getExecution(REF);
    expect(idp.tokenRequests()).toHaveLength(1);
    let viaClientFetch = 0;
    const clientFetch: typeof globalThis.fetch = (input, init) => {
      if (String(input).includes('/oauth2/')) viaClientFetch++;
      return fetch(input, init);
    };
    let viaOwnFetch = 0;
    const own = clientCredentials({
      clientId: 'c2',
      clientSecret: 's2',
      tokenUrl: idp.tokenUrl,
      fetch: (input, init) => {
        viaOwnFetch++;
        return fetch(input, init);
      },
    });
    await make(own, clientFetch).getExecution(REF);
    expect([viaOwnFetch, viaClientFetch]).toEqual([1, 0]);
  });

  it('a token provider of your own is used as it is', async () => {
    const idp = closeAfterTest(await fakeIdp((_req, res) => json(res, 200, execution('SUCCEEDED'))));
    let asked = 0;
    const client = createIdpClient({
      organizationId: IDS.organizationId,
      baseUrl: idp.baseUrl,
      auth: { getToken: async () => `own-${++asked}`, invalidate: () => {} },
    });
    await client.getExecution(REF);
    expect(asked).toBe(1);
    expect(idp.tokenRequests()).toHaveLength(0);
    expect(idp.runtimeRequests()[0]?.headers.authorization).toBe('Bearer own-1');
  });
});
