import { closeAfterTest, execution, fakeIdp, IDS, json, REF } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import {
  checkAnswer,
  checkBody,
  type DriftReport,
  driftCheckingFetch,
  driftHooks,
  schemaFor,
} from '../src/drift.js';
import { createIdpClient, type IdpHooks } from '../src/index.js';

const SECRETISH = 'ACME-4711-private';

describe('spec drift, by path, never the value', () => {
  it('a body that matches the spec has no drift', () => {
    expect(
      checkBody('Execution', {
        id: IDS.executionId,
        documentName: 'a.pdf',
        status: 'SUCCEEDED',
        pages: [{ page: 1, fields: { total: { value: '1', confidenceScore: 90, geometry: { top: 0.1 } } } }],
      }),
    ).toEqual([]);
  });

  it('reports each kind of drift the service could make', () => {
    const drift = checkBody('Execution', {
      id: IDS.executionId,
      documentName: SECRETISH,
      extraThing: { a: 1 },
      pages: { page: 1 },
      fields: { total: { value: SECRETISH, confidenceScore: '97.5', geometry: { top: '0.1', left: 0.2 } } },
    });
    expect(drift).toEqual(
      expect.arrayContaining([
        { path: '$.status', kind: 'missing' },
        { path: '$.pages', kind: 'type', expected: 'array', got: 'object' },
        { path: '$.fields.total.confidenceScore', kind: 'type', expected: 'number', got: 'string' },
        { path: '$.fields.total.geometry.top', kind: 'type', expected: 'number', got: 'string' },
        { path: '$.extraThing', kind: 'extra', got: 'object', note: true },
      ]),
    );
    expect(JSON.stringify(drift)).not.toContain(SECRETISH);
    expect(JSON.stringify(drift)).not.toContain('97.5');
  });

  it('an HTML page where JSON was due is drift; the spec says which schema each answer has', () => {
    const url = `https://idp.test/api/v1/organizations/${IDS.organizationId}/actions/${REF.actionId}/versions/1.1.0/executions/${REF.executionId}?valueOnly=true`;
    expect(schemaFor('GET', url, 200)).toBe('Execution');
    expect(schemaFor('GET', url, 404)).toBe('Problem');
    expect(schemaFor('DELETE', url, 204)).toBeUndefined();
    expect(checkAnswer('GET', url, 502, new Headers(), '<html>')).toBeUndefined(); // the spec names no 502
    const report = checkAnswer(
      'GET',
      url,
      500,
      new Headers({ 'content-type': 'text/html; charset=utf-8', 'x-correlation-id': 'c1' }),
      '<html><body>Bad gateway</body></html>',
    );
    expect(report).toMatchObject({
      schema: 'Problem',
      requestIdHeader: 'x-correlation-id',
      drift: [{ path: '$', kind: 'not-json', expected: 'JSON', got: 'text/html' }],
    });
    expect(report?.url).not.toContain('?');
  });

  it('driftCheckingFetch reports before the call returns, and leaves the call unchanged', async () => {
    const idp = closeAfterTest(
      await fakeIdp((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'r1' });
        res.end(
          JSON.stringify({
            id: IDS.executionId,
            documentName: 'a.pdf',
            status: 'SUCCEEDED',
            fields: { t: { value: 1, confidenceScore: '3' } },
          }),
        );
      }),
    );
    const reports: DriftReport[] = [];
    const client = createIdpClient({
      organizationId: IDS.organizationId,
      baseUrl: idp.baseUrl,
      auth: { clientId: 'c', clientSecret: 's-123456', tokenUrl: idp.tokenUrl },
      fetch: driftCheckingFetch(fetch, { onReport: (r) => reports.push(r) }),
    });
    const execution = await client.getExecution(REF);
    expect(execution.status).toBe('SUCCEEDED');
    expect(reports.map((r) => [r.schema, r.requestIdHeader, r.drift])).toEqual([
      ['TokenResponse', undefined, []], // the token's answer is checked too (its value never shown)
      [
        'Execution',
        'x-request-id',
        [{ path: '$.fields.t.confidenceScore', kind: 'type', expected: 'number', got: 'string' }],
      ],
    ]);
  });

  it('driftHooks checks each operation once, on the answer it ended with, however often it was retried', async () => {
    // Two 503s (answers the spec describes: a Problem), then the execution, with a drifted field.
    const idp = closeAfterTest(
      await fakeIdp((_req, res, i) =>
        i % 3 < 2
          ? json(res, 503, { status: 503, title: 'busy' })
          : json(res, 200, { ...execution('SUCCEEDED'), documentName: 7 }),
      ),
    );
    const settings = {
      organizationId: IDS.organizationId,
      baseUrl: idp.baseUrl,
      auth: { clientId: 'c', clientSecret: 's-123456', tokenUrl: idp.tokenUrl },
      retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 },
    };
    const reports: DriftReport[] = [];
    const client = createIdpClient({
      ...settings,
      hooks: [driftHooks({ onReport: (r) => reports.push(r) })],
    });
    expect((await client.getExecution(REF)).status).toBe('SUCCEEDED');
    expect(idp.runtimeRequests()).toHaveLength(3);
    expect(reports.map((r) => [r.schema, r.status, r.drift])).toEqual([
      ['TokenResponse', 200, []],
      ['Execution', 200, [{ path: '$.documentName', kind: 'type', expected: 'string', got: 'number' }]],
    ]);
    // The fetch wrapper it replaces saw every attempt: the two 503s too.
    const wrapped: DriftReport[] = [];
    const old = createIdpClient({
      ...settings,
      fetch: driftCheckingFetch(fetch, { onReport: (r) => wrapped.push(r) }),
    });
    await old.getExecution(REF);
    expect(wrapped.map((r) => r.status)).toEqual([200, 503, 503, 200]);
  });

  it('an error answer is checked once too, and a hook never gets the token in a body', async () => {
    const idp = closeAfterTest(
      await fakeIdp((_req, res) => json(res, 404, { status: 404, title: 'Not Found', detail: 'gone' })),
    );
    const reports: DriftReport[] = [];
    const bodies: string[] = [];
    const everything: IdpHooks = {
      wantsBody: () => true,
      operationEnd: (_op, outcome) =>
        outcome.response?.body !== undefined && bodies.push(outcome.response.body),
    };
    const client = createIdpClient({
      organizationId: IDS.organizationId,
      baseUrl: idp.baseUrl,
      auth: { clientId: 'c', clientSecret: 's-123456', tokenUrl: idp.tokenUrl },
      hooks: [driftHooks({ onReport: (r) => reports.push(r) }), everything],
    });
    await expect(client.getExecution(REF)).rejects.toThrow(/404/);
    expect(reports.map((r) => [r.schema, r.status])).toEqual([
      ['TokenResponse', 200],
      ['Problem', 404],
    ]);
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toContain('"access_token":"[redacted]"');
    expect(bodies.join('\n')).not.toContain('tok-0');
    expect(JSON.parse(bodies[1] ?? '')).toMatchObject({ status: 404, detail: 'gone' });
  });
});
