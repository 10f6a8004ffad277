import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  closeAfterTest,
  execution,
  fakeIdp,
  IDS,
  json,
  pdfBytes,
  postgresMissing,
  runNode,
  startPostgres,
  type TestPostgres,
} from '@idp-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, settingsFor } from './helpers.js';

const missing = await postgresMissing('the idp batch --store --rate test');

const TARGET = ['--action', IDS.actionId, '--version', '1.1.0'];

describe.skipIf(Boolean(missing))('idp batch run --store --rate: one budget for two worker processes', () => {
  let pg: TestPostgres | undefined;
  let dir = '';
  beforeAll(async () => {
    pg = await startPostgres();
    dir = await mkdtemp(join(tmpdir(), 'idp-batch-rate-store-'));
    await mkdir(join(dir, 'in'));
    for (let i = 0; i < 8; i++)
      await writeFile(join(dir, 'in', `invoice-${i}.pdf`), pdfBytes(1, { text: `invoice rate ${i}` }));
  });
  afterAll(async () => {
    await pg?.close();
    if (dir) await rm(dir, { recursive: true });
  });

  it('two workers at 240/min send 4 a second together, timed by the fake', async () => {
    if (!pg) throw new Error('setup: PostgreSQL did not start');
    const store = await pg.createDatabase('rate');
    const times: number[] = [];
    const polls = new Map<string, number>();
    const idp = closeAfterTest(
      await fakeIdp(
        (req, res) => {
          times.push(Date.now());
          if (req.method === 'POST') return json(res, 201, { id: randomUUID(), documentName: 'invoice.pdf' });
          const id = /executions\/([^/?]+)/.exec(req.url)?.[1] ?? '';
          const n = (polls.get(id) ?? 0) + 1;
          polls.set(id, n);
          return json(res, 200, { ...execution(n < 2 ? 'IN_PROGRESS' : 'SUCCEEDED'), id });
        },
        (_req, res) => {
          times.push(Date.now());
          json(res, 200, { access_token: 'tok-rate', token_type: 'bearer', expires_in: 3600 });
        },
      ),
    );
    const env = { ...cleanEnv, NO_COLOR: '1', ...settingsFor(idp), IDP_BATCH_STORE: store };
    const worker = (n: number) =>
      runNode(
        [BIN, 'batch', 'run', join(dir, 'in'), ...TARGET, '--out', join(dir, `out-${n}`)].concat([
          '--batch',
          'rate',
          '--rate',
          '240/min',
          '--interval',
          '10ms',
        ]),
        { env, cwd: dir },
      );
    const [one, two] = await Promise.all([worker(1), worker(2)]);
    expect(one.stderr).toContain('8 of 8 documents SUCCEEDED');
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    // 2 token requests, 8 uploads, 16 polls.
    expect(times).toHaveLength(26);
    // At 4 a second for both (a burst of 1): 26 requests take at least 6 s at the fake, whatever the
    // load. Two budgets of their own would take about half that.
    const spanMs = Math.max(...times) - Math.min(...times);
    expect(spanMs).toBeGreaterThanOrEqual(((26 - 1 - 1) / 4) * 1000);
  });
});
