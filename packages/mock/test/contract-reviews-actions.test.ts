import { clientCredentials } from '@idp-kit/auth';
import {
  correctReview,
  createIdpClient,
  type IdpApiError,
  IdpNotFoundError,
  IdpUnauthorizedError,
  type Review,
  runtimeBaseUrl,
} from '@idp-kit/client';
import { describe, expect, inject, it } from 'vitest';
import { prismFetch } from './prism-fetch.js';
import { examplesOf, TOKEN_PATH } from './spec-examples.js';

// Every new operation, through the client, against Prism itself: the answers come from the spec alone,
// and Prism checks each request against it (a violation shows in `sl-violations`).
const baseUrl = inject('prismUrl');
const organizationId = '01f79c97-9a83-4194-b922-15b64fd7305e';
const actionId = '90c3e286-72b5-42ca-92d0-22f86ea8d766';
const executionId = '7d9c2f10-6a3b-4e58-b1c4-2f8e9a0b5c66';
const reviewRef = { actionId, executionId };

const REVIEWS = '/api/v1/organizations/{organizationId}/reviews';
const REVIEW = '/api/v1/organizations/{organizationId}/actions/{actionId}/reviews/{executionId}';
const CP = '/idp/api/v1/organizations/{organizationId}';

const auth = clientCredentials({
  clientId: 'contract-client',
  clientSecret: 'contract-secret',
  tokenUrl: `${baseUrl}${TOKEN_PATH}`,
  fetch: prismFetch().fetch,
});

function clientFor(prefer?: string, options: { token?: boolean } = {}) {
  const recorder = prismFetch(prefer);
  const client = createIdpClient({
    organizationId,
    baseUrl,
    auth,
    // No token: the request leaves without its Authorization header (the client itself never sends an
    // empty one: it refuses a token that cannot be sent).
    fetch:
      options.token === false
        ? (input: string | URL | Request, init?: RequestInit) => {
            const headers = new Headers(init?.headers);
            headers.delete('authorization');
            return recorder.fetch(input, { ...init, headers });
          }
        : recorder.fetch,
    retry: false,
  });
  return { client, recorder };
}

function only<T>(examples: Record<string, unknown>, name: string): T {
  expect(examples[name], `example ${name}`).toBeDefined();
  return examples[name] as T;
}

describe('reviews', () => {
  it('listReviews: the example page, and the empty one', async () => {
    const examples = examplesOf(REVIEWS, 'get', '200');
    for (const name of ['tasks', 'none']) {
      const { client, recorder } = clientFor(`example=${name}`);
      expect(await client.listReviews({ page: 0, size: 20 })).toEqual(examples[name]);
      expect(recorder.violations()).toEqual([]);
    }
  });

  it('reviews(): walks to the end (a short page)', async () => {
    const { client, recorder } = clientFor('example=tasks');
    const tasks = [];
    for await (const task of client.reviews({ size: 5 })) tasks.push(task);
    expect(tasks).toEqual(examplesOf(REVIEWS, 'get', '200').tasks);
    expect(recorder.responses).toHaveLength(1);
  });

  it('getReview, updateReview with a correction, approveReview', async () => {
    const { client, recorder } = clientFor();
    const review = await client.getReview(reviewRef);
    expect(review).toEqual(only(examplesOf(REVIEW, 'get', '200'), 'review'));
    const corrected = correctReview(review, { total: '1,920.00' });
    const updated = await client.updateReview(reviewRef, corrected);
    expect(updated).toEqual(only<Review>(examplesOf(REVIEW, 'patch', '200'), 'corrected'));
    await client.approveReview(reviewRef);
    expect(recorder.responses.map((r) => r.status)).toEqual([200, 200, 204]);
    expect(recorder.violations()).toEqual([]);
  });

  it('a bad patch is a 400 from the service (checks in the client bypassed through raw)', async () => {
    const { client } = clientFor();
    const { response } = await client.raw.PATCH(REVIEW, {
      params: { path: { organizationId, actionId, executionId } },
      body: { analyzersResults: 'not a list' } as never,
    });
    expect(response.status).toBe(400);
  });

  it('a review that is gone is IdpNotFoundError; no token is a 401', async () => {
    const gone = clientFor('code=404');
    expect(await gone.client.getReview(reviewRef).catch((e: unknown) => e)).toBeInstanceOf(IdpNotFoundError);
    const anonymous = clientFor(undefined, { token: false });
    const error = await anonymous.client.approveReview(reviewRef).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdpUnauthorizedError);
  });
});

describe('base64 submit', () => {
  it('is a valid request of the submit operation', async () => {
    const { client, recorder } = clientFor();
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
      'base64',
    );
    const created = await client.submitExecution({
      actionId,
      actionVersion: '1.1.0',
      file: png,
      fileName: 'receipt-0412.png',
      encoding: 'base64',
    });
    expect(created.executionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(recorder.violations()).toEqual([]);
  });
});

describe('action discovery', () => {
  it('listActions, actions(), getAction', async () => {
    const { client, recorder } = clientFor();
    const list = await client.listActions({ sort: 'name,asc' });
    expect(list).toEqual(only(examplesOf(`${CP}/actions`, 'get', '200'), 'actions'));
    const names = [];
    for await (const action of client.actions()) names.push(action.name);
    expect(names).toEqual(list.actions.map((a) => a.name));
    const action = await client.getAction(actionId);
    expect(action.configuration?.content?.output?.fields?.map((f) => f.name)).toContain('totalAmount');
    expect(recorder.violations()).toEqual([]);
  });

  it('versions, where each is published, and reviewers', async () => {
    const { client, recorder } = clientFor();
    const versions = await client.listActionVersions(actionId);
    expect(versions.map((v) => v.version)).toEqual(['1.2.0', '1.1.0', '1.0.0']);
    expect(versions.map(runtimeBaseUrl)).toEqual([
      'https://idp-rt.us-east-1.anypoint.mulesoft.com',
      'https://idp-rt.us-east-1.anypoint.mulesoft.com',
      undefined,
    ]);
    const version = await client.getActionVersion(actionId, '1.1.0');
    expect(runtimeBaseUrl(version)).toBe('https://idp-rt.us-east-1.anypoint.mulesoft.com');
    expect((await client.listReviewers(actionId)).map((r) => r.type)).toEqual(['USER', 'TEAM']);
    expect(recorder.violations()).toEqual([]);
  });

  it('an unknown action is a 404 that says what to check', async () => {
    const { client } = clientFor('code=404');
    const error = await client.getAction(actionId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdpNotFoundError);
    expect((error as IdpApiError).message).toMatch(/business group that owns the action/);
  });
});
