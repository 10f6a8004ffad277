import type { ServerResponse } from 'node:http';
import { json, REF } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import {
  IdpApiError,
  IdpForbiddenError,
  IdpNotFoundError,
  IdpRateLimitError,
  IdpServerError,
  IdpUnauthorizedError,
} from '../src/index.js';
import { rejection, setup } from './helpers.js';

// What an HTTP error answer becomes, as a caller sees it through getExecution against a loopback IDP:
// the class a `catch` switches on, what the error carries, and what its message shows of the answer.

/** The error getExecution rejects with when every answer is `answer` (no retries). */
async function errorFor(answer: (res: ServerResponse) => void): Promise<IdpApiError> {
  const { client } = await setup((_req, res) => answer(res), { retry: false });
  return (await rejection(client.getExecution(REF))) as IdpApiError;
}

function text(res: ServerResponse, status: number, body: string, type = 'text/plain') {
  res.writeHead(status, { 'Content-Type': type });
  res.end(body);
}

describe('the class follows the status', () => {
  it.each<[number, abstract new (...args: never[]) => IdpApiError]>([
    [400, IdpApiError],
    [401, IdpUnauthorizedError],
    [403, IdpForbiddenError],
    [404, IdpNotFoundError],
    [409, IdpApiError],
    [429, IdpRateLimitError],
    [499, IdpApiError],
    [500, IdpServerError],
    [503, IdpServerError],
  ])('%i', async (status, expected) => {
    const error = await errorFor((res) => json(res, status, { status, title: 'No' }));
    // Exactly that class: a 403 is not a 404 to a `catch` that marks results expired on IdpNotFoundError.
    expect(error.constructor).toBe(expected);
    expect(error).toBeInstanceOf(IdpApiError);
    expect(error.status).toBe(status);
    expect(error.operation).toBe('getExecution');
  });

  it('429: retryAfterMs is the Retry-After the server sent, and absent when it sent none', async () => {
    const asked = (await errorFor((res) =>
      json(res, 429, { status: 429, title: 'Too Many Requests' }, { 'Retry-After': '3' }),
    )) as IdpRateLimitError;
    expect(asked).toBeInstanceOf(IdpRateLimitError);
    expect(asked.retryAfterMs).toBe(3_000);
    const silent = (await errorFor((res) =>
      json(res, 429, { status: 429, title: 'Too Many Requests' }),
    )) as IdpRateLimitError;
    expect(silent.retryAfterMs).toBeUndefined();
    expect('retryAfterMs' in silent).toBe(false);
  });

  it('a JSON null body is no crash: the class by status, no problem', async () => {
    const error = await errorFor((res) => json(res, 500, null));
    expect(error).toBeInstanceOf(IdpServerError);
    expect(error.problem).toBeUndefined();
  });
});

describe('a problem+json body', () => {
  it.each([
    ['a title only', { title: 'Gone' }, 'Gone'],
    ['a detail only', { detail: 'quota exhausted for this month' }, 'quota exhausted for this month'],
  ])('with %s is the error’s problem, and its message shows it', async (_name, problem, shown) => {
    const error = await errorFor((res) => json(res, 400, problem));
    expect(error.problem).toEqual(problem);
    expect(error.message).toContain(shown);
  });

  it('JSON with neither a title nor a detail is not a problem', async () => {
    const error = await errorFor((res) => json(res, 400, { code: 'E17', errors: ['x'] }));
    expect(error.problem).toBeUndefined();
    expect('problem' in error).toBe(false);
  });
});

describe('the message', () => {
  it('a 5xx says to try again later; a 4xx with no advice of its own ends with what the server said', async () => {
    const server = await errorFor((res) => json(res, 500, { status: 500, title: 'Internal Server Error' }));
    expect(server.message).toMatch(/try again later\.?$/);
    const client = await errorFor((res) =>
      json(res, 400, { title: 'Bad Request', detail: 'name is required' }),
    );
    expect(client.message).toMatch(/name is required$/);
    expect(client.message).not.toMatch(/try again/);
  });

  it('one full stop between the server’s detail and the advice', async () => {
    const plain = await errorFor((res) => json(res, 404, { detail: 'Execution 1.1.0/x not found' }));
    expect(plain.message).toContain('Execution 1.1.0/x not found. Check the ids');
    const ended = await errorFor((res) =>
      json(res, 404, { title: 'Not Found', detail: 'Execution x was deleted.' }),
    );
    expect(ended.message).toContain('Execution x was deleted. Check the ids');
    expect(ended.message).not.toContain('..');
  });

  it('names the request id when the server sent one, and no request id otherwise', async () => {
    const named = await errorFor((res) =>
      json(res, 400, { title: 'Bad Request' }, { 'x-request-id': 'req-9' }),
    );
    expect(named.message).toContain('(request id req-9)');
    expect(named.requestId).toBe('req-9');
    const none = await errorFor((res) => json(res, 400, { title: 'Bad Request' }));
    expect(none.message).not.toMatch(/request id/);
    expect('requestId' in none).toBe(false);
  });

  it('a blank body adds no empty quote', async () => {
    const error = await errorFor((res) => text(res, 400, '   \n  '));
    expect(error.message).not.toContain('body:');
  });
});

describe('the excerpt of a body that is not JSON', () => {
  /** The excerpt as the message quotes it. */
  const quoted = (error: Error) => /body: "(.*)"/s.exec(error.message)?.[1];

  it('up to 160 characters: the whole body', async () => {
    const body = `${'abcd '.repeat(31)}abcde`; // 160 characters
    const error = await errorFor((res) => text(res, 400, body));
    expect(quoted(error)).toBe(body);
  });

  it('longer: cut after whole words, with an ellipsis', async () => {
    const words = `${'gateway '.repeat(18)}upstream-down`; // 157 characters: the cut falls on the space after them
    const error = await errorFor((res) => text(res, 502, `${words} ${'more text '.repeat(20)}`));
    expect(quoted(error)).toBe(`${words}…`);
  });

  it('a token the cut would halve is dropped whole, not shown in part', async () => {
    const token = `eyJhbGciOiJSUzI1NiJ9.${'x'.repeat(40)}`;
    const before = `${'proxy '.repeat(24)}error`; // 149 characters: the token straddles the cut at 157
    const error = await errorFor((res) => text(res, 502, `${before} ${token} and the rest of the page`));
    expect(error.message).not.toContain('eyJ');
    expect(quoted(error)).toBe(`${before} …`);
  });
});
