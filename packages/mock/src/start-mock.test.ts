import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it, vi } from 'vitest';
import { EXAMPLE_EXECUTION } from './example.js';
import { freePort, MockStartError, startMock } from './index.js';
import type { RunningPrism } from './prism.js';
import { startMockOver } from './start-mock.js';

describe('startMock', () => {
  it('answers, serves the token endpoint, and stops', async () => {
    const mock = await startMock();
    const response = await fetch(mock.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'a', client_secret: 'b' }),
    });
    expect(response.status).toBe(200);
    await mock.stop();
    await expect(fetch(mock.tokenUrl, { method: 'POST' })).rejects.toThrow();
    await expect(fetch(`${mock.prismUrl}/`)).rejects.toThrow();
    await mock.stop(); // twice is fine
  });

  it('answers 503 with Retry-After: 1 while Prism starts, then serves from Prism', async () => {
    const { organizationId, actionId, actionVersion, executionId } = EXAMPLE_EXECUTION;
    const path = `/api/v1/organizations/${organizationId}/actions/${actionId}/versions/${actionVersion}/executions/${executionId}`;
    const port = await freePort();
    // Prism is "ready" when the test says so: the run's own Prism, handed over by hand.
    let ready: (prism: RunningPrism) => void = () => {};
    let launched: () => void = () => {};
    const listening = new Promise<void>((resolve) => {
      launched = resolve;
    });
    const starting = startMockOver({ port }, () => {
      launched();
      return new Promise<RunningPrism>((resolve) => {
        ready = resolve;
      });
    });
    await listening;
    const early = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { Authorization: 'Bearer t' } });
    expect(early.status).toBe(503);
    expect(early.headers.get('retry-after')).toBe('1');
    expect(early.headers.get('content-type')).toBe('application/problem+json');
    const text = await early.text();
    expect(text).not.toContain('\n');
    expect(JSON.parse(text)).toMatchObject({
      status: 503,
      detail: expect.stringMatching(/mock is starting/),
    });
    const upload = await fetch(`http://127.0.0.1:${port}${path.replace(/\/[^/]+$/, '')}`, {
      method: 'POST',
      headers: { Authorization: 'Bearer t', 'content-type': 'application/octet-stream' },
      body: new Uint8Array(256 * 1024),
    });
    expect(upload.status).toBe(503);
    await upload.body?.cancel();

    ready({ url: inject('prismUrl'), stop: async () => {} });
    const mock = await starting;
    try {
      const later = await fetch(`${mock.baseUrl}${path}`, { headers: { Authorization: 'Bearer t' } });
      expect(later.status).toBe(200);
      expect(((await later.json()) as { id: string }).id).toBe(executionId);
    } finally {
      await mock.stop();
    }
  });

  it('over a running Prism (prismUrl): a front of its own that serves from it, and stop() leaves it running', async () => {
    const { organizationId, actionId, actionVersion, executionId } = EXAMPLE_EXECUTION;
    const path = `/api/v1/organizations/${organizationId}/actions/${actionId}/versions/${actionVersion}/executions/${executionId}`;
    const prismUrl = inject('prismUrl');
    const mock = await startMock({ prismUrl });
    expect(mock.prismUrl).toBe(prismUrl);
    expect(mock.baseUrl).not.toBe(prismUrl);
    const served = await fetch(`${mock.baseUrl}${path}`, { headers: { Authorization: 'Bearer t' } });
    expect(served.status).toBe(200);
    expect(((await served.json()) as { id: string }).id).toBe(executionId);
    await mock.stop();
    await expect(fetch(`${mock.baseUrl}${path}`)).rejects.toThrow();
    // Not this mock's Prism: it still answers (Prism's own 404 for an unknown path).
    expect((await fetch(`${prismUrl}/`)).status).toBe(404);
  });

  it('refuses a port that another program holds, and says so', async () => {
    let hits = 0;
    const other = createServer((_req, res) => {
      hits++;
      res.end('someone else');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const { port } = other.address() as AddressInfo;
    try {
      const error = await startMock({ port }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MockStartError);
      expect((error as Error).message).toBe(
        `port ${port} on 127.0.0.1 is already in use by another program; stop it, or choose another port (idp mock --port N, or PORT=N pnpm mock)`,
      );
      expect(hits).toBe(0);
    } finally {
      other.close();
    }
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('Prism does not outlive a parent ended by %s', async (signal) => {
    const script = `import { startMock } from ${JSON.stringify(fileURLToPath(new URL('./index.ts', import.meta.url)))};
      const mock = await startMock(); console.log(mock.prismUrl); setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
    let stderr = '';
    parent.stderr.on('data', (d) => {
      stderr += String(d);
    });
    // A parent whose startMock failed ends without a URL: fail with what it said, not by waiting.
    const prismUrl = await new Promise<string>((resolve, reject) => {
      parent.stdout.once('data', (d) => resolve(String(d).trim()));
      parent.once('exit', (code) =>
        reject(new Error(`the parent ended (${code}) before Prism was up: ${stderr}`)),
      );
    });
    expect((await fetch(`${prismUrl}/`)).status).toBe(404);
    const exited = new Promise((resolve) => parent.once('exit', (_code, sig) => resolve(sig)));
    parent.kill(signal);
    expect(await exited).toBe(signal);
    // Prism goes down right after its parent; poll for that instead of guessing how long it takes.
    await vi.waitFor(() => expect(fetch(`${prismUrl}/`)).rejects.toThrow(), {
      timeout: 60_000,
      interval: 100,
    });
  });
});
