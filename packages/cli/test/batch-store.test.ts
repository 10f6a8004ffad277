import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningMock, startMock } from '@idp-kit/mock';
import {
  IDS,
  pdfBytes,
  postgresMissing,
  type Ran,
  runNode,
  startPostgres,
  type TestPostgres,
} from '@idp-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, settingsFor } from './helpers.js';

const missing = await postgresMissing('the idp batch --store tests');

const TARGET = ['--action', IDS.actionId, '--version', '1.1.0'];

describe.skipIf(Boolean(missing))('idp batch --store (PostgreSQL, many workers)', () => {
  let mock: RunningMock | undefined;
  let pg: TestPostgres | undefined;
  let store = '';
  let dir = '';
  beforeAll(async () => {
    [mock, pg] = await Promise.all([startMock({ lifecycleMs: 500 }), startPostgres()]);
    store = await pg.createDatabase('cli');
    dir = await mkdtemp(join(tmpdir(), 'idp-batch-store-'));
    await mkdir(join(dir, 'in'));
    for (let i = 0; i < 6; i++)
      await writeFile(join(dir, 'in', `invoice-${i}.pdf`), pdfBytes(1, { text: `invoice ${i}` }));
  });
  afterAll(async () => {
    await mock?.stop();
    await pg?.close();
    if (dir) await rm(dir, { recursive: true });
  });
  const env = (extra: Record<string, string> = {}) => {
    if (!mock) throw new Error('setup: the mock did not start (see the beforeAll error above)');
    return { ...cleanEnv, NO_COLOR: '1', ...settingsFor(mock), ...extra };
  };
  const idp = (args: string[], extra: Record<string, string> = {}): Promise<Ran> =>
    runNode([BIN, ...args], { env: env(extra), cwd: dir });

  it('a wrong password: exit 2 before any document is touched, and the password is never printed', async () => {
    const wrong = store.replace(pg?.password ?? '', 'not-the-pw-42');
    const run = await idp(['batch', 'run', 'in', ...TARGET, '--out', 'nope', '--store', wrong, '--verbose']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /idp: PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:\d+\/cli refused the login \(28P01\): check the user and password in --store\./,
    );
    expect(`${run.stdout}${run.stderr}`).not.toContain('not-the-pw-42');
    // A password on the command line is visible to every user of the machine (ps): said once.
    expect(run.stderr.match(/the password in --store shows in the process list/g)).toHaveLength(1);
    expect(run.stderr).toMatch(
      /put the URL in IDP_BATCH_STORE instead, or leave the password out of it and set PGPASSWORD/,
    );
    await expect(readFile(join(dir, 'nope', 'summary.json'))).rejects.toThrow(/ENOENT/);
  });

  it('two workers share one batch (IDP_BATCH_STORE); status and export read it from any machine', async () => {
    const shared = { IDP_BATCH_STORE: store };
    const args = (out: string) => [
      'batch',
      'run',
      'in',
      ...TARGET,
      '--out',
      out,
      '--batch',
      'feb',
      '--interval',
      '10ms',
    ];
    const [a, b] = await Promise.all([idp(args('a'), shared), idp(args('b'), shared)]);
    for (const run of [a, b]) {
      expect(run.stderr).toContain('6 of 6 documents SUCCEEDED (6 retrieved); outputs in');
      expect(run.code).toBe(0);
      expect(run.stderr).not.toContain(pg?.password);
      expect(run.stderr).not.toContain('process list'); // from the environment: nothing to warn of
    }
    const status = await idp(['batch', 'status', '--store', store, '--batch', 'feb', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ documents: 6, succeeded: 6, uncertain: [] });
    const exported = await idp(['batch', 'export', 'feb', '--csv'], shared);
    expect(exported.stderr).toContain('wrote the outputs of 6 documents in feb');
    const csv = await readFile(join(dir, 'feb', 'fields.csv'), 'utf8');
    expect(csv).toMatch(/invoice-5\.pdf,[0-9a-f-]{36},SUCCEEDED,field,1,,,invoiceNumber,INV-2291,/);
    expect(await readFile(join(dir, 'a', 'results.jsonl'), 'utf8')).toBe(
      await readFile(join(dir, 'b', 'results.jsonl'), 'utf8'),
    );
    const unknown = await idp(['batch', 'status', '--store', store, '--batch', 'march']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /no batch named "march" in postgres:\/\/postgres@127\.0\.0\.1:\d+\/cli \(batches there: feb\)/,
    );
  });
});
