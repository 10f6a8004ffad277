import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execution, IDS, json } from '@idp-kit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { callbackUrl, createCallbackHandler, toNodeHandler } from '../src/callback/index.js';
import { type Execution, type ExecutionRef, IdpApiError, IdpValidationError } from '../src/index.js';
import { setup } from './helpers.js';

const SECRET = 'n0nce-0123456789-abcdef';
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function receiver(runtime: Parameters<typeof setup>[0], own: { bodyTimeoutMs?: number } = {}) {
  const { idp, client } = await setup(runtime);
  const results: { execution: Execution; ref: ExecutionRef }[] = [];
  const errors: unknown[] = [];
  const handler = createCallbackHandler({
    client,
    secret: SECRET,
    onResult: (e, ref) => {
      results.push({ execution: e, ref });
    },
    onError: (error) => errors.push(error),
    ...own,
  });
  const server = createServer(toNodeHandler(handler));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/idp/callback`;
  const url = callbackUrl(base, SECRET, { actionId: IDS.actionId, actionVersion: IDS.actionVersion });
  return { idp, handler, results, errors, base, url };
}

const body = JSON.stringify({ executionId: IDS.executionId, actionId: IDS.actionId, version: '1.1.0' });
const jsonHeaders = { 'Content-Type': 'application/json' };

/** A PATCH whose body is streamed (chunked: no Content-Length), as a sender that streams would send it. */
function patchStream(url: string, body: ReadableStream<Uint8Array>): Promise<Response> {
  return fetch(url, { method: 'PATCH', headers: jsonHeaders, body, duplex: 'half' } as RequestInit);
}

describe('callback receiver', () => {
  it.each(['PATCH', 'POST'])(
    '%s with the right nonce → 204, then onResult gets the fetched execution',
    async (method) => {
      const { idp, handler, results, url } = await receiver((_req, res) =>
        json(res, 200, execution('SUCCEEDED')),
      );
      const response = await fetch(url, { method, headers: jsonHeaders, body });
      expect(response.status).toBe(204);
      await handler.settled();
      expect(results).toHaveLength(1);
      expect(results[0]?.execution.status).toBe('SUCCEEDED');
      expect(results[0]?.ref).toEqual({
        actionId: IDS.actionId,
        actionVersion: '1.1.0',
        executionId: IDS.executionId,
      });
      expect(idp.runtimeRequests()[0]?.url).toContain(`/executions/${IDS.executionId}?valueOnly=true`);
    },
  );

  it('never trusts the body: the status it claims is ignored, the fetched one counts', async () => {
    const { handler, results, url } = await receiver((_req, res) => json(res, 200, execution('FAILED')));
    await fetch(url, {
      method: 'PATCH',
      headers: jsonHeaders,
      body: JSON.stringify({
        executionId: IDS.executionId,
        status: 'SUCCEEDED',
        pages: [{ page: 1, fields: { total: { value: '1e9' } } }],
      }),
    });
    await handler.settled();
    expect(results[0]?.execution.status).toBe('FAILED');
    expect(results[0]?.execution).not.toHaveProperty('pages');
  });

  it('a forged execution id the client cannot fetch → no onResult, the error goes to onError', async () => {
    const { handler, results, errors, url } = await receiver((_req, res) =>
      json(res, 404, { status: 404, title: 'Not Found' }),
    );
    const response = await fetch(url, { method: 'PATCH', headers: jsonHeaders, body });
    expect(response.status).toBe(204);
    await handler.settled();
    expect(results).toEqual([]);
    expect(errors[0]).toBeInstanceOf(IdpApiError);
  });

  it.each([
    ['no nonce', (base: string) => base],
    ['a wrong nonce', (base: string) => `${base}?idp_nonce=wrong`],
    ['a nonce one character off', (base: string) => `${base}?idp_nonce=${SECRET.slice(0, -1)}g`],
  ])('%s → 401 and nothing fetched', async (_name, make) => {
    const { idp, handler, results, base } = await receiver((_req, res) =>
      json(res, 200, execution('SUCCEEDED')),
    );
    const response = await fetch(make(base), { method: 'PATCH', headers: jsonHeaders, body });
    expect(response.status).toBe(401);
    await handler.settled();
    expect(results).toEqual([]);
    expect(idp.server.requests).toHaveLength(0);
  });

  it('an oversized body → 413', async () => {
    const { handler, results, url } = await receiver((_req, res) => json(res, 200, execution('SUCCEEDED')));
    const big = JSON.stringify({ executionId: IDS.executionId, pad: 'x'.repeat(20_000) });
    const response = await fetch(url, { method: 'PATCH', headers: jsonHeaders, body: big });
    expect(response.status).toBe(413);
    await handler.settled();
    expect(results).toEqual([]);
  });

  it('an oversized body without a Content-Length (chunked) → 413', async () => {
    const { url } = await receiver((_req, res) => json(res, 200, execution('SUCCEEDED')));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 40; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(1024)));
        controller.close();
      },
    });
    const response = await patchStream(url, stream);
    expect(response.status).toBe(413);
  });

  it('a body that stops coming → 408 once bodyTimeoutMs has passed, nothing fetched', async () => {
    const { idp, handler, results, url } = await receiver(
      (_req, res) => json(res, 200, execution('SUCCEEDED')),
      { bodyTimeoutMs: 50 },
    );
    // Half a body, then nothing more for as long as the test runs: only the handler's timer ends it.
    let stalled: ReadableStreamDefaultController<Uint8Array> | undefined;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        stalled = controller;
        controller.enqueue(new TextEncoder().encode(`{"executionId":"${IDS.executionId}",`));
      },
    });
    try {
      const response = await patchStream(url, stream);
      expect(response.status).toBe(408);
      expect(await response.json()).toMatchObject({ status: 408, detail: 'the body took over 50 ms' });
    } finally {
      stalled?.close();
    }
    await handler.settled();
    expect(results).toEqual([]);
    expect(idp.runtimeRequests()).toHaveLength(0);
  });

  it.each([
    ['not JSON', 'executionId=1'],
    ['no executionId', '{}'],
    ['an executionId that is not a UUID', '{"executionId":"../../etc"}'],
    ['an array', '[1,2]'],
  ])('%s → 400', async (_name, text) => {
    const { handler, results, url } = await receiver((_req, res) => json(res, 200, execution('SUCCEEDED')));
    const response = await fetch(url, { method: 'PATCH', headers: jsonHeaders, body: text });
    expect(response.status).toBe(400);
    await handler.settled();
    expect(results).toEqual([]);
  });

  it('GET → 405 with Allow; a non-JSON content type → 415', async () => {
    const { url } = await receiver((_req, res) => json(res, 200, execution('SUCCEEDED')));
    const get = await fetch(url);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('PATCH, POST');
    const form = await fetch(url, { method: 'PATCH', headers: { 'Content-Type': 'text/plain' }, body });
    expect(form.status).toBe(415);
  });

  it('takes the action from the body when the URL does not carry it', async () => {
    const { handler, results, base } = await receiver((_req, res) => json(res, 200, execution('SUCCEEDED')));
    const response = await fetch(callbackUrl(base, SECRET), { method: 'PATCH', headers: jsonHeaders, body });
    expect(response.status).toBe(204);
    await handler.settled();
    expect(results).toHaveLength(1);
  });

  it('onResult failures go to onError, never to IDP', async () => {
    const { client } = await setup((_req, res) => json(res, 200, execution('SUCCEEDED')));
    const errors: unknown[] = [];
    const handler = createCallbackHandler({
      client,
      secret: SECRET,
      onResult: () => {
        throw new Error('database down');
      },
      onError: (e) => errors.push(e),
    });
    const url = callbackUrl('http://127.0.0.1/cb', SECRET, {
      actionId: IDS.actionId,
      actionVersion: '1.1.0',
    });
    const response = await handler(new Request(url, { method: 'PATCH', headers: jsonHeaders, body }));
    expect(response.status).toBe(204);
    await handler.settled();
    expect((errors[0] as Error).message).toBe('database down');
  });

  it('callbackUrl and createCallbackHandler refuse weak secrets and bad URLs', () => {
    expect(() => callbackUrl('https://hooks.example.test/cb', 'short')).toThrow(IdpValidationError);
    expect(() => callbackUrl('http://hooks.example.test/cb', SECRET)).toThrow(
      /http is allowed only to a loopback/,
    );
    expect(() =>
      createCallbackHandler({
        client: { getExecution: async () => execution('SUCCEEDED') as never },
        secret: 'short',
        onResult: () => {},
      }),
    ).toThrow(IdpValidationError);
    expect(callbackUrl('https://hooks.example.test/cb?x=1', SECRET)).toBe(
      `https://hooks.example.test/cb?x=1&idp_nonce=${SECRET}`,
    );
  });
});
