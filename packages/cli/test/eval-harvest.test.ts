// Ground truth from reviews, end to end against the mock's review lifecycle: a batch run with
// --until final waits while people review (one corrects two values, one approves as is); harvest turns
// the corrections into truth, and --from-reviews measures the values as they were before the review.
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningMock } from '@idp-kit/mock';
import { IDS, pdfBytes, type Ran, until } from '@idp-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, mockFront, runIdp, settingsFor } from './helpers.js';

let mock: RunningMock | undefined;
let dir = '';
beforeAll(async () => {
  mock = await mockFront({ lifecycleMs: 1_000 });
  dir = await mkdtemp(join(tmpdir(), 'idp-harvest-'));
});
afterAll(async () => {
  await mock?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const env = () => {
  if (!mock) throw new Error('setup: the mock did not start (see the beforeAll error above)');
  return { ...cleanEnv, NO_COLOR: '1', ...settingsFor(mock) };
};
const idp = (args: string[], signal?: AbortSignal): Promise<Ran> =>
  runIdp(args, { env: env(), cwd: dir, ...(signal ? { signal } : {}) });
const RUN = ['--action', IDS.actionId, '--version', IDS.actionVersion, '--interval', '10ms'];

async function inputs(folder: string, names: string[]): Promise<void> {
  await mkdir(join(dir, folder), { recursive: true });
  for (const name of names) await writeFile(join(dir, folder, name), pdfBytes(1, { text: name }));
}

describe('idp eval harvest and --from-reviews against the mock review lifecycle', () => {
  it('a batch --until final through two reviews: harvest gives the corrected values as truth; --from-reviews measures them', async () => {
    await inputs('in', ['po-review-1.pdf', 'po-review-2.pdf', 'po-plain.pdf']);
    // The batch runs beside the reviews, in this process; a failed assertion stops it (Ctrl-C).
    const stop = new AbortController();
    const batch = idp(
      ['batch', 'run', 'in', ...RUN, '--out', 'out', '--until', 'final', '--confidence'],
      stop.signal,
    );
    try {
      // The batch keeps each result seen at MANUAL_VALIDATION_REQUIRED: then the people may start.
      const results = join(dir, 'out', 'results');
      const kept = () =>
        existsSync(results) ? readdirSync(results).filter((n) => n.endsWith('.review.json.gz')) : [];
      await until(() => kept().length === 2, 'the two results kept at review');
      const tasks = JSON.parse((await idp(['reviews', '--json'])).stdout) as {
        docOperationId: string;
        docFileName: string;
      }[];
      const idOf = (name: string) => tasks.find((t) => t.docFileName === name)?.docOperationId ?? '';
      const first = ['--action', IDS.actionId, '--execution', idOf('po-review-1.pdf')];
      const second = ['--action', IDS.actionId, '--execution', idOf('po-review-2.pdf')];
      expect(
        (
          await idp([
            'review',
            'update',
            ...first,
            '--set',
            'buyer=Northwind Traders Ltd',
            '--set',
            'total=1,920.00',
          ])
        ).code,
      ).toBe(0);
      expect((await idp(['review', 'approve', ...first])).code).toBe(0);
      expect((await idp(['review', 'approve', ...second])).code).toBe(0);
      expect((await batch).code).toBe(0);
    } finally {
      stop.abort();
      await batch;
    }

    const harvest = await idp(['eval', 'harvest', 'out', '--out', 'truth.jsonl']);
    expect(harvest.stderr).toBe('');
    expect(harvest.code).toBe(0);
    expect(harvest.stdout).toContain(
      '2 document(s) went through MANUAL_VALIDATION_REQUIRED to SUCCEEDED; 1 had corrections (2 value(s) corrected)',
    );
    const truth = (await readFile(join(dir, 'truth.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(truth.map((t) => [t.path.replace(/.*\//, ''), t.fields])).toEqual([
      ['po-review-1.pdf', { poNumber: 'PO-7781', buyer: 'Northwind Traders Ltd', total: '1,920.00' }],
      ['po-review-2.pdf', { poNumber: 'PO-7781', buyer: 'Northwind Traders', total: null }],
    ]);
    expect(truth[0].file).toMatch(/^sha256:[0-9a-f]{64}$/);

    // idp eval reads it as any truth file: the final values agree with it everywhere.
    const again = await idp(['eval', 'out', '--truth', 'truth.jsonl', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      documents: 3,
      matched: 2,
      overall: { tp: 5, fp: 0, fn: 0, tn: 1 },
    });

    // Before the review: poNumber 96.1 right twice; buyer 58.3 wrong (review-1), right (review-2);
    // total not extracted: missed on review-1, absent on review-2.
    const measured = await idp(['eval', 'out', '--from-reviews', '--json']);
    expect(measured.code).toBe(0);
    const report = JSON.parse(measured.stdout);
    expect(report).toMatchObject({ documents: 2, matched: 2 });
    expect(report.fields.buyer).toMatchObject({ tp: 1, fp: 1, fn: 1, tn: 0, precision: 0.5 });
    expect(report.fields.total).toMatchObject({ tp: 0, fp: 0, fn: 1, tn: 1, recall: 0, accuracy: 0.5 });
    expect(report.overall).toMatchObject({ tp: 3, fp: 1, fn: 2, tn: 1 });
    // Scored: 96.1 ✓, 58.3 ✗, 96.1 ✓, 58.3 ✓ — a tie between a right and a wrong 58.3 counts ½.
    expect(report.overall.calibration.auroc).toBeCloseTo(2.5 / 3, 10);
    expect(report.overall.calibration.brier).toBeCloseTo((2 * 0.039 ** 2 + 0.583 ** 2 + 0.417 ** 2) / 4, 10);
    expect(report.overall.threshold).toEqual({ value: 96.1, straightThrough: 0.5, acceptedAccuracy: 1 });
    expect(measured.stderr).toContain('2 document(s) went through MANUAL_VALIDATION_REQUIRED');
    expect(measured.stderr).not.toContain('no confidence scores'); // the batch ran with --confidence
  });

  it('a batch run without --until final has nothing to harvest: exit 2, says so, writes nothing', async () => {
    await inputs('in2', ['plain-2.pdf']);
    const run = await idp(['batch', 'run', 'in2', ...RUN, '--out', 'out2']);
    expect(run.code).toBe(0);
    const harvest = await idp(['eval', 'harvest', 'out2', '--out', 'none.jsonl']);
    expect(harvest.code).toBe(2);
    expect(harvest.stderr).toContain(
      'out2 has no document that went through MANUAL_VALIDATION_REQUIRED to SUCCEEDED',
    );
    expect(harvest.stderr).toContain('Run the batch with --until final');
    expect(existsSync(join(dir, 'none.jsonl'))).toBe(false);
    const measured = await idp(['eval', 'out2', '--from-reviews']);
    expect(measured.code).toBe(2);
    expect(measured.stderr).toContain('--until final');
  });

  it('bad combinations say what to give', async () => {
    const neither = await idp(['eval', 'out2']);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('--truth <file>, or --from-reviews');
    const both = await idp(['eval', 'out2', '--from-reviews', '--truth', 'x.csv']);
    expect(both.code).toBe(2);
    const nameless = await idp(['eval', '--store', 'postgres://idp@127.0.0.1:9/db', '--from-reviews']);
    expect(nameless.code).toBe(2);
    expect(nameless.stderr).toContain('with --store, name the batch: --batch <name>');
  });
});
