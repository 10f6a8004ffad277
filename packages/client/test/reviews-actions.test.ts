import { inspect } from 'node:util';
import { execution, IDS, json, PNG_BYTES, pdfBytes, REF } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import {
  type ActionVersion,
  confidenceScaleOf,
  correctReview,
  createIdpClient,
  extractFields,
  IdpApiError,
  IdpNotFoundError,
  IdpValidationError,
  normalizeConfidence,
  type Review,
  runtimeBaseUrl,
} from '../src/index.js';
import { rejection, setup } from './helpers.js';

const REVIEW: Review = {
  analyzersResults: [
    { id: '4a1f6c2e-8b3d-4e9a-a7c5-1d2e3f4a5b6c', name: 'total', result: null, confidenceScore: 12.5 },
    { id: '5b2a7d3f-9c4e-4fab-b8d6-2e3f4a5b6c7d', name: 'buyer', result: 'Northwind', confidenceScore: 58.3 },
  ],
  queriesResults: {},
  results: {},
  signaturesResults: {},
};
const REVIEW_PATH = `/api/v1/organizations/${IDS.organizationId}/actions/${IDS.actionId}/reviews/${IDS.executionId}`;
const CP = `/idp/api/v1/organizations/${IDS.organizationId}`;

function task(n: number) {
  return {
    docActionId: IDS.actionId,
    docOperationId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    docFileName: `doc-${n}.pdf`,
  };
}

describe('reviews', () => {
  it('reviews() walks every page and stops at the short one; listReviews sends page and size', async () => {
    const all = Array.from({ length: 45 }, (_, i) => task(i));
    const { idp, client } = await setup((req, res) => {
      const url = new URL(req.url, 'http://x');
      const page = Number(url.searchParams.get('page'));
      const size = Number(url.searchParams.get('size'));
      json(res, 200, all.slice(page * size, page * size + size));
    });
    const seen = [];
    for await (const t of client.reviews()) seen.push(t.docOperationId);
    expect(seen).toEqual(all.map((t) => t.docOperationId));
    expect(idp.runtimeRequests().map((r) => r.url)).toEqual(
      [0, 1, 2].map((p) => `/api/v1/organizations/${IDS.organizationId}/reviews?page=${p}&size=20`),
    );
    expect(await client.listReviews({ page: 2, size: 20 })).toHaveLength(5);
  });

  it('breaking out of reviews() fetches no further page', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 200, [task(1), task(2)]));
    for await (const _ of client.reviews({ size: 2 })) break;
    expect(idp.runtimeRequests()).toHaveLength(1);
  });

  it('bad paging and bad ids are refused before anything is sent', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 200, []));
    for (const bad of [
      () => client.listReviews({ page: -1 }),
      () => client.listReviews({ size: 0 }),
      () => client.listReviews({ size: 101 }),
      () => client.getReview({ actionId: 'nope', executionId: IDS.executionId }),
      () => client.getReview({ actionId: IDS.actionId, executionId: '../../x' }),
      () => client.updateReview(REF, { analyzersResults: [] } as unknown as Review),
    ]) {
      expect(await rejection(bad())).toBeInstanceOf(IdpValidationError);
    }
    expect(idp.server.requests).toHaveLength(0);
  });

  it('get, correct, update and approve go to the review path with the token', async () => {
    const { idp, client } = await setup((req, res) => {
      if (req.method === 'GET') return json(res, 200, REVIEW);
      if (req.method === 'PATCH') return json(res, 200, JSON.parse(req.body));
      res.writeHead(204).end();
    });
    const review = await client.getReview(REF);
    const corrected = correctReview(review, { total: '1,920.00' });
    expect(review.analyzersResults[0]?.result).toBeNull(); // the original is left alone
    const updated = await client.updateReview(
      { actionId: IDS.actionId, executionId: IDS.executionId },
      corrected,
    );
    expect(updated.analyzersResults[0]).toMatchObject({
      name: 'total',
      result: '1,920.00',
      isValidated: true,
    });
    expect(updated.analyzersResults[1]).toEqual(REVIEW.analyzersResults[1]);
    await client.approveReview(REF);
    const sent = idp.runtimeRequests();
    expect(sent.map((r) => `${r.method} ${r.url}`)).toEqual([
      `GET ${REVIEW_PATH}`,
      `PATCH ${REVIEW_PATH}`,
      `DELETE ${REVIEW_PATH}`,
    ]);
    expect(sent[1]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(sent[1]?.body ?? '')).toEqual(corrected);
    expect(sent.every((r) => r.headers.authorization === 'Bearer tok-0')).toBe(true);
  });

  it('correctReview names the items a review has when asked for one it lacks', () => {
    expect(() => correctReview(REVIEW, { totl: 1 })).toThrow(/no item named "totl"; it has "total", "buyer"/);
  });

  it('a review that is done is a not-found error that says why', async () => {
    const { client } = await setup((_req, res) =>
      json(
        res,
        404,
        { status: 404, title: 'Not Found', detail: 'No review task.' },
        { 'content-type': 'application/problem+json' },
      ),
    );
    const error = await rejection(client.approveReview(REF));
    expect(error).toBeInstanceOf(IdpNotFoundError);
    expect((error as Error).message).toMatch(
      /approveReview.*404.*not \(or no longer\) in MANUAL_VALIDATION_REQUIRED/s,
    );
    expect((error as Error).message).toContain('No review task. There is no review task'); // one full stop
  });

  it('a 200 that is not a review payload is an error, not a silent success', async () => {
    const { client } = await setup((_req, res) => json(res, 200, { hello: 'proxy' }));
    const error = await rejection(client.getReview(REF));
    expect(error).toBeInstanceOf(IdpApiError);
    expect((error as Error).message).toMatch(/not a review payload/);
  });
});

describe('Basic credentials (opt-in)', () => {
  it('go to review and control-plane operations only, never into messages or inspect output', async () => {
    const { idp, client } = await setup(
      (req, res) => {
        if (req.url.startsWith('/api/v1/organizations') && req.url.includes('/executions/')) {
          return json(res, 200, { id: IDS.executionId, documentName: 'a.pdf', status: 'SUCCEEDED' });
        }
        if (req.url.includes('/reviewers')) return json(res, 401, { status: 401, title: 'Unauthorized' });
        return json(res, 200, []);
      },
      { basicAuth: { username: 'reviewer', password: 'pa55-w0rd' } },
    );
    await client.listReviews();
    const basic = `Basic ${Buffer.from('reviewer:pa55-w0rd').toString('base64')}`;
    expect(idp.runtimeRequests()[0]?.headers.authorization).toBe(basic);
    expect(idp.tokenRequests()).toHaveLength(0);
    await client.getExecution(REF);
    expect(idp.runtimeRequests()[1]?.headers.authorization).toBe('Bearer tok-0');
    const error = await rejection(client.listReviewers(IDS.actionId));
    const shown = `${inspect(client, { depth: 10, showHidden: true })} ${String(error)} ${inspect(error, { depth: 10 })} ${JSON.stringify(client)}`;
    expect(shown).not.toContain('pa55-w0rd');
    expect(shown).not.toContain(basic.slice(6));
  });

  it('a 401 to Basic credentials is not sent again, and the cached token is kept', async () => {
    const { idp, client } = await setup(
      (req, res) => {
        if (req.url.includes('/reviewers')) return json(res, 401, { status: 401, title: 'Unauthorized' });
        return json(res, 200, execution('SUCCEEDED'));
      },
      { basicAuth: { username: 'reviewer', password: 'wrong-pass' } },
    );
    await client.getExecution(REF);
    expect(await rejection(client.listReviewers(IDS.actionId))).toBeInstanceOf(IdpApiError);
    // No fresh credentials to try: Basic is not replayed like a bearer token after a 401.
    expect(idp.runtimeRequests().filter((r) => r.url.includes('/reviewers'))).toHaveLength(1);
    await client.getExecution(REF);
    expect(idp.tokenRequests()).toHaveLength(1);
  });

  it('bad Basic credentials are refused when the client is created', async () => {
    for (const basicAuth of [
      { username: 'a:b', password: 'x' },
      { username: 'a', password: '' },
      'user:pass',
    ]) {
      await expect(setup(() => {}, { basicAuth: basicAuth as never })).rejects.toThrow(IdpValidationError);
    }
  });
});

describe('action discovery (control plane)', () => {
  it('with a loopback baseUrl the control plane is the same server; actions() uses total', async () => {
    const actions = Array.from({ length: 3 }, (_, i) => ({
      id: `90c3e286-72b5-42ca-92d0-22f86ea8d76${i}`,
      name: `A${i}`,
    }));
    const { idp, client } = await setup((req, res) => {
      const url = new URL(req.url, 'http://x');
      const page = Number(url.searchParams.get('page'));
      json(res, 200, { actions: actions.slice(page * 2, page * 2 + 2), total: 3 });
    });
    expect(client.controlPlaneUrl).toBe(idp.baseUrl);
    const names = [];
    for await (const a of client.actions({ size: 2, sort: 'name,asc' })) names.push(a.name);
    expect(names).toEqual(['A0', 'A1', 'A2']);
    expect(idp.runtimeRequests().map((r) => r.url)).toEqual([
      `${CP}/actions?page=0&size=2&sort=name%2Casc`,
      `${CP}/actions?page=1&size=2&sort=name%2Casc`,
    ]);
  });

  it('get action, versions and reviewers; a bad sort or version is refused before sending', async () => {
    const version: ActionVersion = {
      actionId: IDS.actionId,
      version: '1.1.0',
      operations: [
        { type: 'EXCHANGE_PUBLICATION', info: {} },
        {
          type: 'RUNTIME_PUBLICATION',
          info: { baseUrl: 'https://old.example' },
          updatedAt: '2026-01-01T00:00:00Z',
        },
        {
          type: 'RUNTIME_PUBLICATION',
          info: { baseUrl: 'https://idp-rt.us-east-1.anypoint.mulesoft.com' },
          updatedAt: '2026-10-01T00:00:00Z',
        },
      ],
    };
    const { idp, client } = await setup((req, res) => {
      if (req.url.endsWith('/reviewers')) return json(res, 200, [{ id: 'u1', type: 'USER' }]);
      if (req.url.endsWith('/versions/1.1.0')) return json(res, 200, version);
      if (req.url.includes('/versions')) return json(res, 200, [version]);
      json(res, 200, { id: IDS.actionId, name: 'Invoices' });
    });
    expect((await client.getAction(IDS.actionId)).name).toBe('Invoices');
    expect(await client.listActionVersions(IDS.actionId)).toHaveLength(1);
    const got = await client.getActionVersion(IDS.actionId, '1.1.0');
    expect(runtimeBaseUrl(got)).toBe('https://idp-rt.us-east-1.anypoint.mulesoft.com');
    expect(runtimeBaseUrl({ actionId: IDS.actionId, version: '1.0.0' })).toBeUndefined();
    expect(await client.listReviewers(IDS.actionId)).toEqual([{ id: 'u1', type: 'USER' }]);
    const before = idp.server.requests.length;
    for (const bad of [
      () => client.listActions({ sort: 'size,asc' as never }),
      () => client.getActionVersion(IDS.actionId, 'latest'),
      () => client.getAction('x/../y'),
    ]) {
      expect(await rejection(bad())).toBeInstanceOf(IdpValidationError);
    }
    expect(idp.server.requests.length).toBe(before);
  });

  it('the region picks the control plane, and its host is trusted with the token', async () => {
    const { client } = await setup(() => {}, {
      baseUrl: undefined as never,
      region: 'eu-central-1',
      fetch: async () => new Response('[]'),
    });
    expect(client.controlPlaneUrl).toBe('https://eu1.anypoint.mulesoft.com');
    // The trusted origins and the token URL, as the client itself uses them (doctor reads them here).
    expect([...client.trustedOrigins].sort()).toEqual([
      'https://eu1.anypoint.mulesoft.com',
      'https://idp-rt.eu-central-1.eu1.anypoint.mulesoft.com',
    ]);
    const regional = createIdpClient({
      organizationId: IDS.organizationId,
      region: 'eu-central-1',
      auth: { clientId: 'client-1', clientSecret: 'secret-1' },
    });
    expect(regional.tokenUrl).toBe('https://eu1.anypoint.mulesoft.com/accounts/api/v2/oauth2/token');
  });

  it('a configured token URL is the one exposed; a token provider of your own has none', async () => {
    const { client, idp } = await setup(() => {});
    expect(client.tokenUrl).toBe(idp.tokenUrl);
    expect(client.trustedOrigins).toContain(new URL(idp.baseUrl).origin);
    const own = createIdpClient({
      organizationId: IDS.organizationId,
      baseUrl: idp.baseUrl,
      auth: { getToken: async () => 'token', invalidate: () => {} },
    });
    expect(own.tokenUrl).toBeUndefined();
  });
});

describe('submit: base64 and the file part type', () => {
  it('base64 sends one JSON body that decodes to the file', async () => {
    const { idp, client } = await setup((_req, res) =>
      json(res, 201, { id: IDS.executionId, documentName: 'a.png' }),
    );
    const file = PNG_BYTES;
    await client.submitExecution({
      ...REF,
      file,
      fileName: 'a.png',
      encoding: 'base64',
      callbackUrl: 'https://cb.example/x?n=1',
    });
    const [sent] = idp.runtimeRequests();
    expect(sent?.headers['content-type']).toBe('application/json');
    const body = JSON.parse(sent?.body ?? '');
    expect(Buffer.from(body.file, 'base64')).toEqual(Buffer.from(file));
    expect(body.fileName).toBe('a.png');
    expect(JSON.parse(body.callback)).toEqual({ noAuthUrl: 'https://cb.example/x?n=1' });
  });

  it('the file part carries the extension type by default, or the one asked for', async () => {
    const { idp, client } = await setup((_req, res) =>
      json(res, 201, { id: IDS.executionId, documentName: 'a.pdf' }),
    );
    const file = pdfBytes(1);
    await client.submitExecution({ ...REF, file, fileName: 'a.pdf' });
    await client.submitExecution({
      ...REF,
      file,
      fileName: 'a.pdf',
      fileContentType: 'application/octet-stream',
    });
    const [first, second] = idp.runtimeRequests();
    expect(first?.body).toMatch(/filename="a\.pdf"\r\nContent-Type: application\/pdf/);
    expect(second?.body).toMatch(/filename="a\.pdf"\r\nContent-Type: application\/octet-stream/);
    const refused = await rejection(
      client.submitExecution({ ...REF, file, fileName: 'a.pdf', fileContentType: 'pdf please' }),
    );
    expect(refused).toBeInstanceOf(IdpValidationError);
    expect(idp.runtimeRequests()).toHaveLength(2);
  });
});

describe('widened result shapes', () => {
  it('any JSON value, partial geometry, a prompt without an answer: read, never thrown on', () => {
    const fields = extractFields({
      status: 'SUCCEEDED',
      fields: {
        count: { value: 3, confidenceScore: 0.9, geometry: { top: 0.1 } },
        flags: { value: ['a', 'b'], confidenceScore: 0.4 },
        ok: { value: true },
      },
      prompts: { unanswered: { prompt: 'Why?', source: 'vision' } },
    });
    expect(fields).toEqual([
      {
        kind: 'field',
        name: 'count',
        value: '3',
        confidenceScore: 0.9,
        confidence: 90,
        geometry: { top: 0.1 },
      },
      { kind: 'field', name: 'flags', value: '["a","b"]', confidenceScore: 0.4, confidence: 40 },
      { kind: 'field', name: 'ok', value: 'true' },
    ]);
  });
});

describe('confidence normalization', () => {
  it('reads a result on 0–1 as fractions and anything above 1 as percent', () => {
    expect(confidenceScaleOf([0.93, 0.41, 1])).toBe('fraction');
    expect(confidenceScaleOf([98.7, 0.5])).toBe('percent');
    expect(confidenceScaleOf([])).toBe('percent');
    // only 0 and 1: doubtful, read as percent so that the value looks shaky and a person checks it
    expect(confidenceScaleOf([1, 0, 1])).toBe('percent');
    expect(normalizeConfidence(0.712, 'fraction')).toBe(71.2);
    expect(normalizeConfidence(71.2, 'percent')).toBe(71.2);
    expect(normalizeConfidence(130, 'percent')).toBe(100);
    expect(normalizeConfidence(-3, 'fraction')).toBe(0);
  });
});

describe('approveReview when an answer is lost', () => {
  it('a 404 after a retried DELETE means an earlier attempt approved it: resolves', async () => {
    const { idp, client } = await setup((req, res, index) => {
      if (index === 0) return req.method === 'DELETE' ? void res.destroy() : undefined; // answer lost
      json(res, 404, { status: 404, title: 'Not Found', detail: 'No review task' });
    });
    await expect(client.approveReview(REF)).resolves.toBeUndefined();
    expect(idp.runtimeRequests().map((r) => r.method)).toEqual(['DELETE', 'DELETE']);
  });
});
