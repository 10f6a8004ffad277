import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningMock } from '@idp-kit/mock';
import {
  IDS,
  pdfBytes,
  postgresMissing,
  type Ran,
  startNode,
  startPostgres,
  type TestPostgres,
} from '@idp-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, mockFront, runIdp, settingsFor } from './helpers.js';

/**
 * `idp batch` runs in this process (`main()` with the test's folder as `cwd`); Ctrl-C is the bin's (its
 * SIGINT handler), so that one test spawns it.
 */

const missing = await postgresMissing('the idp batch --store tests');

const TARGET = ['--action', IDS.actionId, '--version', '1.1.0'];

describe.skipIf(Boolean(missing))('idp batch --store (PostgreSQL, many workers)', () => {
  let mock: RunningMock | undefined;
  let pg: TestPostgres | undefined;
  let store = '';
  let dir = '';
  beforeAll(async () => {
    [mock, pg] = await Promise.all([mockFront({ lifecycleMs: 500 }), startPostgres()]);
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
    runIdp(args, { env: env(extra), cwd: dir });

  it('a wrong password: exit 2 before any document is touched, and the password is never printed', async () => {
    const wrong = store.replace(pg?.password ?? '', 'not-the-pw-42');
    const run = await idp([
      'batch',
      'run',
      'in',
      ...TARGET,
      '--out',
      'nope',
      '--store',
      wrong,
      '--batch',
      'nope',
      '--verbose',
    ]);
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

  it('idp eval reads a batch of the store (--store --batch, or --batch with IDP_BATCH_STORE); harvest says --until final', async () => {
    await mkdir(join(dir, 'in-eval'));
    for (const name of ['po-0.pdf', 'po-1.pdf'])
      await writeFile(join(dir, 'in-eval', name), pdfBytes(1, { text: `eval ${name}` }));
    const shared = { IDP_BATCH_STORE: store };
    const run = await idp(
      [
        'batch',
        'run',
        'in-eval',
        ...TARGET,
        '--out',
        'eval-out',
        '--batch',
        'evalb',
        '--interval',
        '10ms',
        '--confidence',
      ],
      shared,
    );
    expect(run.code).toBe(0);
    // The mock's SUCCEEDED result reads INV-2291: right for po-0, wrong for po-1.
    await writeFile(
      join(dir, 'eval-truth.csv'),
      'file,invoiceNumber\npo-0.pdf,INV-2291\npo-1.pdf,INV-9999\n',
    );
    const flags = await idp([
      'eval',
      '--store',
      store,
      '--batch',
      'evalb',
      '--truth',
      'eval-truth.csv',
      '--json',
    ]);
    expect(flags.code).toBe(0);
    expect(`${flags.stdout}${flags.stderr}`).not.toContain(pg?.password);
    const report = JSON.parse(flags.stdout);
    expect(report).toMatchObject({
      documents: 2,
      matched: 2,
      fields: { invoiceNumber: { tp: 1, fp: 1, fn: 1 } },
    });
    const fromEnv = await idp(['eval', '--batch', 'evalb', '--truth', 'eval-truth.csv', '--json'], shared);
    expect(JSON.parse(fromEnv.stdout)).toEqual(report);
    const harvest = await idp(['eval', 'harvest', '--batch', 'evalb', '--out', 'eval-truth.jsonl'], shared);
    expect(harvest.code).toBe(2);
    expect(harvest.stderr).toContain(
      'batch "evalb" in the store has no document that went through MANUAL_VALIDATION_REQUIRED',
    );
    expect(harvest.stderr).toContain('--until final');
    const unknown = await idp(['eval', '--batch', 'nosuch', '--from-reviews'], shared);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no batch named "nosuch" in postgres:\/\/postgres@127\.0\.0\.1:\d+\/cli/);
  });

  it('--store (or IDP_BATCH_STORE) without --batch: exit 2 saying why, before anything is touched', async () => {
    const flag = await idp(['batch', 'run', 'in', ...TARGET, '--out', 'w1', '--store', store]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(
      /idp: --store is set, so name the batch: --batch <name>, the same on every worker\. The name is what makes workers share one batch/,
    );
    expect(flag.stderr).toMatch(/would each run a batch of their own and pay for every document again/);
    const env = await idp(['batch', 'run', 'in', ...TARGET, '--out', 'w2'], { IDP_BATCH_STORE: store });
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/idp: IDP_BATCH_STORE is set, so name the batch: --batch <name>/);
    for (const out of ['w1', 'w2']) {
      await expect(readFile(join(dir, out, 'summary.json'))).rejects.toThrow(/ENOENT/);
    }
    const help = await idp(['batch', 'run', '--help']);
    expect(help.stdout).toMatch(/--batch <name> +the batch's name in --store: required with it/);
  });

  it("a second batch of the same store with the same documents reuses the first one's executions: duplicate of <batch>", async () => {
    const shared = { IDP_BATCH_STORE: store };
    // Documents of their own: the other tests' are in the store's batches already.
    await mkdir(join(dir, 'in-apr'));
    for (let i = 0; i < 6; i++)
      await writeFile(join(dir, 'in-apr', `invoice-${i}.pdf`), pdfBytes(1, { text: `april invoice ${i}` }));
    const args = (name: string, ...more: string[]) => [
      'batch',
      'run',
      'in-apr',
      ...TARGET,
      '--out',
      `out-${name}`,
      '--batch',
      name,
      '--interval',
      '10ms',
      ...more,
    ];
    const first = await idp(args('apr'), shared);
    expect(first.code).toBe(0);
    const second = await idp(args('apr2'), shared);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('6 of 6 documents SUCCEEDED (6 retrieved)');
    expect(
      second.stderr.match(
        /invoice-\d\.pdf: duplicate of batch apr \(execution [0-9a-f-]{36}\), not sent again/g,
      ),
    ).toHaveLength(6);
    expect(second.stderr).toContain(
      '6 document(s) were accepted before in another batch of the store: their executions were reused, not paid again',
    );
    const ids = async (name: string) =>
      (await readFile(join(dir, `out-${name}`, 'results.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { executionId: string; duplicateOf?: { batch: string } });
    const [a, b] = [await ids('apr'), await ids('apr2')];
    expect(b.map((l) => l.executionId)).toEqual(a.map((l) => l.executionId));
    expect(b.map((l) => l.duplicateOf?.batch)).toEqual(Array(6).fill('apr'));
    const again = await idp(args('apr3', '--resubmit-duplicates'), shared);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain('duplicate of batch');
    const c = await ids('apr3');
    for (const line of c) expect(a.map((l) => l.executionId)).not.toContain(line.executionId);
    // idp diff reads two batches of the store, matched by content: the same values on both sides.
    const diff = await idp(['diff', '--store', store, 'apr', 'apr3', '--json', '--fail-on', 'changed:0%']);
    expect(diff.code).toBe(0);
    // Only the warning that a password on the command line shows in ps; never the password itself.
    expect(diff.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^warning: the password in --store/),
    ]);
    expect(`${diff.stdout}${diff.stderr}`).not.toContain(pg?.password);
    const report = JSON.parse(diff.stdout);
    expect(report).toMatchObject({ matched: 6, onlyInA: [], onlyInB: [], changes: [] });
    expect(report.overall.agree).toBeGreaterThan(0);
    const folders = JSON.parse((await idp(['diff', 'out-apr', 'out-apr3', '--json'])).stdout);
    expect(report.fields).toEqual(folders.fields);
    const unknown = await idp(['diff', '--store', store, 'apr', 'nosuch']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no batch named "nosuch"');
  });

  it('Ctrl-C while the store is away: exit 130 at once, not after the outage limit, and the rerun finishes with nothing lost', async () => {
    if (!pg) throw new Error('setup: no PostgreSQL');
    const server = pg;
    const args = [
      BIN,
      'batch',
      'run',
      'in',
      ...TARGET,
      '--out',
      'out-int',
      '--batch',
      'int',
      '--interval',
      '10ms',
    ];
    const run = await startNode([...args, '--json'], /"type":"start"/, {
      env: env({ IDP_BATCH_STORE: store }),
      cwd: dir,
    });
    let restarted = false;
    try {
      await server.kill();
      // The worker says it waits for the store; then Ctrl-C.
      await new Promise<void>((resolve) => {
        const look = () =>
          run.errors().includes('Waiting for it; nothing is submitted meanwhile') && resolve();
        run.child.stderr.on('data', look);
        look();
      });
      run.child.kill('SIGINT');
      // It exits while the store is still away: without the abort it would retry for its 10-minute outage
      // limit (this test's own timeout is the hang guard). How fast is measured, not asserted here: a
      // wall-clock bound would fail on a loaded machine.
      const code = await run.exited;
      expect(code).toBe(130);
      expect(run.errors()).not.toMatch(/Gave up after/);
      expect(run.errors()).toContain('stopped: rerun the same command to resume');
      await server.restart();
      restarted = true;
      const rerun = await idp(args.slice(1), { IDP_BATCH_STORE: store });
      expect([0, 8]).toContain(rerun.code);
      const status = await idp(['batch', 'status', '--batch', 'int', '--json'], { IDP_BATCH_STORE: store });
      const summary = JSON.parse(status.stdout) as {
        documents: number;
        pending: number;
        succeeded: number;
        uncertain: string[];
      };
      // Each document is there and finished: SUCCEEDED, or uncertain when Ctrl-C caught its upload
      // in flight (its execution id could not be written while the store was away).
      expect(summary).toMatchObject({ documents: 6, pending: 0 });
      expect(summary.succeeded + summary.uncertain.length).toBe(6);
    } finally {
      run.child.kill('SIGKILL');
      if (!restarted) await server.restart();
    }
  });
});
