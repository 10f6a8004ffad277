import { closeAfterTest, fakeIdp, IDS, REF } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import { checkAnswer, checkBody, type DriftReport, driftCheckingFetch, schemaFor } from '../src/drift.js';
import { createIdpClient } from '../src/index.js';

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
});
