import { AuthError } from '@idp-kit/auth';
import { closeAfterTest, execution, fakeIdp, IDS, json, REF } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import { createIdpClient, IdpAuthError, IdpValidationError } from '../src/index.js';
import { rejection } from './helpers.js';

// What a call says when a token provider of the caller's own fails: always an IdpAuthError (or the
// provider's own IdpError), with what the provider said, and nothing sent to the runtime.

async function withProvider(getToken: () => Promise<string>) {
  const idp = closeAfterTest(await fakeIdp((_req, res) => json(res, 200, execution('SUCCEEDED'))));
  const client = createIdpClient({
    organizationId: IDS.organizationId,
    baseUrl: idp.baseUrl,
    auth: { getToken, invalidate: () => {} },
    retry: false,
  });
  return { idp, client };
}

describe('a token provider of your own that fails', () => {
  it('a plain Error: IdpAuthError naming the operation and the cause, nothing sent', async () => {
    const cause = new Error('vault sealed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) });
    const { idp, client } = await withProvider(async () => {
      throw cause;
    });
    const error = (await rejection(client.getExecution(REF))) as IdpAuthError;
    expect(error).toBeInstanceOf(IdpAuthError);
    expect(error.message).toMatch(/^getExecution: the token provider failed: vault sealed \(ECONNRESET\)/);
    expect(error.cause).toBe(cause);
    expect(idp.runtimeRequests()).toHaveLength(0);
  });

  it('a plain Error with no cause: the message ends with what the provider said, nothing added', async () => {
    const cause = new Error('vault sealed');
    const { client } = await withProvider(async () => {
      throw cause;
    });
    const error = (await rejection(client.getExecution(REF))) as IdpAuthError;
    expect(error).toBeInstanceOf(IdpAuthError);
    expect(error.message).toMatch(/: vault sealed$/);
    expect(error.cause).toBe(cause);
  });

  it('something that is not an Error is named as it is', async () => {
    const { client } = await withProvider(() => Promise.reject('no token today'));
    const error = (await rejection(client.getExecution(REF))) as IdpAuthError;
    expect(error).toBeInstanceOf(IdpAuthError);
    expect(error.message).toContain('no token today');
  });

  it('an AuthError: its message, status and OAuth error carried over, the AuthError as cause', async () => {
    const cause = new AuthError('token endpoint refused the client', {
      status: 401,
      oauthError: 'invalid_client',
    });
    const { client } = await withProvider(async () => {
      throw cause;
    });
    const error = (await rejection(client.getExecution(REF))) as IdpAuthError;
    expect(error).toBeInstanceOf(IdpAuthError);
    expect(error.message).toBe('token endpoint refused the client');
    expect(error.status).toBe(401);
    expect(error.oauthError).toBe('invalid_client');
    expect(error.cause).toBe(cause);
  });

  it('an AuthError without an answer carries no status', async () => {
    const { client } = await withProvider(async () => {
      throw new AuthError('token endpoint unreachable');
    });
    const error = (await rejection(client.getExecution(REF))) as IdpAuthError;
    expect(error.status).toBeUndefined();
    expect(error.oauthError).toBeUndefined();
  });

  it("the provider's own IdpError reaches the caller as it is", async () => {
    const own = new IdpValidationError('clientId is not set');
    const { client } = await withProvider(async () => {
      throw own;
    });
    expect(await rejection(client.getExecution(REF))).toBe(own);
  });
});
