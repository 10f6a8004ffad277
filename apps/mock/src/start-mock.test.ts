import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startMock } from './index.js';

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
    await mock.stop(); // twice is fine
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'Prism does not outlive a parent ended by %s',
    async (signal) => {
      const script = `import { startMock } from ${JSON.stringify(fileURLToPath(new URL('./index.ts', import.meta.url)))};
      const mock = await startMock(); console.log(mock.baseUrl); setInterval(() => {}, 1000);`;
      const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
      const baseUrl = await new Promise<string>((resolve) =>
        parent.stdout.once('data', (d) => resolve(String(d).trim())),
      );
      expect((await fetch(`${baseUrl}/`)).status).toBe(404);
      const exited = new Promise((resolve) => parent.once('exit', (_code, sig) => resolve(sig)));
      parent.kill(signal);
      expect(await exited).toBe(signal);
      await delay(300);
      await expect(fetch(`${baseUrl}/`)).rejects.toThrow();
    },
    30_000,
  );
});
