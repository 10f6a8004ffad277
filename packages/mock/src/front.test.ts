import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EXAMPLE_EXECUTION } from './example.js';
import { createMockFront, MAX_UPLOAD_BYTES } from './front.js';
import { MOCK_EXECUTIONS } from './scenarios.js';

const { organizationId, actionId, actionVersion } = EXAMPLE_EXECUTION;
const AUTH = { Authorization: 'Bearer any-token' };
const LIFECYCLE_MS = 20_000;

// The front over the real Prism of this run, on a clock the tests move by hand.
let clock = 0;
let baseUrl = '';
const server = createServer(
  createMockFront({ prismUrl: inject('prismUrl'), lifecycleMs: LIFECYCLE_MS, now: () => clock }),
);
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const executionsUrl = () =>
  `${baseUrl}/api/v1/organizations/${organizationId}/actions/${actionId}/versions/${actionVersion}/executions`;

async function get(executionId: string, query = '', headers: Record<string, string> = {}) {
  const response = await fetch(`${executionsUrl()}/${executionId}${query}`, {
    headers: { ...AUTH, ...headers },
  });
  return { response, body: (await response.json()) as Record<string, unknown> };
}

function hasConfidence(body: unknown): boolean {
  return JSON.stringify(body).includes('"confidenceScore"');
}

function upload(bytes: number, fileName = 'big.pdf') {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type: 'application/pdf' }), fileName);
  return fetch(executionsUrl(), { method: 'POST', headers: AUTH, body: form });
}

describe('mock front: a well-known id per status', () => {
  const statuses = [
    'ACKNOWLEDGED',
    'IN_PROGRESS',
    'RESULTS_PENDING',
    'MANUAL_VALIDATION_REQUIRED',
    'FAILED',
    'PARTIAL_SUCCESS',
    'SUCCEEDED',
  ] as const;

  it.each(statuses)('%s', async (status) => {
    const id = MOCK_EXECUTIONS[status];
    const { response, body } = await get(id);
    expect(response.status).toBe(200);
    expect(body.status).toBe(status);
    expect(body.id).toBe(id);
  });

  it.each(['SUCCEEDED', 'MANUAL_VALIDATION_REQUIRED', 'PARTIAL_SUCCESS'] as const)(
    '%s: valueOnly=false carries confidence and geometry, valueOnly=true does not',
    async (status) => {
      const values = await get(MOCK_EXECUTIONS[status], '?valueOnly=true');
      const full = await get(MOCK_EXECUTIONS[status], '?valueOnly=false');
      expect(values.body.status).toBe(status);
      expect(full.body.status).toBe(status);
      expect(hasConfidence(values.body)).toBe(false);
      expect(hasConfidence(full.body)).toBe(true);
      expect(JSON.stringify(full.body)).toContain('"geometry"');
    },
  );

  it('any other id is the SUCCEEDED example under that id, in the shape valueOnly asks for', async () => {
    const id = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
    const values = await get(id);
    expect(values.body).toMatchObject({ id, status: 'SUCCEEDED' });
    expect(hasConfidence(values.body)).toBe(false);
    expect(hasConfidence((await get(id, '?valueOnly=false')).body)).toBe(true);
  });

  it('a request with its own Prefer header is passed to Prism untouched', async () => {
    const { body } = await get(MOCK_EXECUTIONS.SUCCEEDED, '', { Prefer: 'example=FAILED' });
    expect(body.status).toBe('FAILED');
  });
});

describe('mock front: errors by id', () => {
  it.each([
    [MOCK_EXECUTIONS.unauthorized, 401],
    [MOCK_EXECUTIONS.notFound, 404],
    [MOCK_EXECUTIONS.rateLimited, 429],
    [MOCK_EXECUTIONS.serverError, 500],
  ])('%s answers %i as problem+json', async (id, code) => {
    const { response, body } = await get(id);
    expect(response.status).toBe(code);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(body.status).toBe(code);
  });

  it('429 says when to come back: Retry-After 1', async () => {
    const { response } = await get(MOCK_EXECUTIONS.rateLimited);
    expect(response.headers.get('retry-after')).toBe('1');
  });

  it('without a token, even a well-known id is the spec’s 401', async () => {
    const response = await fetch(`${executionsUrl()}/${MOCK_EXECUTIONS.FAILED}`);
    expect(response.status).toBe(401);
    await response.body?.cancel();
  });
});

describe('mock front: lifecycles on the clock', () => {
  async function statusAt(id: string, at: number) {
    clock = at;
    return (await get(id)).body.status;
  }

  it('lifecycle: ACKNOWLEDGED → IN_PROGRESS → RESULTS_PENDING → SUCCEEDED, from its first retrieval', async () => {
    const start = 1_000_000;
    const id = MOCK_EXECUTIONS.lifecycle;
    expect(await statusAt(id, start)).toBe('ACKNOWLEDGED');
    expect(await statusAt(id, start + 0.15 * LIFECYCLE_MS - 1)).toBe('ACKNOWLEDGED');
    expect(await statusAt(id, start + 0.15 * LIFECYCLE_MS)).toBe('IN_PROGRESS');
    expect(await statusAt(id, start + 0.5 * LIFECYCLE_MS)).toBe('RESULTS_PENDING');
    expect(await statusAt(id, start + LIFECYCLE_MS - 1)).toBe('RESULTS_PENDING');
    expect(await statusAt(id, start + LIFECYCLE_MS)).toBe('SUCCEEDED');
    expect(await statusAt(id, start + 100 * LIFECYCLE_MS)).toBe('SUCCEEDED');
  });

  it('review lifecycle passes through MANUAL_VALIDATION_REQUIRED, then SUCCEEDED', async () => {
    const start = 5_000_000;
    const id = MOCK_EXECUTIONS.reviewLifecycle;
    expect(await statusAt(id, start)).toBe('ACKNOWLEDGED');
    expect(await statusAt(id, start + 0.2 * LIFECYCLE_MS)).toBe('IN_PROGRESS');
    expect(await statusAt(id, start + 0.5 * LIFECYCLE_MS)).toBe('MANUAL_VALIDATION_REQUIRED');
    clock = start + 1.2 * LIFECYCLE_MS;
    expect(hasConfidence((await get(id, '?valueOnly=false')).body)).toBe(true);
    expect(await statusAt(id, start + 1.5 * LIFECYCLE_MS - 1)).toBe('MANUAL_VALIDATION_REQUIRED');
    expect(await statusAt(id, start + 1.5 * LIFECYCLE_MS)).toBe('SUCCEEDED');
  });

  it('one execution keeps one file name through its lifecycle, and a review that timed out keeps its values', async () => {
    // A front of its own: the shared one has already started this id's lifecycle.
    let own = 0;
    const fresh = createServer(
      createMockFront({ prismUrl: inject('prismUrl'), lifecycleMs: LIFECYCLE_MS, now: () => own }),
    );
    await new Promise<void>((resolve) => fresh.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(fresh.address() as AddressInfo).port}/api/v1/organizations/${organizationId}/actions/${actionId}/versions/${actionVersion}/executions/${MOCK_EXECUTIONS.reviewLifecycle}`;
    const at = async (time: number) => {
      own = time;
      return (await (await fetch(url, { headers: AUTH })).json()) as Record<string, unknown>;
    };
    try {
      const first = await at(0);
      const waiting = await at(0.6 * LIFECYCLE_MS);
      const done = await at(2 * LIFECYCLE_MS);
      expect([first.status, waiting.status, done.status]).toEqual([
        'ACKNOWLEDGED',
        'MANUAL_VALIDATION_REQUIRED',
        'SUCCEEDED',
      ]);
      expect([waiting.documentName, done.documentName]).toEqual([first.documentName, first.documentName]);
      expect(JSON.stringify(done.pages)).toBe(JSON.stringify(waiting.pages));
    } finally {
      fresh.closeAllConnections();
      await new Promise((resolve) => fresh.close(resolve));
    }
  });

  it('a submitted document gets an id of its own, named after its file, that goes through the lifecycle', async () => {
    clock = 9_000_000;
    const response = await upload(1_000, 'invoice-77.pdf');
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: string; documentName: string };
    expect(created.documentName).toBe('invoice-77.pdf');
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    const other = (await (await upload(1_000)).json()) as { id: string };
    expect(created.id).not.toBe(other.id);
    expect(await statusAt(created.id, clock)).toBe('ACKNOWLEDGED');
    expect(await statusAt(created.id, clock + LIFECYCLE_MS)).toBe('SUCCEEDED');
  });
});

describe('mock front: uploads up to the spec’s 15 MB', () => {
  it('accepts 12 MiB, above Prism’s own 10 MB limit', async () => {
    const response = await upload(12 * 1024 * 1024, 'scan-12mb.tiff');
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ documentName: 'scan-12mb.tiff', status: 'ACKNOWLEDGED' });
  });

  it('accepts exactly the limit', async () => {
    expect((await upload(MAX_UPLOAD_BYTES)).status).toBe(201);
  });

  it('refuses more than 15 MB with a 413 that says what to do', async () => {
    const response = await upload(MAX_UPLOAD_BYTES + 1024);
    expect(response.status).toBe(413);
    const body = (await response.json()) as { detail: string };
    expect(body.detail).toMatch(/larger than the service's limit of 15 MB\. Split or compress it/);
  });

  it('a large body without a file part is the spec’s 400, as from Prism', async () => {
    const form = new FormData();
    form.append('callback', 'x'.repeat(10 * 1024 * 1024));
    const response = await fetch(executionsUrl(), { method: 'POST', headers: AUTH, body: form });
    expect(response.status).toBe(400);
    await response.body?.cancel();
  });
});

describe('mock front: review tasks', () => {
  const reviewUrl = (id: string) =>
    `${baseUrl}/api/v1/organizations/${organizationId}/actions/${actionId}/reviews/${id}`;
  const call = async (method: string, url: string, body?: unknown) => {
    const response = await fetch(url, {
      method,
      headers: { ...AUTH, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
    };
  };

  it('a document named for review waits in MANUAL_VALIDATION_REQUIRED until approved, then shows the corrections', async () => {
    clock = 50_000_000;
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(10)], { type: 'application/pdf' }), 'po-needs-review.pdf');
    const created = (await (
      await fetch(executionsUrl(), { method: 'POST', headers: AUTH, body: form })
    ).json()) as {
      id: string;
    };
    expect((await get(created.id)).body.status).toBe('ACKNOWLEDGED');
    expect((await call('GET', reviewUrl(created.id))).status).toBe(404); // no review task yet
    clock += 0.6 * LIFECYCLE_MS;
    expect((await get(created.id)).body.status).toBe('MANUAL_VALIDATION_REQUIRED');
    const listed = await fetch(`${baseUrl}/api/v1/organizations/${organizationId}/reviews?page=0&size=20`, {
      headers: AUTH,
    });
    expect(((await listed.json()) as { docOperationId: string; docFileName: string }[])[0]).toMatchObject({
      docOperationId: created.id,
      docFileName: 'po-needs-review.pdf',
    });

    const review = await call('GET', reviewUrl(created.id));
    expect(review.status).toBe(200);
    const items = review.body?.analyzersResults as { name: string; result: unknown }[];
    const corrected = {
      ...review.body,
      analyzersResults: items.map((i) =>
        i.name === 'total' ? { ...i, result: '1,920.00', isValidated: true } : i,
      ),
    };
    expect(await call('PATCH', reviewUrl(created.id), corrected)).toEqual({ status: 200, body: corrected });
    expect((await call('GET', reviewUrl(created.id))).body).toEqual(corrected);
    clock += 100 * LIFECYCLE_MS; // nobody approved: still waiting
    expect((await get(created.id)).body.status).toBe('MANUAL_VALIDATION_REQUIRED');

    expect((await call('DELETE', reviewUrl(created.id))).status).toBe(204);
    const done = await get(created.id);
    expect(done.body).toMatchObject({
      id: created.id,
      status: 'SUCCEEDED',
      documentName: 'po-needs-review.pdf',
    });
    expect(JSON.stringify(done.body)).toContain('"total":{"value":"1,920.00"}');
    expect((await call('GET', reviewUrl(created.id))).status).toBe(404);
  });

  it('a bad correction is refused by the spec (400) and changes nothing', async () => {
    clock = 60_000_000;
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(10)], { type: 'application/pdf' }), 'review-me.pdf');
    const { id } = (await (
      await fetch(executionsUrl(), { method: 'POST', headers: AUTH, body: form })
    ).json()) as {
      id: string;
    };
    clock += 0.7 * LIFECYCLE_MS;
    const before = await call('GET', reviewUrl(id));
    expect((await call('PATCH', reviewUrl(id), { analyzersResults: 'nope' })).status).toBe(400);
    expect(await call('GET', reviewUrl(id))).toEqual(before);
  });

  it('well-known ids: MANUAL_VALIDATION_REQUIRED has the example review, other statuses none, errors their code', async () => {
    expect((await call('GET', reviewUrl(MOCK_EXECUTIONS.MANUAL_VALIDATION_REQUIRED))).status).toBe(200);
    const none = await call('GET', reviewUrl(MOCK_EXECUTIONS.SUCCEEDED));
    expect(none.status).toBe(404);
    expect(none.body?.detail).toMatch(/it is SUCCEEDED, not MANUAL_VALIDATION_REQUIRED/);
    expect((await call('DELETE', reviewUrl(MOCK_EXECUTIONS.serverError))).status).toBe(500);
  });

  it('the base64 JSON submit gets an id of its own and the name of its file', async () => {
    const response = await fetch(executionsUrl(), {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ file: Buffer.from('%PDF-1.7').toString('base64'), fileName: 'scan-7.pdf' }),
    });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: string; documentName: string };
    expect(created.documentName).toBe('scan-7.pdf');
    expect(created.id).not.toBe('022c61de-9bfc-4a94-8a9c-43c5f8ac153e');
  });
});
