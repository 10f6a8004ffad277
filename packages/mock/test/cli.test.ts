import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { runNode, startNode } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import { exportLines, freePort, MOCK_EXECUTIONS, mockSettings } from '../src/index.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

describe('pnpm mock (idp-mock)', () => {
  it('prints the base URL, the well-known ids and curls that work, and stops cleanly on Ctrl-C', async () => {
    const port = await freePort();
    const mock = await startNode([CLI], /Press Ctrl-C/, { env: { ...process.env, PORT: String(port) } });
    const output = mock.output();
    try {
      expect(output).toContain(`IDP mock (Prism) listening on http://127.0.0.1:${port}`);
      for (const [name, id] of Object.entries(MOCK_EXECUTIONS))
        expect(output).toMatch(new RegExp(`${name} +${id}`));
      // the settings, as `idp mock` prints them: export lines with a client id and secret, that paste
      const exports = output.split('\n').filter((line) => line.startsWith('export '));
      expect(exports).toEqual(
        exportLines(
          mockSettings({
            baseUrl: `http://127.0.0.1:${port}`,
            tokenUrl: `http://127.0.0.1:${port}/accounts/api/v2/oauth2/token`,
          }),
        ),
      );
      expect(exports.map((line) => line.split('=')[0])).toEqual(
        ['IDP_BASE_URL', 'IDP_TOKEN_URL', 'IDP_ORG_ID', 'IDP_CLIENT_ID', 'IDP_CLIENT_SECRET'].map(
          (n) => `export ${n}`,
        ),
      );
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
      const failed = await fetch(url.replace(/executions\/[^?]+/, `executions/${MOCK_EXECUTIONS.FAILED}`), {
        headers: { Authorization: `Bearer ${access_token}` },
      });
      expect(((await failed.json()) as { status: string }).status).toBe('FAILED');
      mock.child.kill('SIGINT');
      expect(await mock.exited).toBe(0);
      expect(mock.output()).toContain('mock stopped (SIGINT)');
      await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
    } finally {
      mock.child.kill('SIGKILL');
    }
  });

  it('on a taken port: a clear message on stderr, nothing on stdout, exit 1', async () => {
    const other = createServer((_req, res) => res.end('someone else'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const { port } = other.address() as AddressInfo;
    try {
      const run = await runNode([CLI], { env: { ...process.env, PORT: String(port) } });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(
        `idp-mock: port ${port} on 127.0.0.1 is already in use by another program`,
      );
    } finally {
      other.close();
    }
  });
});
