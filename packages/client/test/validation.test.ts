import { closeAfterTest, execution, fakeIdp, json, REF } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import { createIdpClient, type ExecutionRef, IdpValidationError } from '../src/index.js';
import { rejection, setup } from './helpers.js';

const ORG = '01f79c97-9a83-4194-b922-15b64fd7305e';
const auth = { getToken: async () => 't', invalidate: () => {} };

describe('ids are checked before anything is sent', () => {
  it.each<[string, Partial<ExecutionRef>, RegExp]>([
    ['a path-escaping execution id', { executionId: '../../x' }, /executionId must be a UUID/],
    ['an empty execution id', { executionId: '' }, /executionId must be a UUID/],
    ['an empty action id', { actionId: '' }, /actionId must be a UUID/],
    [
      'an encoded slash',
      { actionId: '90c3e286-72b5-42ca-92d0-22f86ea8d766%2F..' },
      /actionId must be a UUID/,
    ],
    ['a bad version', { actionVersion: '1.1' }, /actionVersion must be .* semantic version/],
    ['"latest"', { actionVersion: 'latest' }, /there is no "latest"/],
    ['a version with a slash', { actionVersion: '1.1.0/../../x' }, /semantic version/],
  ])('%s → IdpValidationError and zero requests', async (_name, override, message) => {
    const { idp, client } = await setup(() => {});
    for (const call of [
      () => client.getExecution({ ...REF, ...override }),
      () => client.waitForExecution({ ...REF, ...override }),
    ]) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(IdpValidationError);
      expect((error as Error).message).toMatch(message);
    }
    expect(idp.server.requests).toHaveLength(0);
  });

  it('a missing ref is refused clearly', async () => {
    const { client } = await setup(() => {});
    const error = await rejection(client.getExecution(undefined as unknown as ExecutionRef));
    expect(error).toBeInstanceOf(IdpValidationError);
  });
});

describe('createIdpClient options', () => {
  it.each([
    [{ organizationId: 'acme' }, /organizationId must be a UUID/],
    [{ region: 'ap-southeast-2' }, /region must be one of us-east-1, eu-central-1/],
    [{ baseUrl: 'http://idp.example.com' }, /baseUrl: http is allowed only to a loopback host/],
    [{ baseUrl: 'https://user:pw@idp.example.com' }, /must not carry credentials/],
    [{ timeoutMs: 0 }, /timeoutMs must be/],
    [{ retry: { maxRetries: -1 } }, /retry.maxRetries must be/],
    [{ auth: undefined }, /auth is required/],
    [{ auth: { clientId: '', clientSecret: 's' } }, /auth\.clientId is required/],
    [
      { auth: { clientId: 'c', clientSecret: 's', tokenUrl: 'http://evil.example.com/t' } },
      /auth\.tokenUrl: http is allowed only/,
    ],
  ])('%o → IdpValidationError', (override, message) => {
    const create = () => createIdpClient({ organizationId: ORG, auth, ...(override as object) });
    expect(create).toThrow(IdpValidationError);
    expect(create).toThrow(message);
  });

  it('region picks the base URL; baseUrl overrides it; http is fine on loopback', () => {
    expect(createIdpClient({ organizationId: ORG, auth }).baseUrl).toBe(
      'https://idp-rt.us-east-1.anypoint.mulesoft.com',
    );
    expect(createIdpClient({ organizationId: ORG, auth, region: 'eu-central-1' }).baseUrl).toBe(
      'https://idp-rt.eu-central-1.eu1.anypoint.mulesoft.com',
    );
    expect(createIdpClient({ organizationId: ORG, auth, baseUrl: 'http://127.0.0.1:4010/' }).baseUrl).toBe(
      'http://127.0.0.1:4010',
    );
    expect(createIdpClient({ organizationId: ORG, auth, baseUrl: 'http://localhost:4010' }).baseUrl).toBe(
      'http://localhost:4010',
    );
  });

  it('each region asks its own control plane for the token, and sends to its own runtime host', async () => {
    const expected = [
      [
        'eu-central-1',
        'https://eu1.anypoint.mulesoft.com',
        'https://idp-rt.eu-central-1.eu1.anypoint.mulesoft.com',
      ],
      ['us-east-1', 'https://anypoint.mulesoft.com', 'https://idp-rt.us-east-1.anypoint.mulesoft.com'],
    ] as const;
    for (const [region, controlPlane, runtime] of expected) {
      const idp = closeAfterTest(await fakeIdp((_req, res) => json(res, 200, execution('SUCCEEDED'))));
      // Every request goes to the loopback fake; the URL the client meant is recorded.
      const meant: string[] = [];
      const toLoopback: typeof fetch = (input, init) => {
        const url = new URL(String(input));
        meant.push(url.href);
        return fetch(`${idp.baseUrl}${url.pathname}${url.search}`, init);
      };
      const client = createIdpClient({
        organizationId: ORG,
        region,
        auth: { clientId: 'c', clientSecret: 'SECRET-123456' },
        fetch: toLoopback,
      });
      await client.getExecution(REF);
      expect(meant[0]).toBe(`${controlPlane}/accounts/api/v2/oauth2/token`);
      expect(meant[1]?.startsWith(`${runtime}/api/v1/organizations/${ORG}/`)).toBe(true);
      expect(idp.tokenRequests()).toHaveLength(1);
    }
  });
});
