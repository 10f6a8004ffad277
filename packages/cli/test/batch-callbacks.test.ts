// `idp batch run --callback-url`: the flags are checked before anything is sent (exit 2), and a run
// against the mock (which calls back, as IDP does) takes every document on its callback.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMock } from '@idp-kit/mock';
import { IDS, pdfBytes, runNode } from '@idp-kit/testkit';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { BIN, cleanEnv, settingsFor } from './helpers.js';

const TARGET = ['--action', IDS.actionId, '--version', '1.1.0'];

async function folder(count: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'idp-batch-callbacks-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'in'));
  for (let i = 0; i < count; i++)
    await writeFile(join(dir, 'in', `invoice-${i}.pdf`), pdfBytes(1, { text: `invoice ${i}` }));
  return dir;
}

/** A loopback port free a moment ago (the listener binds it next). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('idp batch run: callbacks', () => {
  it.each([
    [['--callback-listen', '127.0.0.1:8787'], /--callback-listen needs --callback-url/],
    [['--callback-sweep', '30s'], /--callback-sweep needs --callback-url/],
    [
      ['--callback-url', 'http://hooks.example.com/idp'],
      /--callback-url: .*https.*reverse proxy or a tunnel/,
    ],
    [
      ['--callback-url', 'https://hooks.example.com/idp', '--callback-listen', 'anywhere'],
      /--callback-listen: .*host:port/,
    ],
  ])('%j is a usage error (exit 2), before anything is sent', async (args, message) => {
    const dir = await folder(1);
    const run = await runNode([BIN, 'batch', 'run', 'in', ...TARGET, '--out', 'out', ...args], {
      env: { ...cleanEnv, NO_COLOR: '1', IDP_BASE_URL: 'http://127.0.0.1:9', IDP_ORG_ID: IDS.organizationId },
      cwd: dir,
    });
    expect(run.stderr).toMatch(message);
    expect(run.code).toBe(2);
  });

  it('against the mock: every document is taken on its callback; no nonce is printed or kept', async () => {
    const sent: string[] = [];
    const mock = await startMock({
      lifecycleMs: 500,
      prismUrl: inject('prismUrl'),
      callbacks: { onCallback: (e) => sent.push(e.outcome) },
    });
    onTestFinished(() => mock.stop());
    const dir = await folder(3);
    const port = await freePort();
    const run = await runNode(
      [
        BIN,
        ...['batch', 'run', 'in', ...TARGET, '--out', 'out'],
        ...['--callback-url', `http://127.0.0.1:${port}/idp`, '--callback-listen', `127.0.0.1:${port}`],
      ],
      { env: { ...cleanEnv, NO_COLOR: '1', ...settingsFor(mock) }, cwd: dir },
    );
    expect(run.stderr).toContain(
      `listening for IDP callbacks on 127.0.0.1:${port} (IDP calls http://127.0.0.1:${port}/idp)`,
    );
    expect(run.stderr).toContain('3 of 3 documents SUCCEEDED');
    expect(run.code).toBe(0);
    expect(sent).toEqual(['sent', 'sent', 'sent']);
    const journal = await readFile(join(dir, 'out', 'journal.jsonl'), 'utf8');
    for (const text of [run.stdout, run.stderr, journal]) expect(text).not.toMatch(/idp_nonce=[A-Za-z0-9_-]/);
  });
});
