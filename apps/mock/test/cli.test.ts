import { fileURLToPath } from 'node:url';
import { startNode } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import { freePort } from '../src/index.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

describe('pnpm mock (idp-mock)', () => {
  it('prints the base URL and curls that work, and stops cleanly on Ctrl-C', async () => {
    const port = await freePort();
    const mock = await startNode([CLI], /Press Ctrl-C/, { env: { ...process.env, PORT: String(port) } });
    const output = mock.output();
    try {
      expect(output).toContain(`IDP mock (Prism) listening on http://127.0.0.1:${port}`);
      // the printed token curl, as a request
      const body = /-d '(\{.*\})'/.exec(output)?.[1] ?? '';
      const token = await fetch(`http://127.0.0.1:${port}/accounts/api/v2/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
      });
      expect(token.status).toBe(200);
      const { access_token } = (await token.json()) as { access_token: string };
      const url = /curl -s '(http:\/\/[^']+)'/.exec(output)?.[1] ?? '';
      const execution = await fetch(url, { headers: { Authorization: `Bearer ${access_token}` } });
      expect(execution.status).toBe(200);
      expect(((await execution.json()) as { status: string }).status).toBe('SUCCEEDED');
      mock.child.kill('SIGINT');
      expect(await mock.exited).toBe(0);
      expect(mock.output()).toContain('mock stopped (SIGINT)');
      await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
    } finally {
      mock.child.kill('SIGKILL');
    }
  }, 30_000);
});
