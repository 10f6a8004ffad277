import { fileURLToPath } from 'node:url';
import { runNode, startNode } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';

const cwd = fileURLToPath(new URL('..', import.meta.url));
// The examples use the real service when IDP_* is set; these tests must use the mock.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('IDP_')));
const tsx = (script: string, ...args: string[]) =>
  runNode(['--import', 'tsx', `src/${script}`, ...args], { cwd, env, timeoutMs: 60_000 });
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
    expect(stdout).toContain('Submitted invoice-2291.pdf: execution 022c61de-9bfc-4a94-8a9c-43c5f8ac153e');
    expect(stdout).toContain('… SUCCEEDED');
    expect(stdout).toMatch(/invoiceNumber\s+INV-2291/);
  });

  it('callback-server receives a played callback, fetches the execution and exits (--once)', async () => {
    const server = await serve('--once');
    try {
      const played = await tsx('play-idp.ts', server.ready[0]);
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
      const played = await tsx('play-idp.ts', `${server.ready[1]}?idp_nonce=guess`);
      expect(played.code).toBe(1);
      expect(played.stdout).toContain('callback answered HTTP 401');
      expect(server.output()).not.toContain('Callback received');
    } finally {
      server.child.kill('SIGINT');
    }
  });
});
