import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningMock } from '@idp-kit/mock';
import { closeAfterTest, fakeIdp, IDS, json, pdfBytes, type Ran } from '@idp-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, mockFront, runIdp, settingsFor } from './helpers.js';

const PASSWORD = 'An1-password-never-printed';

function idp(args: string[], env: Record<string, string>, cwd?: string): Promise<Ran> {
  return runIdp(args, { env: { ...cleanEnv, NO_COLOR: '1', ...env }, ...(cwd ? { cwd } : {}) });
}

describe('reviews and discovery against the mock', () => {
  let mock: RunningMock | undefined;
  let dir = '';
  beforeAll(async () => {
    mock = await mockFront({ lifecycleMs: 1_000 });
    dir = await mkdtemp(join(tmpdir(), 'idp-review-'));
  });
  afterAll(async () => {
    await mock?.stop();
    if (dir) await rm(dir, { recursive: true });
  });
  const env = () => {
    if (!mock) throw new Error('setup: the mock did not start (see the beforeAll error above)');
    return settingsFor(mock);
  };

  it('actions lists every action with its versions and where each runs; --csv one row per version', async () => {
    const run = await idp(['actions'], env());
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Invoices\s+90c3e286-72b5-42ca-92d0-22f86ea8d766\s+INVOICE/);
    expect(run.stdout).toMatch(/1\.1\.0\s+PUBLISHED\s+https:\/\/idp-rt\.us-east-1\.anypoint\.mulesoft\.com/);
    expect(run.stdout).toMatch(/1\.0\.0\s+PUBLISHED\s+\(not published to a runtime\)/);
    const csv = await idp(['actions', '--csv'], env());
    expect(csv.stdout.split('\r\n')).toContain(
      '90c3e286-72b5-42ca-92d0-22f86ea8d766,Invoices,INVOICE,1.1.0,PUBLISHED,https://idp-rt.us-east-1.anypoint.mulesoft.com',
    );
  });

  it('action shows what it extracts and where the version runs; a bad id is exit 2', async () => {
    const run = await idp(['action', IDS.actionId, '--version', '1.1.0'], env());
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Version 1.1.0: https://idp-rt.us-east-1.anypoint.mulesoft.com');
    expect(run.stdout).toMatch(/field\s+totalAmount\s+number/);
    expect(run.stdout).toMatch(/column\s+lineItems\.amount/);
    expect(run.stdout).toMatch(/prompt\s+paymentTerms\s+What are the payment terms\?/);
    const bad = await idp(['action', 'not-an-id'], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/actionId must be a UUID/);
  });

  it('the review loop: submit, wait (5), reviews, review, update --set, approve, wait --until final (0)', async () => {
    await writeFile(join(dir, 'po-needs-review.pdf'), pdfBytes(1));
    const submitted = await idp(
      [
        'submit',
        'po-needs-review.pdf',
        '--action',
        IDS.actionId,
        '--version',
        '1.1.0',
        '--wait',
        '--interval',
        '10ms',
      ],
      env(),
      dir,
    );
    expect(submitted.code).toBe(5);
    const executionId = /execution ([0-9a-f-]{36})/.exec(submitted.stderr)?.[1] ?? '';
    expect(executionId).not.toBe('');
    const target = ['--action', IDS.actionId, '--execution', executionId];

    const listed = await idp(['reviews', '--json'], env());
    expect(JSON.parse(listed.stdout)[0]).toMatchObject({
      docOperationId: executionId,
      docFileName: 'po-needs-review.pdf',
    });

    const shown = await idp(['review', ...target], env());
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/total\s+\(no value\)\s+12\.5 !/);
    expect(shown.stdout).toContain('2 values below 80%');

    const updated = await idp(['review', 'update', ...target, '--set', 'total=1,920.00'], env());
    expect(updated.code).toBe(0);
    expect(updated.stdout).toMatch(/total\s+1,920\.00\s+12\.5\s+validated/);

    const unknown = await idp(['review', 'update', ...target, '--set', 'totl=1'], env());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('the review has no item named "totl"; it has "total", "buyer"');

    const approved = await idp(['review', 'approve', ...target], env());
    expect(approved.code).toBe(0);
    expect(approved.stderr).toContain(`approved: execution ${executionId} becomes SUCCEEDED`);

    const final = await idp(
      [
        'wait',
        '--action',
        IDS.actionId,
        '--version',
        '1.1.0',
        '--execution',
        executionId,
        '--until',
        'final',
        '--json',
      ],
      env(),
    );
    expect(final.code).toBe(0);
    const body = JSON.parse(final.stdout);
    expect(body.status).toBe('SUCCEEDED');
    expect(body.pages[0].fields.total.value).toBe('1,920.00');

    const again = await idp(['review', 'approve', ...target], env());
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no review task for execution/i);
  });

  it('review update --file takes { name: value }; without --set or --file it says what to do', async () => {
    const file = join(dir, 'fix.json');
    await writeFile(file, JSON.stringify({ buyer: 'Northwind Traders Ltd' }));
    const target = ['--action', IDS.actionId, '--execution', '00000000-0000-4000-8000-000000000004'];
    const run = await idp(['review', 'update', ...target, '--file', 'fix.json'], env(), dir);
    expect(run.code).toBe(0);
    const nothing = await idp(['review', 'update', ...target], env());
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('say what to correct: --set name=value, or --file corrections.json');
  });
});

describe('Basic credentials in the CLI', () => {
  it('go to reviews instead of the token, and the password is never printed', async () => {
    const server = closeAfterTest(
      await fakeIdp((req, res) =>
        json(res, 401, {
          status: 401,
          title: 'Unauthorized',
          // A careless server that echoes the decoded credentials: the CLI's last guard must catch it.
          detail: `bad credentials ${Buffer.from(String(req.headers.authorization).slice(6), 'base64').toString()}`,
        }),
      ),
    );
    const run = await idp(['reviews', '--verbose'], {
      IDP_BASE_URL: server.baseUrl,
      IDP_TOKEN_URL: server.tokenUrl,
      IDP_ORG_ID: IDS.organizationId,
      IDP_CLIENT_ID: 'cli-client',
      IDP_CLIENT_SECRET: 'cli-secret-1234',
      IDP_USERNAME: 'reviewer',
      IDP_PASSWORD: PASSWORD,
    });
    expect(run.code).toBe(1);
    expect(server.tokenRequests()).toHaveLength(0);
    expect(server.runtimeRequests()[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from(`reviewer:${PASSWORD}`).toString('base64')}`,
    );
    // The echo reached the output… without the password, and user:pass is blanked whole.
    expect(run.stderr).toContain('bad credentials [redacted]');
    expect(`${run.stdout}${run.stderr}`).not.toContain(PASSWORD);
    expect(`${run.stdout}${run.stderr}`).not.toContain(`reviewer:${PASSWORD}`);
  });

  it('IDP_USERNAME without IDP_PASSWORD is a usage error', async () => {
    const run = await idp(['reviews'], {
      IDP_BASE_URL: 'http://127.0.0.1:9',
      IDP_ORG_ID: IDS.organizationId,
      IDP_CLIENT_ID: 'c',
      IDP_CLIENT_SECRET: 's-123456',
      IDP_USERNAME: 'reviewer',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('IDP_USERNAME and IDP_PASSWORD go together');
  });
});
