import { extractFields } from '@idp-kit/client';
import { describe, expect, inject, it } from 'vitest';
import { EXAMPLE_EXECUTION, MOCK_EXECUTIONS } from '../src/index.js';

// The mock as users run it (Prism behind the front): one execution tells one story, whichever way it is
// asked for. Each answer comes from the spec's examples, so these hold the examples to each other.
const baseUrl = inject('mockBaseUrl');
const { organizationId, actionId, actionVersion } = EXAMPLE_EXECUTION;
const AUTH = { Authorization: 'Bearer any-token' };
const executionUrl = (id: string, version: string = actionVersion) =>
  `${baseUrl}/api/v1/organizations/${organizationId}/actions/${actionId}/versions/${version}/executions/${id}`;

async function getJson(url: string) {
  const response = await fetch(url, { headers: AUTH });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** What a user sees of an execution, without the confidence: every value where it sits, and the tables. */
function story(execution: Record<string, unknown>) {
  const values = extractFields(execution).map(({ kind, page, table, row, name, value }) => ({
    kind,
    page,
    table,
    row,
    name,
    value,
  }));
  const tables = [...new Set(values.flatMap((v) => (v.table === undefined ? [] : [v.table])))];
  return { id: execution.id, documentName: execution.documentName, status: execution.status, values, tables };
}

const SETTLED = ['SUCCEEDED', 'MANUAL_VALIDATION_REQUIRED', 'PARTIAL_SUCCESS', 'FAILED'] as const;

describe('one execution, whatever valueOnly', () => {
  it.each([
    ...SETTLED.map((status) => [status, MOCK_EXECUTIONS[status]] as const),
    ['any other id', 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee'] as const,
  ])('%s: the same values, file name and tables with and without confidence', async (_name, id) => {
    const values = await getJson(`${executionUrl(id)}?valueOnly=true`);
    const full = await getJson(`${executionUrl(id)}?valueOnly=false`);
    expect(values.status).toBe(200);
    expect(full.status).toBe(200);
    expect(story(full.body)).toEqual(story(values.body));
  });

  it('SUCCEEDED shows all 13 values of the invoice, each with a confidence when asked for', async () => {
    const full = await getJson(`${executionUrl(MOCK_EXECUTIONS.SUCCEEDED)}?valueOnly=false`);
    const fields = extractFields(full.body);
    expect(fields).toHaveLength(13);
    expect(fields.filter((f) => f.confidence === undefined)).toEqual([]);
    expect(story(full.body).tables).toEqual(['lineItems']);
  });
});

describe('FAILED with the model’s reason', () => {
  it.each([
    ['failedMaxTokens', MOCK_EXECUTIONS.failedMaxTokens, 'MAX_TOKENS'],
    ['failedLength', MOCK_EXECUTIONS.failedLength, 'length'],
  ])('%s is FAILED with statusMessage %s, under the id asked for', async (_name, id, message) => {
    for (const query of ['?valueOnly=true', '?valueOnly=false']) {
      const { status, body } = await getJson(`${executionUrl(id)}${query}`);
      expect(status).toBe(200);
      expect(body).toMatchObject({ id, status: 'FAILED', statusMessage: message });
    }
  });
});

describe('the review list and get agree', () => {
  it('every listed task is an execution waiting for review, under the file name get gives', async () => {
    const list = await getJson(`${baseUrl}/api/v1/organizations/${organizationId}/reviews?page=0&size=50`);
    const tasks = list.body as unknown as { docOperationId: string; docFileName?: string }[];
    expect(tasks.length).toBeGreaterThan(0);
    for (const task of tasks) {
      const { status, body } = await getJson(executionUrl(task.docOperationId));
      expect({
        id: task.docOperationId,
        status,
        body: { status: body.status, name: body.documentName },
      }).toEqual({
        id: task.docOperationId,
        status: 200,
        body: { status: 'MANUAL_VALIDATION_REQUIRED', name: task.docFileName },
      });
    }
  });
});

describe('a 404 names what was asked for', () => {
  it('an execution: its id, action and version', async () => {
    const { status, body } = await getJson(executionUrl(MOCK_EXECUTIONS.notFound, '2.0.1'));
    expect(status).toBe(404);
    expect(body.detail).toBe(
      `Action Id: ${actionId}, Version: 2.0.1, Execution Id: ${MOCK_EXECUTIONS.notFound}`,
    );
  });

  it('a review task: its execution id', async () => {
    const { status, body } = await getJson(
      `${baseUrl}/api/v1/organizations/${organizationId}/actions/${actionId}/reviews/${MOCK_EXECUTIONS.notFound}`,
    );
    expect(status).toBe(404);
    expect(body.detail).toBe(`No review task for execution ${MOCK_EXECUTIONS.notFound}`);
  });
});
