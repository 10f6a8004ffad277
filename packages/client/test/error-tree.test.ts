import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  IdpAbortError,
  IdpApiError,
  IdpAuthError,
  IdpConnectionError,
  IdpError,
  IdpForbiddenError,
  IdpNotFoundError,
  IdpPagingError,
  IdpRateLimitError,
  IdpRedirectError,
  IdpRequestTimeoutError,
  IdpResponseTooLargeError,
  IdpServerError,
  IdpTimeoutError,
  IdpUnauthorizedError,
  IdpValidationError,
  IdpWaitTimeoutError,
} from '../src/index.js';

// The error tree as callers use it: `instanceof` up the tree, and a `name` that says the class in every
// log line, `String(error)` and stack trace (also where `instanceof` fails: two copies of the package).

const api = { status: 500, operation: 'getExecution', url: 'https://idp.test/x', headers: new Headers() };

describe('each error names its class and sits in the tree', () => {
  it.each<[string, () => Error, (abstract new (...args: never[]) => Error)[]]>([
    ['IdpError', () => new IdpError('m'), []],
    ['IdpValidationError', () => new IdpValidationError('m'), [IdpError]],
    ['IdpAuthError', () => new IdpAuthError('m'), [IdpError]],
    ['IdpApiError', () => new IdpApiError('m', api), [IdpError]],
    ['IdpUnauthorizedError', () => new IdpUnauthorizedError('m', api), [IdpApiError, IdpError]],
    ['IdpForbiddenError', () => new IdpForbiddenError('m', api), [IdpApiError, IdpError]],
    ['IdpNotFoundError', () => new IdpNotFoundError('m', api), [IdpApiError, IdpError]],
    ['IdpRateLimitError', () => new IdpRateLimitError('m', api), [IdpApiError, IdpError]],
    ['IdpServerError', () => new IdpServerError('m', api), [IdpApiError, IdpError]],
    ['IdpRedirectError', () => new IdpRedirectError('m', api), [IdpApiError, IdpError]],
    [
      'IdpResponseTooLargeError',
      () => new IdpResponseTooLargeError('m', { limit: 1, status: 200, operation: 'getExecution' }),
      [IdpError],
    ],
    ['IdpPagingError', () => new IdpPagingError('m'), [IdpError]],
    ['IdpConnectionError', () => new IdpConnectionError('m'), [IdpError]],
    ['IdpTimeoutError', () => new IdpTimeoutError('m'), [IdpError]],
    ['IdpRequestTimeoutError', () => new IdpRequestTimeoutError('m'), [IdpTimeoutError, IdpError]],
    ['IdpWaitTimeoutError', () => new IdpWaitTimeoutError('m'), [IdpTimeoutError, IdpError]],
    ['IdpAbortError', () => new IdpAbortError('getExecution', 'stop'), [IdpError]],
  ])('%s', (name, make, parents) => {
    // Built in the test, not when the table is collected: the error is made by the code under test.
    const error = make();
    expect(error.name).toBe(name);
    expect(String(error)).toMatch(new RegExp(`^${name}: `));
    for (const parent of parents) expect(error).toBeInstanceOf(parent);
    expect(error).toBeInstanceOf(Error);
  });
});

describe('what each error carries', () => {
  it('IdpApiError: status, operation, url and headers; problem, request id and cause only when known', () => {
    const bare = new IdpApiError('m', api);
    expect(bare).toMatchObject({ status: 500, operation: 'getExecution', url: 'https://idp.test/x' });
    expect(bare.headers).toBe(api.headers);
    expect(bare.problem).toBeUndefined();
    expect(bare.requestId).toBeUndefined();
    expect('cause' in bare).toBe(false);
    const cause = new Error('socket');
    const full = new IdpApiError('m', {
      ...api,
      problem: { status: 500, title: 'T' },
      requestId: 'req-1',
      cause,
    });
    expect(full).toMatchObject({ problem: { status: 500, title: 'T' }, requestId: 'req-1', cause });
  });

  it('IdpAuthError: status, OAuth error and cause only when known', () => {
    const bare = new IdpAuthError('m');
    expect(bare.status).toBeUndefined();
    expect(bare.oauthError).toBeUndefined();
    expect('cause' in bare).toBe(false);
    const cause = new Error('refused');
    const full = new IdpAuthError('m', { status: 401, oauthError: 'invalid_client', cause });
    expect(full).toMatchObject({ status: 401, oauthError: 'invalid_client', cause });
  });

  it('IdpRateLimitError: retryAfterMs only when the server said', () => {
    expect(new IdpRateLimitError('m', { ...api, status: 429 }).retryAfterMs).toBeUndefined();
    expect(new IdpRateLimitError('m', { ...api, status: 429, retryAfterMs: 7_000 }).retryAfterMs).toBe(7_000);
  });

  it('IdpRedirectError: the location, when there was one', () => {
    expect(new IdpRedirectError('m', { ...api, status: 302, location: 'https://a.test' }).location).toBe(
      'https://a.test',
    );
    expect(new IdpRedirectError('m', { ...api, status: 302 }).location).toBeUndefined();
  });

  it('IdpResponseTooLargeError: the limit, status and operation', () => {
    const error = new IdpResponseTooLargeError('m', { limit: 10, status: 200, operation: 'getExecution' });
    expect(error).toMatchObject({ limit: 10, status: 200, operation: 'getExecution' });
  });

  it('IdpConnectionError: refused only when said, and the cause', () => {
    expect(new IdpConnectionError('m').refused).toBe(false);
    expect('cause' in new IdpConnectionError('m')).toBe(false);
    const cause = new Error('ECONNREFUSED');
    const refused = new IdpConnectionError('m', { refused: true, cause });
    expect(refused).toMatchObject({ refused: true, cause });
  });

  it('IdpWaitTimeoutError: lastStatus only when a poll answered', () => {
    expect(new IdpWaitTimeoutError('m').lastStatus).toBeUndefined();
    expect(new IdpWaitTimeoutError('m', { lastStatus: 'IN_PROGRESS' }).lastStatus).toBe('IN_PROGRESS');
  });

  it('IdpAbortError: names the operation and the reason, and keeps the reason as it was given', () => {
    const reason = new Error('user pressed Ctrl-C');
    const error = new IdpAbortError('waitForExecution', reason);
    expect(error.message).toMatch(/^waitForExecution .*user pressed Ctrl-C/);
    expect(error.reason).toBe(reason);
    expect(error.cause).toBe(reason);
    // A reason that is not an Error (abort('shutdown')) is named as it is.
    expect(new IdpAbortError('getExecution', 'shutdown').message).toMatch(/^getExecution .*shutdown/);
  });
});

describe('a detail that is not known is not there at all', () => {
  it.each<[string, () => Error, string[]]>([
    ['IdpApiError', () => new IdpApiError('m', api), ['problem', 'requestId']],
    ['IdpAuthError', () => new IdpAuthError('m'), ['status', 'oauthError']],
    ['IdpRateLimitError', () => new IdpRateLimitError('m', { ...api, status: 429 }), ['retryAfterMs']],
    ['IdpWaitTimeoutError', () => new IdpWaitTimeoutError('m'), ['lastStatus']],
  ])('%s', (_name, make, absent) => {
    const error = make();
    // `in` and a log line's inspect tell "unknown" from "known to be undefined": no such own property.
    for (const property of absent) expect(property in error).toBe(false);
    expect(inspect(error)).not.toMatch(/: undefined/);
  });
});
