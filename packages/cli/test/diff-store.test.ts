import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningMock } from '@idp-kit/mock';
import { IDS, pdfBytes, postgresMissing, type Ran, startPostgres, type TestPostgres } from '@idp-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, mockFront, runIdp, settingsFor } from './helpers.js';

/**
 * The mock behind a loopback proxy that counts the uploads per version: what each run paid for. Bytes
 * are piped as they are (the documents are binary).
 */
async function countingProxy(target: string) {
  const posts = new Map<string, number>();
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const version = /\/versions\/([^/]+)\/executions$/.exec(req.url ?? '')?.[1];
    if (req.method === 'POST' && version) posts.set(version, (posts.get(version) ?? 0) + 1);
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    posts: (version: string) => posts.get(version) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const missing = await postgresMissing('the idp diff --run --store tests');

describe.skipIf(Boolean(missing))(
  'idp diff --run --store: documents any batch of the store retrieved are reused',
  () => {
    let mock: RunningMock | undefined;
    let proxy: Awaited<ReturnType<typeof countingProxy>> | undefined;
    let pg: TestPostgres | undefined;
    let store = '';
    let dir = '';
    beforeAll(async () => {
      [mock, pg] = await Promise.all([mockFront({ lifecycleMs: 200 }), startPostgres()]);
      proxy = await countingProxy(mock.baseUrl);
      store = await pg.createDatabase('diff');
      dir = await mkdtemp(join(tmpdir(), 'idp-diff-store-'));
      await mkdir(join(dir, 'in'));
      for (let i = 0; i < 3; i++)
        await writeFile(join(dir, 'in', `invoice-${i}.pdf`), pdfBytes(1, { text: `invoice ${i}` }));
    });
    afterAll(async () => {
      await proxy?.close();
      await mock?.stop();
      await pg?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });
    // Through the proxy: the mock's token endpoint and both APIs answer on its port.
    const env = () => ({
      ...cleanEnv,
      NO_COLOR: '1',
      ...settingsFor({
        baseUrl: proxy?.url ?? '',
        tokenUrl: `${proxy?.url}${new URL(mock?.tokenUrl ?? '').pathname}`,
      }),
    });
    const idp = (args: string[]): Promise<Ran> => runIdp(args, { env: env(), cwd: dir });
    const DIFF = [
      'diff',
      '--run',
      'in',
      '--action',
      IDS.actionId,
      '--versions',
      '1.1.0,1.2.0',
      '--out',
      'upgrade',
      '--yes',
      '--json',
      // The mock settles in 200 ms; the default first poll waits 10 s.
      '--interval',
      '200ms',
    ];

    it('a document an earlier batch retrieved for 1.2.0 is not sent again; the cost counts only what is sent, and says so', async () => {
      // An earlier batch of the same store: two of the three documents through 1.2.0.
      const earlier = await idp([
        'batch',
        'run',
        'in/invoice-0.pdf',
        'in/invoice-1.pdf',
        '--action',
        IDS.actionId,
        '--version',
        '1.2.0',
        '--out',
        'earlier',
        '--store',
        store,
        '--batch',
        'earlier',
        '--confidence',
        '--interval',
        '200ms',
      ]);
      expect(earlier.code, earlier.stderr).toBe(0);
      expect(proxy?.posts('1.2.0')).toBe(2);

      const run = await idp([...DIFF, '--store', store, '--batch', 'upgrade']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain('  1.1.0 → batch upgrade-1.1.0: 3 pages to send\n');
      expect(run.stderr).toContain(
        '  1.2.0 → batch upgrade-1.2.0: 1 page to send (2 documents, 2 pages, already sent for 1.2.0 in batch earlier of the store: reused, not paid again)\n',
      );
      expect(run.stderr).toContain('to send now: 4 pages\n');
      expect(run.stderr).toContain('2 of them were retrieved before in another batch of the store for 1.2.0');
      // Paid: each document once per version, the two reused ones never again.
      expect(proxy?.posts('1.1.0')).toBe(3);
      expect(proxy?.posts('1.2.0')).toBe(3);
      // The reused results are 1.2.0's: the diff sees the mock's 1.2.0 change on all three documents.
      const report = JSON.parse(run.stdout) as {
        matched: number;
        fields: Record<string, { changed: number; disappeared: number }>;
      };
      expect(report.matched).toBe(3);
      expect(report.fields.totalAmount?.changed).toBe(3);
      expect(report.fields.paymentTerms?.disappeared).toBe(3);
    });

    it('the same command again sends nothing: each side’s own batch has every document', async () => {
      const run = await idp([...DIFF, '--store', store, '--batch', 'upgrade']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain(
        '  1.1.0 → batch upgrade-1.1.0: 0 pages to send (3 documents, 3 pages, already sent in this batch: not paid again)\n',
      );
      expect(run.stderr).toContain('to send now: 0 pages\n');
      expect(proxy?.posts('1.1.0')).toBe(3);
      expect(proxy?.posts('1.2.0')).toBe(3);
    });

    it('--store with --run needs --batch, and refuses --baseline (a drift canary must send again): exit 2, nothing sent', async () => {
      const before = (proxy?.posts('1.1.0') ?? 0) + (proxy?.posts('1.2.0') ?? 0);
      const unnamed = await idp([...DIFF, '--store', store]);
      expect(unnamed.code).toBe(2);
      expect(unnamed.stderr).toContain('--run --store needs --batch <name>');
      const canary = await idp([
        'diff',
        '--run',
        'in',
        '--action',
        IDS.actionId,
        '--versions',
        '1.1.0',
        '--baseline',
        'upgrade/1.1.0',
        '--out',
        'canary',
        '--store',
        store,
        '--batch',
        'canary',
        '--yes',
      ]);
      expect(canary.code).toBe(2);
      expect(canary.stderr).toContain('--baseline runs the documents again to see drift');
      expect((proxy?.posts('1.1.0') ?? 0) + (proxy?.posts('1.2.0') ?? 0)).toBe(before);
    });
  },
);
