import { clientCredentials } from '@idp-kit/auth';
import { createIdpClient, type ExecutionRef, IdpApiError } from '@idp-kit/client';
import { pdfBytes } from '@idp-kit/testkit';
import { describe, expect, inject, it } from 'vitest';
import { prismFetch } from './prism-fetch.js';
import {
  EXECUTION_PATH,
  examplesOf,
  responseCodes,
  SPEC_STATUSES,
  SUBMIT_PATH,
  TOKEN_PATH,
} from './spec-examples.js';

// Contract tests talk to Prism itself, so that every answer comes from the spec alone.
const baseUrl = inject('prismUrl');
const organizationId = '01f79c97-9a83-4194-b922-15b64fd7305e';
const ref: ExecutionRef = {
  actionId: '90c3e286-72b5-42ca-92d0-22f86ea8d766',
  actionVersion: '1.1.0',
  executionId: '022c61de-9bfc-4a94-8a9c-43c5f8ac153e',
};
const tokenRecorder = prismFetch();
const auth = clientCredentials({
  clientId: 'contract-client',
  clientSecret: 'contract-secret',
  tokenUrl: `${baseUrl}${TOKEN_PATH}`,
  fetch: tokenRecorder.fetch,
});

function clientFor(prefer?: string) {
  const recorder = prismFetch(prefer);
  const client = createIdpClient({
    organizationId,
    baseUrl,
    auth,
    fetch: recorder.fetch,
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
  });
  return { client, recorder };
}

describe('clientCredentials against the token operation', () => {
  it('gets the example token with one request and no sl-violations', async () => {
    const [token] = Object.values(examplesOf(TOKEN_PATH, 'post', '200'));
    expect(await auth.getToken()).toBe((token as { access_token: string }).access_token);
    expect(tokenRecorder.responses.map((r) => r.status)).toEqual([200]);
    expect(tokenRecorder.violations()).toEqual([]);
  });
});

describe('getDocumentActionExecution: every named 200 example', () => {
  const examples = examplesOf(EXECUTION_PATH, 'get', '200');

  it('has one example named after each status the spec declares', () => {
    for (const status of SPEC_STATUSES) {
      expect(examples[status], `example ${status}`).toMatchObject({ status });
    }
  });

  it.each(Object.entries(examples))('example %s comes back typed and equal', async (name, value) => {
    const { client, recorder } = clientFor(`example=${name}`);
    const execution = await client.getExecution(ref);
    expect(execution).toEqual(value);
    expect(recorder.violations()).toEqual([]);
  });

  it('serves the brief execution by default', async () => {
    const { client, recorder } = clientFor();
    const execution = await client.getExecution(ref, { valueOnly: true });
    expect(execution.id).toBe(ref.executionId);
    expect(execution.status).toBe('SUCCEEDED');
    expect(new URL(recorder.responses[0]?.url ?? '').searchParams.get('valueOnly')).toBe('true');
    expect(recorder.violations()).toEqual([]);
  });

  it('sends valueOnly=false without a violation', async () => {
    const { client, recorder } = clientFor('example=withConfidence');
    const execution = await client.getExecution(ref, { valueOnly: false });
    expect(execution.status).toBe('SUCCEEDED');
    if (execution.status !== 'SUCCEEDED') return;
    expect(execution.pages?.[0]?.fields?.invoiceNumber?.confidenceScore).toBeTypeOf('number');
    expect(new URL(recorder.responses[0]?.url ?? '').searchParams.get('valueOnly')).toBe('false');
    expect(recorder.violations()).toEqual([]);
  });
});

describe('getDocumentActionExecution: every error response', () => {
  const codes = responseCodes(EXECUTION_PATH, 'get').filter((code) => code !== '200');

  it.each(codes)('HTTP %s becomes an IdpApiError carrying the problem', async (code) => {
    const [problem] = Object.values(examplesOf(EXECUTION_PATH, 'get', code));
    const { client, recorder } = clientFor(`code=${code}`);
    const error = await client.getExecution(ref).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IdpApiError);
    expect((error as IdpApiError).status).toBe(Number(code));
    expect((error as IdpApiError).problem).toEqual(problem);
    expect(recorder.violations()).toEqual([]);
  });
});

describe('postDocumentActionExecution', () => {
  const submission = {
    actionId: ref.actionId,
    actionVersion: ref.actionVersion,
    file: pdfBytes(1),
    fileName: 'invoice-2291.pdf',
  };

  it('submitExecution → 201 with the created example, no violations', async () => {
    const { client, recorder } = clientFor();
    const [created] = Object.values(examplesOf(SUBMIT_PATH, 'post', '201')) as {
      id: string;
      documentName: string;
    }[];
    const result = await client.submitExecution({
      ...submission,
      callbackUrl: 'https://hooks.example.test/idp?nonce=abc',
      salesforceOrgId: '00D5g000004ABCDEAA',
    });
    expect(result).toEqual({
      executionId: created?.id,
      documentName: created?.documentName,
      status: 'ACKNOWLEDGED',
    });
    expect(recorder.responses.map((r) => r.status)).toEqual([201]);
    expect(recorder.violations()).toEqual([]);
  });

  it.each(responseCodes(SUBMIT_PATH, 'post').filter((code) => code !== '201'))(
    'HTTP %s becomes an IdpApiError carrying its problem example',
    async (code) => {
      const [problem] = Object.values(examplesOf(SUBMIT_PATH, 'post', code));
      const { client } = clientFor(`code=${code}`);
      const error = await client.submitExecution(submission).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(IdpApiError);
      expect((error as IdpApiError).status).toBe(Number(code));
      expect((error as IdpApiError).problem).toEqual(problem);
    },
  );
});

describe('waitForExecution through Prism', () => {
  it.each([
    ['SUCCEEDED', 'settled'],
    ['FAILED', 'settled'],
    ['PARTIAL_SUCCESS', 'final'],
    ['MANUAL_VALIDATION_REQUIRED', 'settled'],
  ] as const)('resolves at once on %s (until %s), no violations', async (status, until) => {
    const { client, recorder } = clientFor(`example=${status}`);
    const seen: string[] = [];
    const execution = await client.waitForExecution(ref, { until, onProgress: (e) => seen.push(e.status) });
    expect(execution.status).toBe(status);
    expect(seen).toEqual([status]);
    expect(recorder.violations()).toEqual([]);
  });
});

describe('createAccessToken', () => {
  const credentials = {
    grant_type: 'client_credentials',
    client_id: 'my-client-id',
    client_secret: 'my-secret',
  } as const;

  it('the reference curl request (JSON body) gets the token example', async () => {
    const [token] = Object.values(examplesOf(TOKEN_PATH, 'post', '200'));
    const response = await fetch(`${baseUrl}${TOKEN_PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(credentials),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('sl-violations')).toBeNull();
    expect(await response.json()).toEqual(token);
  });

  it('a form-encoded body is accepted too', async () => {
    const response = await fetch(`${baseUrl}${TOKEN_PATH}`, {
      method: 'POST',
      body: new URLSearchParams(credentials),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('sl-violations')).toBeNull();
    expect(await response.json()).toMatchObject({ token_type: 'bearer' });
  });

  it.each(['400', '401'])('HTTP %s is an OAuth error body', async (code) => {
    const [oauthError] = Object.values(examplesOf(TOKEN_PATH, 'post', code));
    const response = await fetch(`${baseUrl}${TOKEN_PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Prefer: `code=${code}` },
      body: JSON.stringify(credentials),
    });
    expect(response.status).toBe(Number(code));
    expect(await response.json()).toEqual(oauthError);
  });
});

describe('negative contract: the spec is strict enough to catch a broken client', () => {
  const executionUrl = `${baseUrl}/api/v1/organizations/${organizationId}/actions/${ref.actionId}/versions/${ref.actionVersion}/executions/${ref.executionId}`;

  it('no Authorization header → 401 with sl-violations', async () => {
    const response = await fetch(executionUrl);
    expect(response.status).toBe(401);
    const violations = JSON.parse(response.headers.get('sl-violations') ?? '[]') as { message: string }[];
    expect(violations.map((v) => v.message)).toContain('Invalid security scheme used');
  });

  it('a malformed execution id → 422', async () => {
    const response = await fetch(executionUrl.replace(ref.executionId, 'not-a-uuid'), {
      headers: { Authorization: 'Bearer x' },
    });
    expect(response.status).toBe(422);
  });

  it('a version that is not semver → 422', async () => {
    const response = await fetch(executionUrl.replace('/1.1.0/', '/latest/'), {
      headers: { Authorization: 'Bearer x' },
    });
    expect(response.status).toBe(422);
  });

  it('a non-boolean valueOnly → 422', async () => {
    const response = await fetch(`${executionUrl}?valueOnly=maybe`, {
      headers: { Authorization: 'Bearer x' },
    });
    expect(response.status).toBe(422);
  });

  it('a submit without the file part → 400 with sl-violations', async () => {
    const form = new FormData();
    form.set('callback', '{"noAuthUrl":"https://example.test/cb"}');
    const response = await fetch(executionUrl.replace(`/${ref.executionId}`, ''), {
      method: 'POST',
      headers: { Authorization: 'Bearer x' },
      body: form,
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('sl-violations')).toContain('file');
  });

  it('a token request without client_secret → 400 with sl-violations', async () => {
    const response = await fetch(`${baseUrl}${TOKEN_PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'x' }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('sl-violations')).toContain('client_secret');
  });
});
