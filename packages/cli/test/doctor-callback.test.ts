// `idp doctor --callback-url`: one PATCH to the public URL must arrive at the listener the batch would
// open. A loopback forwarder stands in for a reverse proxy or tunnel; a server answering 502 for one
// that forwards nowhere.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loopback, runNode } from '@idp-kit/testkit';
import { describe, expect, it, onTestFinished } from 'vitest';
import { BIN, cleanEnv, settingsFor } from './helpers.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A reverse proxy on loopback: every request, path and query string as they came, to `port`. */
async function forwarder(port: number): Promise<string> {
  const server = createServer((req, res) => {
    const out = request(
      { host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers },
      (back) => {
        res.writeHead(back.statusCode ?? 502, back.headers);
        back.pipe(res);
      },
    );
    out.on('error', () => res.writeHead(502).end());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/idp`;
}

async function doctor(url: string, listen: string) {
  // The other checks go to a loopback server that knows nothing: only the callback check matters here.
  const nothing = await loopback((_req, res) => {
    res.writeHead(404).end();
  });
  onTestFinished(() => nothing.close());
  const target = { baseUrl: nothing.url, tokenUrl: `${nothing.url}/token` };
  const run = await runNode([BIN, 'doctor', '--json', '--callback-url', url, '--callback-listen', listen], {
    env: { ...cleanEnv, NO_COLOR: '1', ...settingsFor(target) },
  });
  const report = JSON.parse(run.stdout) as {
    checks: { group: string; outcome: string; detail: string; hint?: string }[];
  };
  return { run, check: report.checks.find((c) => c.group === 'callbacks') };
}

describe('idp doctor --callback-url', () => {
  it('passes when a PATCH to the public URL arrives at the listener (through a proxy); the probe nonce is not printed', async () => {
    const port = await freePort();
    const { run, check } = await doctor(await forwarder(port), `127.0.0.1:${port}`);
    expect(check).toMatchObject({
      outcome: 'pass',
      detail: expect.stringMatching(/\/hooks\/idp arrived at 127\.0\.0\.1:\d+$/),
    });
    expect(run.stdout + run.stderr).not.toMatch(/idp_nonce/);
  });

  it.each([
    [502, 'a proxy with nothing behind it'],
    [204, 'another service that answers 204 itself'],
  ])('fails, saying what came back, when the public URL leads somewhere else (%i: %s)', async (status) => {
    const elsewhere = await loopback((_req, res) => {
      res.writeHead(status).end();
    });
    onTestFinished(() => elsewhere.close());
    const port = await freePort();
    const { run, check } = await doctor(`${elsewhere.url}/hooks/idp`, `127.0.0.1:${port}`);
    expect(check).toMatchObject({
      outcome: 'fail',
      detail: expect.stringMatching(
        new RegExp(`was answered ${status}, and never arrived at 127\\.0\\.0\\.1:\\d+`),
      ),
      hint: expect.stringContaining('forward the public URL, with its query string'),
    });
    expect(run.code).toBe(1);
  });
});
