import type { RunningMock } from '@idp-kit/mock';
import { closeAfterTest, fakeIdp, IDS, json, type Ran } from '@idp-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, mockFront, runIdp, settingsFor } from './helpers.js';

const SECRET = 'doctor-S3cret-never-printed';
const VALUE = 'PRIVATE-VALUE-4711';
const TARGET = ['--action', IDS.actionId, '--version', '1.1.0', '--execution', IDS.executionId];

function doctor(base: { baseUrl: string; tokenUrl: string }, args: string[] = TARGET): Promise<Ran> {
  return runIdp(['doctor', ...args], {
    env: { ...cleanEnv, NO_COLOR: '1', ...settingsFor(base, SECRET) },
  });
}

describe('idp doctor', () => {
  let mock: RunningMock | undefined;
  beforeAll(async () => {
    mock = await mockFront();
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it('against the bundled mock every check passes (exit 0), as text and as --json', async () => {
    if (!mock) throw new Error('setup: the mock did not start');
    const run = await doctor(mock);
    expect(run.stdout).toContain('every check passed');
    expect(run.stdout).toMatch(/✓ token: obtained from 127\.0\.0\.1:\d+: type bearer, lifetime 3600 s/);
    expect(run.stdout).toMatch(/✓ IDP_CLIENT_SECRET: set, from the environment \(value not shown\)/);
    expect(run.code).toBe(0);
    const report = JSON.parse((await doctor(mock, [...TARGET, '--json'])).stdout);
    expect(report.passed).toBe(true);
    expect(report.drift.length).toBeGreaterThanOrEqual(4);
  });

  it('reports every kind of drift by path, with no value and no secret', async () => {
    const idp = closeAfterTest(
      await fakeIdp((req, res) => {
        if (req.url.includes('/executions/') && req.url.includes('valueOnly=false')) {
          res.writeHead(500, { 'content-type': 'text/html' });
          res.end(`<html><body>${VALUE} ${SECRET}</body></html>`);
          return;
        }
        if (req.url.includes('/executions/')) {
          return json(res, 200, {
            id: IDS.executionId,
            documentName: VALUE,
            shinyNewField: VALUE,
            pages: { page: 1 },
            fields: { total: { value: VALUE, confidenceScore: '97.5', geometry: { top: '0.1', left: 0.2 } } },
          });
        }
        if (req.url.endsWith('/versions/1.1.0'))
          return json(res, 200, { actionId: IDS.actionId, version: '1.1.0' });
        return json(res, 200, { actions: [], total: 0 });
      }),
    );
    const run = await doctor(idp);
    expect(run.code).toBe(1);
    for (const line of [
      'drift $.status: missing',
      'drift $.pages: type, expected array, got object',
      'drift $.fields.total.confidenceScore: type, expected number, got string',
      'drift $.fields.total.geometry.top: type, expected number, got string',
      'note $.shinyNewField: extra, got string',
      'drift $: not-json, expected JSON, got text/html',
    ]) {
      expect(run.stdout).toContain(line);
    }
    expect(`${run.stdout}${run.stderr}`).not.toContain(VALUE);
    expect(`${run.stdout}${run.stderr}`).not.toContain(SECRET);
    expect(`${run.stdout}${run.stderr}`).not.toContain('97.5');
  });

  it('a refused token prints the connected-app checklist', async () => {
    const idp = closeAfterTest(
      await fakeIdp(
        (_req, res) => json(res, 200, {}),
        (_req, res) =>
          json(res, 401, { error: 'invalid_client', error_description: 'Invalid client credentials' }),
      ),
    );
    const run = await doctor(idp, []);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✗ token: /);
    expect(run.stdout).toContain('App acts on its own behalf (client credentials)');
    expect(run.stdout).toContain('Execute Published Actions');
    expect(run.stdout).not.toContain(SECRET);
  });

  it('an unreachable host is a ✗ that names it', async () => {
    const run = await doctor(
      { baseUrl: 'http://127.0.0.1:9', tokenUrl: 'http://127.0.0.1:9/accounts/api/v2/oauth2/token' },
      [],
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✗ TCP 127\.0\.0\.1:9: cannot connect to 127\.0\.0\.1:9: ECONNREFUSED/);
  });
});
