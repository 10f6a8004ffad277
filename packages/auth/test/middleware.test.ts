import { closeAfterTest, json, loopback } from '@idp-kit/testkit';
import createClient from 'openapi-fetch';
import { describe, expect, it } from 'vitest';
import { authMiddleware, clientCredentials, type TokenProvider } from '../src/index.js';

// A minimal `paths` so the test needs nothing from @idp-kit/client.
interface paths {
  '/thing': {
    get: { responses: { 200: { content: { 'application/json': { ok: boolean } } } } };
    post: {
      requestBody: { content: { 'application/json': { name: string } } };
      responses: { 200: { content: { 'application/json': { echoed: string } } } };
    };
  };
}

async function setup(runtime: Parameters<typeof loopback>[0]) {
  const tokens = closeAfterTest(
    await loopback((_req, res, index) =>
      json(res, 200, { access_token: `tok-${index}`, token_type: 'bearer', expires_in: 3600 }),
    ),
  );
  const api = closeAfterTest(await loopback(runtime));
  const auth = clientCredentials({ clientId: 'c', clientSecret: 's', tokenUrl: `${tokens.url}/token` });
  const client = createClient<paths>({ baseUrl: api.url });
  client.use(authMiddleware(auth));
  return { tokens, api, client };
}

describe('authMiddleware', () => {
  it('sets the bearer token on every request, fetching it once', async () => {
    const { tokens, api, client } = await setup((_req, res) => json(res, 200, { ok: true }));
    await Promise.all([client.GET('/thing'), client.GET('/thing'), client.GET('/thing')]);
    expect(tokens.requests).toHaveLength(1);
    expect(api.requests.map((r) => r.headers.authorization)).toEqual(Array(3).fill('Bearer tok-0'));
  });

  it('on 401 invalidates the token and replays once with a fresh one', async () => {
    const { tokens, api, client } = await setup((req, res) => {
      if (req.headers.authorization === 'Bearer tok-0')
        json(res, 401, { title: 'Unauthorized', status: 401 });
      else json(res, 200, { ok: true });
    });
    const { data, response } = await client.GET('/thing');
    expect(response.status).toBe(200);
    expect(data).toEqual({ ok: true });
    expect(api.requests.map((r) => r.headers.authorization)).toEqual(['Bearer tok-0', 'Bearer tok-1']);
    expect(tokens.requests).toHaveLength(2);
  });

  it('replays a request body intact', async () => {
    const { api, client } = await setup((req, res) => {
      if (req.headers.authorization === 'Bearer tok-0')
        json(res, 401, { title: 'Unauthorized', status: 401 });
      else json(res, 200, { echoed: JSON.parse(req.body).name });
    });
    const { data } = await client.POST('/thing', { body: { name: 'invoice.pdf' } });
    expect(data).toEqual({ echoed: 'invoice.pdf' });
    expect(api.requests.map((r) => r.body)).toEqual(['{"name":"invoice.pdf"}', '{"name":"invoice.pdf"}']);
  });

  it('a second 401 reaches the caller: exactly two attempts, never a loop', async () => {
    const { tokens, api, client } = await setup((_req, res) =>
      json(res, 401, { title: 'Unauthorized', status: 401 }),
    );
    const { error, response } = await client.GET('/thing');
    expect(response.status).toBe(401);
    expect(error).toEqual({ title: 'Unauthorized', status: 401 });
    expect(api.requests).toHaveLength(2);
    expect(tokens.requests).toHaveLength(2);
  });

  it('does not replay when the provider can only give the same token back', async () => {
    const api = closeAfterTest(
      await loopback((_req, res) => json(res, 401, { title: 'Unauthorized', status: 401 })),
    );
    const fixed: TokenProvider = { getToken: async () => 'fixed', invalidate: () => {} };
    const client = createClient<paths>({ baseUrl: api.url });
    client.use(authMiddleware(fixed));
    const { response } = await client.GET('/thing');
    expect(response.status).toBe(401);
    expect(api.requests).toHaveLength(1);
  });
});
