import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cwd = fileURLToPath(new URL('..', import.meta.url));
// The examples use the real service when IDP_* is set; these tests must use the mock.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('IDP_')));
const tsx = (script: string, ...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', `src/${script}`, ...args], { cwd, env, timeout: 60_000 });

describe('examples against the bundled mock', () => {
  it('retrieve prints the execution and its fields', async () => {
    const { stdout } = await tsx('retrieve.ts');
    expect(stdout).toContain('Using the bundled IDP mock');
    expect(stdout).toContain('(invoice-2291.pdf): SUCCEEDED');
    expect(stdout).toMatch(/vendorName\s+Acme Industrial Supply/);
  }, 60_000);

  it('submit-and-wait submits a generated PDF, waits and prints the table', async () => {
    const { stdout } = await tsx('submit-and-wait.ts');
    expect(stdout).toContain('Submitted invoice-2291.pdf: execution 022c61de-9bfc-4a94-8a9c-43c5f8ac153e');
    expect(stdout).toContain('… SUCCEEDED');
    expect(stdout).toMatch(/invoiceNumber\s+INV-2291/);
  }, 60_000);

  it('callback-server receives a played callback, fetches the execution and exits (--once)', async () => {
    const server = spawn(process.execPath, ['--import', 'tsx', 'src/callback-server.ts', '--once'], {
      cwd,
      env,
    });
    let output = '';
    server.stdout.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no callback URL in: ${output}`)), 30_000);
        server.stdout.on('data', () => {
          const match = /(http:\/\/127\.0\.0\.1:\d+\/idp\/callback\?\S+)/.exec(output);
          if (match?.[1]) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
      });
      const played = await tsx('play-idp.ts', url);
      expect(played.stdout).toContain('callback answered HTTP 204');
      expect(await exited).toBe(0);
      expect(output).toContain('Callback received; fetched the execution:');
      expect(output).toMatch(/invoiceNumber\s+INV-2291/);
    } finally {
      server.kill();
    }
  }, 60_000);

  it('play-idp with a wrong nonce is refused', async () => {
    const server = spawn(process.execPath, ['--import', 'tsx', 'src/callback-server.ts'], { cwd, env });
    let output = '';
    server.stdout.on('data', (chunk) => {
      output += chunk;
    });
    try {
      const url = await new Promise<string>((resolve) => {
        server.stdout.on('data', () => {
          const match = /(http:\/\/127\.0\.0\.1:\d+\/idp\/callback)\?/.exec(output);
          if (match?.[1]) resolve(`${match[1]}?idp_nonce=guess`);
        });
      });
      const played = await tsx('play-idp.ts', url).catch((e: { stdout: string }) => e);
      expect(played.stdout).toContain('callback answered HTTP 401');
      expect(output).not.toContain('Callback received');
    } finally {
      server.kill('SIGINT');
    }
  }, 60_000);
});
