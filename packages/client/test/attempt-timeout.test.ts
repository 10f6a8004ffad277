import type { ServerResponse } from 'node:http';
import { closeAfterTest, execution, fakeIdp, IDS, REF } from '@idp-kit/testkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createIdpClient, IdpRequestTimeoutError } from '../src/index.js';
import { rejection } from './helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Resolves when the connection of `res`, an answer never finished, is closed by the client. */
function closed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (res.closed) resolve();
    else res.once('close', () => resolve());
  });
}

/**
 * A client on Node's own fetch (spied on, so that what each request was given can be read), with a
 * fake IDP whose runtime `stall`s: the attempt's timeout is then the only way the call can end.
 */
async function stalledClient(stall: (res: ServerResponse) => void) {
  const connections: Promise<void>[] = [];
  const idp = closeAfterTest(
    await fakeIdp((_req, res) => {
      connections.push(closed(res));
      stall(res);
    }),
  );
  // Node's fetch makes its dispatcher on first use: a request before the test's own makes sure of it.
  await (await fetch(idp.tokenUrl, { method: 'POST' })).text();
  const sent = vi.spyOn(globalThis, 'fetch');
  const client = createIdpClient({
    organizationId: IDS.organizationId,
    baseUrl: idp.baseUrl,
    // A token from memory: the only request (and the only timeout) is the stalled one.
    auth: { getToken: async () => 'token-1', invalidate: () => {} },
    retry: false,
    // Long enough that the request reaches the server before the timer can fire, even when a loaded
    // machine pauses this process for a second: the tests count the server's connections.
    timeoutMs: 1_500,
  });
  return { client, sent, connections };
}

describe('the attempt timeout without a signal (Node fetch, no caller signal)', () => {
  it('ends an attempt whose server never answers, and closes its connection', async () => {
    const { client, sent, connections } = await stalledClient(() => {});
    const error = await rejection(client.getExecution(REF));
    expect(error).toBeInstanceOf(IdpRequestTimeoutError);
    expect((error as Error).message).toContain('no answer within 1500 ms (1 attempt)');
    await Promise.all(connections); // the server saw its connection end: nothing left half-open
    expect(connections).toHaveLength(1);
    // The runtime request was ended through fetch's dispatcher: it was handed no AbortSignal.
    const init = sent.mock.calls.find(([url]) => String(url).includes('/executions/'))?.[1];
    expect(init).toHaveProperty('dispatcher');
    expect(init?.signal).toBeUndefined();
  });

  it('ends an attempt whose body stalls after the headers', async () => {
    const { client, connections } = await stalledClient((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(JSON.stringify(execution('SUCCEEDED')).slice(0, 20));
    });
    const error = await rejection(client.getExecution(REF));
    expect(error).toBeInstanceOf(IdpRequestTimeoutError);
    expect((error as Error).message).toContain('no answer within 1500 ms (1 attempt)');
    await Promise.all(connections);
  });

  it('a caller’s signal still ends the call at once, whatever the timeout', async () => {
    const { client, connections } = await stalledClient(() => {});
    const controller = new AbortController();
    const call = rejection(
      client.getExecution(REF, { signal: controller.signal, attemptTimeoutMs: 3_600_000 }),
    );
    await vi.waitUntil(() => connections.length === 1, { timeout: 10_000 });
    controller.abort(new Error('stop'));
    expect((await call) as Error).toMatchObject({ name: 'IdpAbortError' });
    await Promise.all(connections);
  });
});
