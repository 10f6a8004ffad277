import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CANDIDATE_CHANGES, MOCK_VERSIONS } from './candidate-version.js';
import { EXAMPLE_EXECUTION } from './example.js';
import { createMockFront } from './front.js';
import { MOCK_EXECUTIONS } from './scenarios.js';

const { organizationId, actionId } = EXAMPLE_EXECUTION;
const AUTH = { Authorization: 'Bearer any-token' };

let baseUrl = '';
const server = createServer(createMockFront({ prismUrl: inject('prismUrl'), lifecycleMs: 1, now: () => 0 }));
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

type Json = Record<string, unknown>;
interface Field {
  value?: unknown;
  confidenceScore?: number;
}
interface Page {
  fields: Record<string, Field>;
  prompts: Record<string, { answer?: Field }>;
}
const firstPage = (body: Json) => (body.pages as Page[])[0] as Page;

async function execution(version: string, valueOnly: boolean): Promise<Json> {
  const url = `${baseUrl}/api/v1/organizations/${organizationId}/actions/${actionId}/versions/${version}/executions/${MOCK_EXECUTIONS.SUCCEEDED}?valueOnly=${valueOnly}`;
  const response = await fetch(url, { headers: AUTH });
  expect(response.status).toBe(200);
  return (await response.json()) as Json;
}

async function controlPlane(path: string): Promise<Json> {
  const response = await fetch(
    `${baseUrl}/idp/api/v1/organizations/${organizationId}/actions/${actionId}${path}`,
    {
      headers: AUTH,
    },
  );
  expect(response.status).toBe(200);
  return (await response.json()) as Json;
}

describe('the mock answers 1.2.0 differently from 1.1.0', () => {
  it('with scores: totalAmount changed and scored lower, invoiceDate scored lower, paymentTerms gone; the rest alike', async () => {
    const a = await execution(MOCK_VERSIONS.current, false);
    const b = await execution(MOCK_VERSIONS.candidate, false);
    const [pa, pb] = [firstPage(a), firstPage(b)];
    expect(pa.fields.totalAmount).toMatchObject({ value: '1,284.50', confidenceScore: 71.2 });
    expect(pb.fields.totalAmount).toMatchObject({ value: '1,248.50', confidenceScore: 58.4 });
    expect(pb.fields.invoiceDate).toMatchObject({
      value: pa.fields.invoiceDate?.value,
      confidenceScore: 81.5,
    });
    expect(pa.fields.invoiceDate?.confidenceScore).toBe(97.9);
    expect(pa.prompts.paymentTerms?.answer?.value).toBe('Net 30');
    expect(pb.prompts).not.toHaveProperty('paymentTerms');
    // Nothing else differs: the same document, read by another version.
    for (const page of [pa, pb]) {
      delete page.fields.totalAmount;
      delete page.fields.invoiceDate;
      delete page.prompts.paymentTerms;
    }
    expect(b).toEqual(a);
  });

  it('values only: the changed value and the missing prompt, and no score is added', async () => {
    const b = await execution(MOCK_VERSIONS.candidate, true);
    const text = JSON.stringify(b);
    expect(text).not.toContain('confidenceScore');
    expect(text).toContain(CANDIDATE_CHANGES.totalAmount.value);
    expect(text).not.toContain(CANDIDATE_CHANGES.disappears);
    expect(JSON.stringify(await execution(MOCK_VERSIONS.current, true))).toContain('paymentTerms');
  });

  it('the execution waiting for a review is found under 1.1.0 only (how the CLI finds its version)', async () => {
    const under = async (version: string) =>
      (
        await fetch(
          `${baseUrl}/api/v1/organizations/${organizationId}/actions/${actionId}/versions/${version}/executions/${MOCK_EXECUTIONS.MANUAL_VALIDATION_REQUIRED}`,
          { headers: AUTH },
        )
      ).status;
    expect(await under(MOCK_VERSIONS.current)).toBe(200);
    expect(await under(MOCK_VERSIONS.candidate)).toBe(404);
  });

  it('discovery lists 1.2.0 first, and its own record names 1.2.0', async () => {
    const versions = (await controlPlane('/versions')) as unknown as Json[];
    expect(versions.map((v) => v.version)).toEqual(['1.2.0', '1.1.0', '1.0.0']);
    expect((await controlPlane('/versions/1.2.0')).version).toBe('1.2.0');
    expect((await controlPlane('/versions/1.2.0')).configuration).toMatchObject({ version: '1.2.0' });
    expect((await controlPlane('/versions/1.1.0')).version).toBe('1.1.0');
  });
});
