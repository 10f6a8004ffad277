import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createIdpClient } from '@idp-kit/client';
import { callbackUrl, createCallbackHandler, toNodeHandler } from '@idp-kit/client/callback';
import { execution, type FakeIdp, fakeIdp, IDS, json } from '@idp-kit/testkit';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';

const SECRET = 'cb-secret-0123456789abcdef';
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function receiver(options: { bodyTimeoutMs?: number } = {}) {
  const idp: FakeIdp = await fakeIdp((_req, res) => json(res, 200, execution('SUCCEEDED')));
  const client = createIdpClient({
    organizationId: IDS.organizationId,
    baseUrl: idp.baseUrl,
    auth: { getToken: async () => 't', invalidate: () => {} },
  });
  const results: unknown[] = [];
  const handler = createCallbackHandler({
    client,
    secret: SECRET,
    onResult: (e) => void results.push(e),
    ...options,
  });
  const server: Server = createServer(toNodeHandler(handler));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb`;
  open.push(idp, {
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
  return {
    idp,
    handler,
    results,
    base,
    url: callbackUrl(base, SECRET, { actionId: IDS.actionId, actionVersion: '1.1.0' }),
  };
}

const body = JSON.stringify({ executionId: IDS.executionId });

/** Sends `chunks` one by one, `gapMs` apart, as a chunked PATCH; resolves with the status. */
function drip(url: string, chunks: string[], gapMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'PATCH', headers: { 'Content-Type': 'application/json' } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', (e) =>
      String(e).includes('ECONNRESET') || String(e).includes('EPIPE') ? undefined : reject(e),
    );
    let i = 0;
    const next = () => {
      if (req.destroyed) return;
      if (i >= chunks.length) return void req.end();
      req.write(chunks[i++]);
      setTimeout(next, gapMs);
    };
    next();
  });
}

describe('callback receiver under hostile input', () => {
  it('forged nonces (2,000 generated): all 401, nothing fetched, no onResult', async () => {
    const { idp, handler, results, base } = await receiver();
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 64 }).filter((s) => s !== SECRET),
        async (nonce) => {
          const url = `${base}?idp_nonce=${encodeURIComponent(nonce)}&idp_action=${IDS.actionId}&idp_version=1.1.0`;
          const res = await fetch(url, {
            method: 'PATCH',
            headers: { 'Content-Type': 'application/json' },
            body,
          });
          expect(res.status).toBe(401);
        },
      ),
      { numRuns: 2_000 },
    );
    await handler.settled();
    expect(results).toEqual([]);
    expect(idp.server.requests).toHaveLength(0);
  });

  it('near-miss nonces (prefix, one character off, longer, shorter): 401', async () => {
    const { base, results } = await receiver();
    for (const nonce of [
      SECRET.slice(0, -1),
      `${SECRET}x`,
      `${SECRET.slice(0, -1)}X`,
      SECRET.toUpperCase(),
      '',
    ]) {
      const res = await fetch(`${base}?idp_nonce=${encodeURIComponent(nonce)}`, { method: 'PATCH', body });
      expect(res.status).toBe(401);
    }
    expect(results).toEqual([]);
  });

  it('oversized bodies: 413, declared or chunked', async () => {
    const { url, results } = await receiver();
    const big = JSON.stringify({ executionId: IDS.executionId, pad: 'x'.repeat(17_000) });
    expect(
      (await fetch(url, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: big }))
        .status,
    ).toBe(413);
    expect(await drip(url, Array(20).fill('x'.repeat(1024)), 1)).toBe(413);
    expect(results).toEqual([]);
  });

  it('a slow drip under the limits is accepted', async () => {
    // far above the drip's own length, so a slow machine cannot turn "under the limits" into "past them"
    const { url, handler, results } = await receiver({ bodyTimeoutMs: 60_000 });
    const chunks = body.match(/.{1,8}/g) ?? [];
    expect(await drip(url, chunks, 30)).toBe(204);
    await handler.settled();
    expect(results).toHaveLength(1);
  });

  it('a slow drip past the body timeout: 408, nothing fetched', async () => {
    const { url, idp, results } = await receiver({ bodyTimeoutMs: 300 });
    // the drip lasts 4 s, far past the 300 ms timeout: a receiver without the timeout would answer 204
    expect(await drip(url, Array(40).fill(' '), 100)).toBe(408);
    expect(results).toEqual([]);
    expect(idp.runtimeRequests()).toHaveLength(0);
  });

  it.each([
    ['not JSON', '{executionId:'],
    ['JSON null', 'null'],
    ['a string', '"022c61de-9bfc-4a94-8a9c-43c5f8ac153e"'],
    ['a non-UUID id', '{"executionId":"022c61de-9bfc-4a94-8a9c-43c5f8ac153e/../x"}'],
    ['a number id', '{"executionId":12345}'],
    ['deep nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`],
  ])('malformed body (%s): 400', async (_name, text) => {
    const { url, results } = await receiver();
    expect(
      (await fetch(url, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: text }))
        .status,
    ).toBe(400);
    expect(results).toEqual([]);
  });

  it.each(['GET', 'PUT', 'DELETE', 'OPTIONS'])('%s: 405', async (method) => {
    const { url } = await receiver();
    const res = await fetch(url, { method, ...(method === 'GET' ? {} : { body }) });
    expect(res.status).toBe(405);
  });

  it.each([
    'text/plain',
    'multipart/form-data; boundary=x',
    'application/x-www-form-urlencoded',
    'text/html',
  ])('content type %s: 415', async (type) => {
    const { url } = await receiver();
    expect((await fetch(url, { method: 'PATCH', headers: { 'Content-Type': type }, body })).status).toBe(415);
  });

  it('1,000 concurrent forged callbacks: all 401, no onResult, bounded memory', async () => {
    const { base, results, idp, handler } = await receiver();
    const rssBefore = process.memoryUsage().rss;
    const statuses = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) =>
        fetch(`${base}?idp_nonce=forged-${i}`, {
          method: 'PATCH',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ executionId: IDS.executionId, pad: 'x'.repeat(8_000) }),
        }).then((r) => r.status),
      ),
    );
    await handler.settled();
    const growthMb = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
    expect(new Set(statuses)).toEqual(new Set([401]));
    expect(results).toEqual([]);
    expect(idp.server.requests).toHaveLength(0);
    expect(growthMb).toBeLessThan(100);
  });
});
