import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  EXECUTION_STATUSES,
  extractFields,
  IdpValidationError,
  isFinal,
  isSettled,
  parseExecutionUrl,
} from '../src/index.js';

const spec = parse(readFileSync(new URL('../../../spec/idp.openapi.yaml', import.meta.url), 'utf8'));
const examples = spec.components.examples as Record<string, { value: unknown }>;

describe('statuses', () => {
  it('EXECUTION_STATUSES is exactly the spec enum', () => {
    expect([...EXECUTION_STATUSES].sort()).toEqual([...spec.components.schemas.ExecutionStatus.enum].sort());
  });

  it('settled and final', () => {
    expect(EXECUTION_STATUSES.filter(isSettled).sort()).toEqual(
      ['FAILED', 'MANUAL_VALIDATION_REQUIRED', 'PARTIAL_SUCCESS', 'SUCCEEDED'].sort(),
    );
    expect(EXECUTION_STATUSES.filter(isFinal).sort()).toEqual(
      ['FAILED', 'PARTIAL_SUCCESS', 'SUCCEEDED'].sort(),
    );
    expect(isSettled('SOMETHING_NEW')).toBe(false);
    expect(isFinal('SOMETHING_NEW')).toBe(false);
  });
});

describe('parseExecutionUrl', () => {
  it("parses the brief's URL", () => {
    expect(
      parseExecutionUrl(
        'https://idp-rt.us-east-1.anypoint.mulesoft.com/api/v1/organizations/01f79c97-9a83-4194-b922-15b64fd7305e/actions/c333413d-6593-4423-b3d4-f8ff4bf88917/versions/1.2.0/executions/ba9c0735-c95c-4d92-84f1-d72599900552',
      ),
    ).toEqual({
      baseUrl: 'https://idp-rt.us-east-1.anypoint.mulesoft.com',
      organizationId: '01f79c97-9a83-4194-b922-15b64fd7305e',
      actionId: 'c333413d-6593-4423-b3d4-f8ff4bf88917',
      actionVersion: '1.2.0',
      executionId: 'ba9c0735-c95c-4d92-84f1-d72599900552',
    });
  });

  it('keeps a proxy path prefix, ignores the query and a trailing slash', () => {
    const parsed = parseExecutionUrl(
      'http://127.0.0.1:4010/proxy/api/v1/organizations/01f79c97-9a83-4194-b922-15b64fd7305e/actions/c333413d-6593-4423-b3d4-f8ff4bf88917/versions/1.2.0/executions/ba9c0735-c95c-4d92-84f1-d72599900552/?valueOnly=false',
    );
    expect(parsed.baseUrl).toBe('http://127.0.0.1:4010/proxy');
    expect(parsed.executionId).toBe('ba9c0735-c95c-4d92-84f1-d72599900552');
  });

  const good =
    'https://idp-rt.us-east-1.anypoint.mulesoft.com/api/v1/organizations/01f79c97-9a83-4194-b922-15b64fd7305e/actions/c333413d-6593-4423-b3d4-f8ff4bf88917/versions/1.2.0/executions/ba9c0735-c95c-4d92-84f1-d72599900552';
  it.each([
    ['not a url', /not an absolute URL/],
    [good.replace('https:', 'http:'), /http is allowed only to a loopback host/],
    [good.replace('/executions/', '/runs/'), /path must look like/],
    [
      good.replace('01f79c97-9a83-4194-b922-15b64fd7305e', 'acme'),
      /organizationId \(in the execution URL\) must be a UUID/,
    ],
    [good.replace('c333413d-6593-4423-b3d4-f8ff4bf88917', 'x'), /actionId \(in the execution URL\)/],
    [good.replace('1.2.0', 'v1'), /actionVersion \(in the execution URL\)/],
    [good.replace('ba9c0735-c95c-4d92-84f1-d72599900552', '%E0%A4%A'), /malformed escape/],
  ])('%s → IdpValidationError naming the part', (url, message) => {
    expect(() => parseExecutionUrl(url)).toThrow(IdpValidationError);
    expect(() => parseExecutionUrl(url)).toThrow(message);
  });
});

describe('extractFields', () => {
  it('flattens the pages envelope: fields, cells, prompts, with page numbers', () => {
    const fields = extractFields(examples.Succeeded?.value);
    expect(fields).toContainEqual({ kind: 'field', name: 'invoiceNumber', value: 'INV-2291', page: 1 });
    expect(fields).toContainEqual({
      kind: 'cell',
      name: 'amount',
      value: '942.50',
      table: 'lineItems',
      row: 1,
      page: 1,
    });
    expect(fields).toContainEqual({
      kind: 'prompt',
      name: 'dueDateNote',
      value: null,
      prompt: 'Is there a late payment fee?',
      page: 1,
    });
    expect(fields).toHaveLength(5 + 6 + 2);
  });

  it('keeps confidence and geometry when present', () => {
    const [first] = extractFields(examples.SucceededWithConfidence?.value);
    expect(first).toEqual({
      kind: 'field',
      name: 'invoiceNumber',
      value: 'INV-2291',
      confidenceScore: 98.7,
      confidence: 98.7,
      geometry: { top: 0.082, left: 0.631, width: 0.121, height: 0.018 },
      page: 1,
    });
  });

  it('reads the top-level envelope (no page) and both envelopes at once', () => {
    const top = extractFields(examples.SucceededTopLevel?.value);
    expect(top).toContainEqual({ kind: 'field', name: 'tin', value: '12-3456789' });
    expect(top.every((f) => f.page === undefined)).toBe(true);
    const both = extractFields({
      status: 'SUCCEEDED',
      pages: [{ page: '2', fields: { a: { value: '1' } } }],
      fields: { b: { value: '2' } },
    });
    expect(both.map((f) => [f.name, f.page])).toEqual([
      ['a', '2'],
      ['b', undefined],
    ]);
  });

  it('skips what is not shaped like a result, never throws', () => {
    for (const junk of [
      null,
      42,
      'x',
      [],
      { pages: 'x' },
      { pages: [null, 1, { fields: [] }] },
      { tables: { t: 'x' } },
    ]) {
      expect(extractFields(junk)).toEqual([]);
    }
    expect(extractFields({ fields: { n: { value: 7 }, m: 'x', o: { value: undefined } } })).toEqual([
      { kind: 'field', name: 'n', value: '7' },
      { kind: 'field', name: 'o', value: null },
    ]);
  });
});
