import { closeAfterTest, execution, fakeIdp, IDS, json, REF } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import { type Diagnosis, diagnose } from '../src/diagnose.js';
import { createIdpClient, type IdpClientOptions, REDACTED } from '../src/index.js';

const SECRET = 'diagnose-S3cret-never-shown';
const FAST = { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 };

/** A runtime that answers as the spec says: an execution, a page of actions, a published version. */
function healthy(baseUrl: () => string) {
  return fakeIdp((req, res) => {
    if (req.url.includes('/executions/')) return json(res, 200, execution('SUCCEEDED'));
    if (req.url.includes('/versions/'))
      return json(res, 200, {
        actionId: IDS.actionId,
        version: IDS.actionVersion,
        status: 'PUBLISHED',
        runtimeBaseUrl: baseUrl(),
      });
    return json(res, 200, { actions: [], total: 0 });
  });
}

function optionsFor(idp: { baseUrl: string; tokenUrl: string }): IdpClientOptions {
  return {
    organizationId: IDS.organizationId,
    baseUrl: idp.baseUrl,
    auth: { clientId: 'diagnose-client', clientSecret: SECRET, tokenUrl: idp.tokenUrl },
    retry: FAST,
  };
}

const byId = (d: Diagnosis, id: string) => d.checks.find((c) => c.id === id);

describe('diagnose()', () => {
  it('a version other than the one asked for in the answer: the version check fails, naming both', async () => {
    let base = '';
    const idp = closeAfterTest(await healthy(() => base));
    base = idp.baseUrl;
    const diagnosis = await diagnose({
      client: optionsFor(idp),
      execution: { ...REF, actionVersion: '1.2.0' },
    });
    expect(byId(diagnosis, 'access.version')).toMatchObject({
      name: 'version 1.2.0',
      status: 'fail',
      message: `asked for version 1.2.0, the service answered for version ${IDS.actionVersion}`,
    });
    expect(byId(diagnosis, 'access.version')?.action).toContain('idp actions');
  });

  it('a working setup: each group in order, each check with an id, a status and a message', async () => {
    let base = '';
    const idp = closeAfterTest(await healthy(() => base));
    base = idp.baseUrl;
    const diagnosis = await diagnose({
      client: optionsFor(idp),
      execution: REF,
      settings: {
        sources: { IDP_CLIENT_ID: 'environment', IDP_CLIENT_SECRET: '.env', IDP_ORG_ID: 'flag --org' },
      },
    });
    const groups = [...new Set(diagnosis.checks.map((c) => c.group))];
    expect(groups).toEqual(['settings', 'reach', 'token', 'access', 'spec']);
    expect(byId(diagnosis, 'settings.IDP_CLIENT_SECRET')).toMatchObject({
      status: 'ok',
      message: 'set, from the .env (value not shown)',
    });
    expect(byId(diagnosis, 'settings.IDP_REGION')).toMatchObject({ status: 'skip', message: 'not set' });
    expect(byId(diagnosis, `reach.tcp.127.0.0.1:${new URL(idp.baseUrl).port}`)?.status).toBe('ok');
    expect(byId(diagnosis, 'token')?.message).toMatch(
      /^obtained from 127\.0\.0\.1:\d+: type bearer, lifetime 3600 s$/,
    );
    expect(byId(diagnosis, 'access.execution.values')).toMatchObject({
      status: 'ok',
      message: 'status SUCCEEDED',
    });
    expect(byId(diagnosis, 'access.version')?.status).toBe('ok');
    for (const check of diagnosis.checks) {
      expect(check.id).toMatch(/^[a-z]+(\.|$)/);
      expect(['ok', 'warn', 'fail', 'skip']).toContain(check.status);
      if (check.status === 'fail') expect(check.action).toBeTruthy();
    }
    expect(diagnosis.drift.length).toBeGreaterThanOrEqual(3);
  });

  it('a missing required setting is a fail that says where to set it', async () => {
    let base = '';
    const idp = closeAfterTest(await healthy(() => base));
    base = idp.baseUrl;
    const diagnosis = await diagnose({
      client: optionsFor(idp),
      settings: { sources: {}, dotenvPath: '/work/app/.env' },
    });
    expect(diagnosis.ok).toBe(false);
    expect(byId(diagnosis, 'settings.IDP_ORG_ID')).toMatchObject({
      status: 'fail',
      action: 'set IDP_ORG_ID in the environment or in /work/app/.env',
    });
  });

  it('settings that make no client: one fail with what to do, and nothing is sent', async () => {
    const idp = closeAfterTest(await fakeIdp((_req, res) => json(res, 200, {})));
    const diagnosis = await diagnose({
      client: () => {
        throw new Error('missing setting: IDP_CLIENT_ID');
      },
    });
    expect(diagnosis).toMatchObject({ ok: false, drift: [] });
    expect(diagnosis.checks).toEqual([
      {
        id: 'settings.shape',
        group: 'settings',
        name: 'shape',
        status: 'fail',
        message: 'missing setting: IDP_CLIENT_ID',
        action: expect.stringMatching(/^correct what the message names/),
      },
    ]);
    expect(idp.server.requests).toEqual([]);
  });

  it('a secret pasted into the wrong setting is not echoed back by the settings check', async () => {
    const idp = closeAfterTest(await fakeIdp((_req, res) => json(res, 200, {})));
    const diagnosis = await diagnose({ client: { ...optionsFor(idp), organizationId: SECRET } });
    expect(byId(diagnosis, 'settings.shape')?.message).toContain(`organizationId must be a UUID`);
    expect(JSON.stringify(diagnosis)).not.toContain(SECRET);
    expect(JSON.stringify(diagnosis)).toContain(REDACTED);
  });

  it('no token it fetched, and no secret, shows anywhere, though the server echoes them', async () => {
    const issued: string[] = [];
    const idp = closeAfterTest(
      await fakeIdp(
        (_req, res) =>
          json(res, 404, {
            type: 'about:blank',
            title: `not found for ${issued.join(' ')} ${SECRET}`,
            status: 404,
          }),
        (_req, res, index) => {
          issued.push(`diagnose-token-${index}-long-enough`);
          json(res, 200, { access_token: issued.at(-1), token_type: 'bearer', expires_in: 3600 });
        },
      ),
    );
    const diagnosis = await diagnose({ client: optionsFor(idp), execution: REF });
    expect(byId(diagnosis, 'token')?.status).toBe('ok');
    expect(byId(diagnosis, 'access.execution.values')?.status).toBe('fail');
    // The token diagnose() asked for alone is the first one: the server echoes it with the others.
    expect(issued[0]).toBe('diagnose-token-0-long-enough');
    const text = JSON.stringify(diagnosis);
    for (const token of issued) expect(text).not.toContain(token);
    expect(text).not.toContain(SECRET);
    expect(text).toContain(`not found for ${REDACTED}`);
  });

  it('a refused token: the connected-app checklist, and no access check is tried', async () => {
    const idp = closeAfterTest(
      await fakeIdp(
        (_req, res) => json(res, 200, {}),
        (_req, res) => json(res, 401, { error: 'invalid_client', error_description: `bad ${SECRET}` }),
      ),
    );
    const diagnosis = await diagnose({ client: optionsFor(idp), execution: REF });
    expect(byId(diagnosis, 'token')).toMatchObject({
      status: 'fail',
      action: expect.stringContaining('Execute Published Actions'),
    });
    expect(diagnosis.checks.some((c) => c.group === 'access')).toBe(false);
    expect(idp.runtimeRequests().filter((r) => r.method !== 'HEAD')).toEqual([]);
    expect(JSON.stringify(diagnosis)).not.toContain(SECRET);
  });

  it('an unreachable host: a fail naming it, and nothing after it', async () => {
    const diagnosis = await diagnose({
      client: {
        organizationId: IDS.organizationId,
        baseUrl: 'http://127.0.0.1:9',
        auth: { clientId: 'c', clientSecret: SECRET, tokenUrl: 'http://127.0.0.1:9/token' },
      },
    });
    expect(diagnosis.ok).toBe(false);
    expect(byId(diagnosis, 'reach.tcp.127.0.0.1:9')).toMatchObject({
      status: 'fail',
      message: 'cannot connect to 127.0.0.1:9: ECONNREFUSED',
      action: expect.stringContaining('firewall'),
    });
    expect(diagnosis.checks.map((c) => c.group)).not.toContain('token');
  });

  it('an answer that drifts from the spec is a fail by path, never with the value', async () => {
    const idp = closeAfterTest(
      await fakeIdp((req, res) => {
        if (req.url.includes('/executions/'))
          return json(res, 200, { id: IDS.executionId, documentName: SECRET, pages: { page: 1 } });
        return json(res, 200, { actions: [], total: 0 });
      }),
    );
    const diagnosis = await diagnose({
      client: optionsFor(idp),
      execution: `${idp.baseUrl}/api/v1/organizations/${IDS.organizationId}/actions/${IDS.actionId}/versions/1.1.0/executions/${IDS.executionId}`,
    });
    const spec = diagnosis.checks.find((c) => c.group === 'spec' && c.message.includes('drift $.status'));
    expect(spec).toMatchObject({ status: 'fail', action: expect.stringContaining('report this') });
    expect(spec?.message).toContain('drift $.pages: type, expected array, got object');
    expect(JSON.stringify(diagnosis.checks)).not.toContain(SECRET);
  });

  it('given a client rather than its options: the token and spec checks say why they did not run', async () => {
    let base = '';
    const idp = closeAfterTest(await healthy(() => base));
    base = idp.baseUrl;
    const diagnosis = await diagnose({ client: createIdpClient(optionsFor(idp)) });
    expect(byId(diagnosis, 'token')).toMatchObject({
      status: 'skip',
      message: expect.stringMatching(/given a client/),
    });
    expect(byId(diagnosis, 'access.actions')?.status).toBe('ok');
    expect(byId(diagnosis, 'spec')).toMatchObject({
      status: 'skip',
      message: expect.stringMatching(/options/),
    });
    expect(diagnosis.ok).toBe(true);
  });
});
