import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@idp-kit/mock';
import { IDS, runNode, startNode } from '@idp-kit/testkit';
import { describe, expect, inject, it } from 'vitest';
import { samplePdf } from './sample-pdf.js';

const cwd = fileURLToPath(new URL('..', import.meta.url));
// The examples use the real service when IDP_* is set; these tests must use the mock.
const withoutIdp = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('IDP_')));
// Submitted documents settle on the mock in 1 s instead of 20; each run's mock is a front over the one
// Prism of this test run (src/global-setup.ts), not a Prism of its own. \`pnpm demo\` (demo.test.ts)
// still starts the whole mock, as users run it.
const env = { ...withoutIdp, IDP_MOCK_LIFECYCLE_MS: '1000', IDP_MOCK_PRISM_URL: inject('prismUrl') };
const tsx = (script: string, args: string[] = [], extraEnv: NodeJS.ProcessEnv = {}) =>
  runNode(['--import', 'tsx', `src/${script}`, ...args], { cwd, env: { ...env, ...extraEnv } });
const serve = (...args: string[]) =>
  startNode(
    ['--import', 'tsx', 'src/callback-server.ts', ...args],
    /(http:\/\/127\.0\.0\.1:\d+\/idp\/callback)(\?\S+)/,
    { cwd, env },
  );

describe('examples against the bundled mock', () => {
  it('retrieve prints the execution and its fields', async () => {
    const { code, stdout } = await tsx('retrieve.ts');
    expect(code).toBe(0);
    expect(stdout).toContain('Using the bundled IDP mock');
    expect(stdout).toContain('(invoice-2291.pdf): SUCCEEDED');
    expect(stdout).toMatch(/vendorName\s+Acme Industrial Supply/);
  });

  it('submit-and-wait submits a generated PDF, waits and prints the table', async () => {
    const { code, stdout } = await tsx('submit-and-wait.ts');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Submitted invoice-2291\.pdf: execution [0-9a-f-]{36}/);
    expect(stdout).toMatch(/… ACKNOWLEDGED\n[\s\S]*… SUCCEEDED\n/);
    expect(stdout).toMatch(/invoiceNumber\s+INV-2291/);
  });

  it('review-loop: submit, settle in review, correct one item, approve, final results carry the correction', async () => {
    const { code, stdout, stderr } = await tsx('review-loop.ts');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Submitted purchase-order-review\.pdf: execution [0-9a-f-]{36}/);
    expect(stdout).toMatch(/… MANUAL_VALIDATION_REQUIRED\n/);
    expect(stdout).toContain('  total: null (confidence 12.5)');
    expect(stdout).toContain('Corrected total to "1,920.00"; approving.');
    expect(stdout).toMatch(/\(purchase-order-review\.pdf\): SUCCEEDED/);
    expect(stdout).toMatch(/total\s+1,920\.00/);
  });

  it('review-loop with a correction the review has no item for: exit 2, names the items it has', async () => {
    const { code, stderr } = await tsx('review-loop.ts', ['', 'totl=1']);
    expect(code).toBe(2);
    expect(stderr).toBe('review-loop: the review has no item named "totl"; it has "total", "buyer"\n');
  });

  it('batch: generated invoices through the mock into results files; the copy is sent once', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'idp-example-batch-'));
    const { code, stdout, stderr } = await tsx('batch.ts', [], { TMPDIR: scratch }).finally(() =>
      rm(scratch, { recursive: true, force: true }),
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('5 of 5 documents SUCCEEDED; 1 duplicate not sent again.');
    expect(stdout.match(/: submitting/g)).toHaveLength(5);
    expect(stdout).toMatch(/Results: \S+results\.jsonl/);
  });

  it('callback-server receives a played callback, fetches the execution and exits (--once)', async () => {
    const server = await serve('--once');
    try {
      const played = await tsx('play-idp.ts', [server.ready[0]]);
      expect(played.code).toBe(0);
      expect(played.stdout).toContain('callback answered HTTP 204');
      expect(await server.exited).toBe(0);
      expect(server.output()).toContain('Callback received; fetched the execution:');
      expect(server.output()).toMatch(/invoiceNumber\s+INV-2291/);
    } finally {
      server.child.kill();
    }
  });

  it('play-idp with a wrong nonce is refused', async () => {
    const server = await serve();
    try {
      const played = await tsx('play-idp.ts', [`${server.ready[1]}?idp_nonce=guess`]);
      expect(played.code).toBe(1);
      expect(played.stdout).toContain('callback answered HTTP 401');
      expect(server.output()).not.toContain('Callback received');
    } finally {
      server.child.kill('SIGINT');
    }
  });
});

describe('examples: bad input is one line, no stack', () => {
  const noStack = (stderr: string) => {
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).not.toMatch(/\n\s+at /);
  };

  it('a relative path is read from the folder the user ran the command in', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'idp-example-'));
    try {
      await writeFile(join(folder, 'my invoice.pdf'), samplePdf());
      const run = await tsx('submit-and-wait.ts', ['my invoice.pdf'], { INIT_CWD: folder });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Submitted my invoice.pdf: execution');
    } finally {
      await rm(folder, { recursive: true });
    }
  });

  it('a missing file: exit 2, says which file and where it looked, before starting anything', async () => {
    const run = await tsx('submit-and-wait.ts', ['nope.pdf'], { INIT_CWD: '/tmp' });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('submit-and-wait: cannot read "nope.pdf" (/tmp/nope.pdf): no such file\n');
    expect(run.stdout).toBe('');
  });

  it('an unreachable host: exit 1, one line naming what failed', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const run = await tsx('retrieve.ts', [], {
      IDP_CLIENT_ID: 'c',
      IDP_CLIENT_SECRET: 'a-secret-value',
      IDP_ORG_ID: IDS.organizationId,
      IDP_BASE_URL: closed,
      IDP_TOKEN_URL: `${closed}/accounts/api/v2/oauth2/token`,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^retrieve: Could not reach the token endpoint http:\/\/127\.0\.0\.1:\d+\/\S+ after 4 attempts/,
    );
    expect(run.stderr).not.toContain('a-secret-value');
    noStack(run.stderr);
  });

  it('bad settings: exit 2, one line saying what is wrong', async () => {
    const run = await tsx('retrieve.ts', [], {
      IDP_CLIENT_ID: 'c',
      IDP_CLIENT_SECRET: 's',
      IDP_ORG_ID: 'my-org',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^retrieve: organizationId must be a UUID/);
    noStack(run.stderr);
  });

  it('play-idp against a host that is not there: one line', async () => {
    const run = await tsx('play-idp.ts', ['http://127.0.0.1:9/idp/callback?idp_nonce=x']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^play-idp: cannot reach http:\/\/127\.0\.0\.1:9: /);
    noStack(run.stderr);
  });
});
