import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createIdpClient, type Execution, type IdpClient } from '@idp-kit/client';
import { callbackUrl, createCallbackHandler, toNodeHandler } from '@idp-kit/client/callback';
import { IDS, pdfBytes, until } from '@idp-kit/testkit';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { type MockCallbackEvent, type MockCallbackOptions, seededDraw } from './callbacks.js';
import { EXAMPLE_EXECUTION } from './example.js';
import { createMockFront } from './front.js';
import { startMockOver } from './start-mock.js';

const NONCE = 'mock-callback-nonce-0123456789';
const { actionId, actionVersion } = EXAMPLE_EXECUTION;
/** Short lifecycles: a submitted document settles this long after its submit. */
const LIFECYCLE_MS = 100;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * The mock's front over this run's Prism, with `callbacks`, and the client's callback receiver on
 * 127.0.0.1 behind it: what the receiver fetched, and what the mock says it did with each callback.
 */
async function setUp(callbacks: Omit<MockCallbackOptions, 'onCallback'> = {}) {
  const events: MockCallbackEvent[] = [];
  const logged: string[] = [];
  const front = createMockFront({
    prismUrl: inject('prismUrl'),
    lifecycleMs: LIFECYCLE_MS,
    callbacks: { log: (line) => logged.push(line), ...callbacks, onCallback: (e) => events.push(e) },
  });
  onTestFinished(() => front.close());
  const mockUrl = await listen(createServer(front));
  const idp: IdpClient = createIdpClient({
    organizationId: IDS.organizationId,
    baseUrl: mockUrl,
    auth: {
      clientId: 'callback-test',
      clientSecret: 'callback-test-secret',
      tokenUrl: `${mockUrl}/accounts/api/v2/oauth2/token`,
    },
  });
  const received: { execution: Execution<true>; at: number }[] = [];
  const receiver = createCallbackHandler({
    client: idp,
    secret: NONCE,
    onResult: (execution) => {
      received.push({ execution, at: performance.now() });
    },
  });
  const receiverUrl = await listen(createServer(toNodeHandler(receiver)));
  const hook = callbackUrl(`${receiverUrl}/idp`, NONCE, { actionId, actionVersion });
  const submit = (
    options: { callback?: string; fileName?: string; encoding?: 'multipart' | 'base64' } = {},
  ) =>
    idp.submitExecution({
      actionId,
      actionVersion,
      file: pdfBytes(),
      fileName: options.fileName ?? 'invoice.pdf',
      callbackUrl: options.callback ?? hook,
      ...(options.encoding ? { encoding: options.encoding } : {}),
    });
  return { events, logged, received, receiver, submit, idp, mockUrl };
}

describe('the mock calls back', () => {
  it('a submit with a callback gets a PATCH when it settles; the receiver fetches it SUCCEEDED', async () => {
    const { events, received, receiver, submit } = await setUp();
    const { executionId: id } = await submit();
    const { executionId: base64Id } = await submit({ encoding: 'base64' });
    await until(() => events.length === 2, 'both callbacks');
    await receiver.settled();
    expect(events.map((e) => [e.executionId, e.status, e.outcome, e.answer])).toEqual(
      expect.arrayContaining([
        [id, 'SUCCEEDED', 'sent', 204],
        [base64Id, 'SUCCEEDED', 'sent', 204],
      ]),
    );
    expect(received.map((r) => [r.execution.id, r.execution.status]).sort()).toEqual(
      [
        [id, 'SUCCEEDED'],
        [base64Id, 'SUCCEEDED'],
      ].sort(),
    );
  });

  it('the PATCH body is {executionId, actionId, version}', async () => {
    const bodies: unknown[] = [];
    const methods: string[] = [];
    const sink = createServer((req, res) => {
      methods.push(req.method ?? '');
      let text = '';
      req.on('data', (c: Buffer) => {
        text += c.toString();
      });
      req.on('end', () => {
        bodies.push(JSON.parse(text));
        res.writeHead(204).end();
      });
    });
    const sinkUrl = await listen(sink);
    const { events, submit } = await setUp();
    const { executionId: id } = await submit({ callback: `${sinkUrl}/hook?n=1` });
    await until(() => events.length === 1, 'the callback');
    expect(methods).toEqual(['PATCH']);
    expect(bodies).toEqual([{ executionId: id, actionId, version: actionVersion }]);
  });

  it('a document whose bytes hold name="callback" is not taken for the callback part', async () => {
    let patches = 0;
    const sinkUrl = await listen(
      createServer((req, res) => {
        patches++;
        req.resume();
        res.writeHead(204).end();
      }),
    );
    const { events, logged, mockUrl } = await setUp();
    const form = new FormData();
    const decoy = `%PDF-1.4\r\nContent-Disposition: form-data; name="callback"\r\n\r\n{"noAuthUrl":"http://127.0.0.1:9/decoy"}\r\n`;
    form.append('file', new Blob([decoy], { type: 'application/pdf' }), 'decoy.pdf');
    form.append('callback', JSON.stringify({ noAuthUrl: `${sinkUrl}/hook` }));
    const answer = await fetch(
      `${mockUrl}/api/v1/organizations/${IDS.organizationId}/actions/${actionId}/versions/${actionVersion}/executions`,
      { method: 'POST', headers: { authorization: 'Bearer any-token' }, body: form },
    );
    expect(answer.status).toBe(201);
    await until(() => events.length === 1, 'the callback');
    expect(events[0]).toMatchObject({ outcome: 'sent', answer: 204 });
    expect(patches).toBe(1);
    expect(logged).toEqual([]);
  });

  it('a delay: the callback comes no sooner than the lifecycle plus the delay', async () => {
    const DELAY_MS = 1_000;
    const { events, received, receiver, submit } = await setUp({ delayMs: DELAY_MS });
    const submitted = performance.now();
    await submit();
    await until(() => events.length === 1, 'the delayed callback');
    await receiver.settled();
    // A lower bound only: a busy machine can make it later, never sooner.
    expect((received[0]?.at ?? 0) - submitted).toBeGreaterThanOrEqual(LIFECYCLE_MS + DELAY_MS);
  });

  it('the callbacks named in `lost` are never sent; the others are', async () => {
    const { events, received, receiver, submit } = await setUp({ lost: [1] });
    for (let i = 0; i < 3; i++) await submit();
    await until(() => events.length === 3, 'three callbacks due');
    await receiver.settled();
    const lost = events.filter((e) => e.outcome === 'lost');
    expect(lost.map((e) => e.n)).toEqual([1]);
    const sent = events.filter((e) => e.outcome === 'sent').map((e) => e.executionId);
    expect(sent).toHaveLength(2);
    expect(received.map((r) => r.execution.id).sort()).toEqual(sent.sort());
  });

  it('a share lost is drawn from the seed: the same callbacks every run, near the share asked for', () => {
    const pick = (seed: number) => {
      const draw = seededDraw(seed);
      return Array.from({ length: 1_000 }, () => draw() < 0.1);
    };
    expect(pick(7)).toEqual(pick(7));
    expect(pick(7)).not.toEqual(pick(8));
    const share = pick(7).filter(Boolean).length / 1_000;
    expect(share).toBeGreaterThan(0.07);
    expect(share).toBeLessThan(0.13);
  });

  it('with lossRate 1 every callback is lost', async () => {
    const all = await setUp({ lossRate: 1 });
    await all.submit();
    await all.submit();
    await until(() => all.events.length === 2, 'two callbacks due');
    expect(all.events.map((e) => e.outcome)).toEqual(['lost', 'lost']);
    expect(all.received).toEqual([]);
  });

  it('a callback URL that is not loopback is refused with a log line, its nonce not shown', async () => {
    const { events, logged, submit } = await setUp();
    await submit({ callback: 'https://hooks.example.com/idp?idp_nonce=never-in-a-log-line-0123' });
    await until(() => events.length === 1, 'the refused callback');
    expect(events[0]?.outcome).toBe('refused');
    expect(logged).toEqual([
      'idp-mock: callback to https://hooks.example.com/idp refused: the mock calls back loopback hosts only',
    ]);
  });

  it('a document held for review calls back at MANUAL_VALIDATION_REQUIRED, and again when approved', async () => {
    const { events, received, receiver, submit, idp } = await setUp();
    const { executionId: id } = await submit({ fileName: 'review-me.pdf' });
    await until(() => events.length === 1, 'the review callback');
    await receiver.settled();
    expect(received.map((r) => r.execution.status)).toEqual(['MANUAL_VALIDATION_REQUIRED']);
    await idp.approveReview({ actionId, executionId: id });
    await until(() => events.length === 2, 'the approval callback');
    await receiver.settled();
    expect(events.map((e) => e.status)).toEqual(['MANUAL_VALIDATION_REQUIRED', 'SUCCEEDED']);
    expect(received.map((r) => r.execution.status)).toEqual(['MANUAL_VALIDATION_REQUIRED', 'SUCCEEDED']);
  });

  it('a bad callback part is told in a log line, and nothing is called', async () => {
    const { logged, mockUrl } = await setUp();
    const form = new FormData();
    form.append('file', new Blob([pdfBytes()], { type: 'application/pdf' }), 'a.pdf');
    form.append('callback', 'not json');
    const answer = await fetch(
      `${mockUrl}/api/v1/organizations/${IDS.organizationId}/actions/${actionId}/versions/${actionVersion}/executions`,
      { method: 'POST', headers: { authorization: 'Bearer any-token' }, body: form },
    );
    expect(answer.status).toBe(201);
    expect(logged).toEqual([expect.stringMatching(/callback part is not JSON text \{"noAuthUrl"/)]);
  });

  it('options out of range are refused with what to give', () => {
    expect(() => createMockFront({ prismUrl: 'http://127.0.0.1:1', callbacks: { lossRate: 10 } })).toThrow(
      /lossRate must be a share from 0 to 1/,
    );
    expect(() => createMockFront({ prismUrl: 'http://127.0.0.1:1', callbacks: { delayMs: -1 } })).toThrow(
      /delayMs must be 0 or more/,
    );
  });

  it('startMock() refuses them before it takes a port or starts Prism', async () => {
    let launched = false;
    const launch = async () => {
      launched = true;
      throw new Error('Prism must not be started');
    };
    await expect(startMockOver({ callbacks: { lossRate: -0.5 } }, launch)).rejects.toThrow(
      /lossRate must be/,
    );
    expect(launched).toBe(false);
  });
});
