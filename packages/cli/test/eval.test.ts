import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ran } from '@idp-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runIdp } from './helpers.js';

/**
 * 20 documents with known answers:
 * - total: every 5th is wrong (a low score, 30 + i), the others right ($-formatted, 90.25–94.75);
 * - vendor: right for all but the last, which is not extracted;
 * - dueDate: on the first 10 only, extracted as "Mar 5, 2026".
 * Half the truth rows name the base name, half the path relative to the input; one names no result,
 * and one result has no truth row.
 */
function fixture() {
  const results: string[] = [];
  const truth = ['file,total,vendor,dueDate'];
  for (let i = 0; i < 20; i++) {
    const wrong = i % 5 === 0;
    const fields = [
      {
        kind: 'field',
        name: 'total',
        value: wrong ? String(i) : `$${100 + i}`,
        confidence: wrong ? 30 + i : 90 + i / 4,
      },
      { kind: 'field', name: 'vendor', value: i === 19 ? null : 'ACME  corp', confidence: 95 },
      { kind: 'field', name: 'dueDate', value: i < 10 ? 'Mar 5, 2026' : null, confidence: 99 },
    ];
    results.push(
      JSON.stringify({
        file: `/in/sub/inv-${i}.pdf`,
        hash: String(i).padStart(64, '0'),
        state: 'retrieved',
        status: 'SUCCEEDED',
        fields,
      }),
    );
    truth.push(
      `${i % 2 === 0 ? `inv-${i}.pdf` : `sub/inv-${i}.pdf`},${100 + i}.00,Acme Corp,${i < 10 ? '2026-03-05' : ''}`,
    );
  }
  results.push(
    JSON.stringify({ file: '/in/extra.pdf', hash: 'f'.repeat(64), state: 'retrieved', fields: [] }),
  );
  truth.push('ghost.pdf,1,x,');
  return { results: `${results.join('\n')}\n`, truth: `${truth.join('\r\n')}\r\n` };
}

let dir: string;
const idp = (args: string[]): Promise<Ran> => runIdp(args, { env: { ...cleanEnv, NO_COLOR: '1' }, cwd: dir });
const exists = (path: string) =>
  access(join(dir, path)).then(
    () => true,
    () => false,
  );

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idp-eval-cli-'));
  const { results, truth } = fixture();
  await writeFile(join(dir, 'results.jsonl'), results);
  await writeFile(join(dir, 'truth.csv'), truth);
  await writeFile(join(dir, 'eval.json'), JSON.stringify({ fields: { total: 'number', dueDate: 'date' } }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('idp eval', () => {
  it('--json: the report with known answers', async () => {
    const ran = await idp([
      'eval',
      dir,
      '--truth',
      'truth.csv',
      '--config',
      'eval.json',
      '--json',
      '--html',
      'ok.html',
    ]);
    expect(ran.stderr).toBe('wrote ok.html: one file, it opens without a server or a network\n');
    const html = await readFile(join(dir, 'ok.html'), 'utf8');
    expect(html).toContain('<script id="eval-data" type="application/json">');
    expect(html).toContain("default-src 'none'");
    expect(ran.code).toBe(0);
    const report = JSON.parse(ran.stdout);
    expect(report).toMatchObject({
      documents: 21,
      matched: 20,
      unmatchedTruth: ['ghost.pdf'],
      unmatchedResults: ['/in/extra.pdf'],
    });
    expect(Object.keys(report.fields)).toEqual(['total', 'vendor', 'dueDate']);
    expect(report.fields.total).toEqual({
      tp: 16,
      fp: 4,
      fn: 4,
      tn: 0,
      precision: 0.8,
      recall: 0.8,
      f1: 0.8,
      accuracy: 0.8,
      calibration: expect.objectContaining({ auroc: 1 }),
      // 20 values, 4 wrong, all scored lowest: 5 % reviews 1, 10 % 2, 20 % 4
      errorCapture: { '5': 0.25, '10': 0.5, '20': 1 },
      threshold: { value: 90.25, straightThrough: 0.8, acceptedAccuracy: 1 },
    });
    expect(report.fields.vendor).toMatchObject({ tp: 19, fp: 0, fn: 1, tn: 0, recall: 0.95 });
    expect(report.fields.vendor.calibration.auroc).toBeNull(); // no wrong value among the scored ones
    expect(report.fields.dueDate).toMatchObject({ tp: 10, fp: 0, fn: 0, tn: 10, accuracy: 1 });
    expect(report.overall).toMatchObject({ tp: 45, fp: 4, fn: 5, tn: 10 });
    expect(report.overall.accuracy).toBeCloseTo(55 / 60, 12);
  });

  it('without --json: a table, worst field first, and the unmatched listed', async () => {
    const ran = await idp([
      'eval',
      join(dir, 'results.jsonl'),
      '--truth',
      'truth.csv',
      '--config',
      'eval.json',
    ]);
    expect(ran.code).toBe(0);
    const lines = ran.stdout.split('\n');
    expect(lines[0]).toBe('20 of 21 documents matched a truth row');
    const order = lines
      .map((l) => l.trim().split(/\s+/)[0])
      .filter((w) => ['total', 'vendor', 'dueDate', 'overall'].includes(w ?? ''));
    expect(order).toEqual(['total', 'vendor', 'dueDate', 'overall']);
    expect(ran.stdout).toMatch(/total\s+16\s+4\s+4\s+0\s+80\.0%/);
    expect(ran.stdout).toContain('90.25 (80.0% straight through)');
    expect(ran.stdout).toContain('1 truth rows match no result: ghost.pdf');
    expect(ran.stdout).toContain('1 results have no truth row: /in/extra.pdf');
  });

  it('exit 2 with what to fix, and nothing written, for bad input', async () => {
    await writeFile(join(dir, 'none.csv'), 'file,total\nghost.pdf,1\n');
    await writeFile(join(dir, 'broken.csv'), 'file,total\ninv-0.pdf,1\ninv-1.pdf,2,3\n');
    await writeFile(join(dir, 'unknown.json'), JSON.stringify({ fields: { total: 'money' } }));
    await writeFile(join(dir, 'typo.json'), JSON.stringify({ fields: { totl: 'number' } }));
    const cases: [string[], RegExp][] = [
      [
        ['--truth', 'none.csv'],
        /no truth row matches any of the 21 results: the truth's "file" must be a result's base name \(e\.g\. inv-0\.pdf\)/,
      ],
      [['--truth', 'broken.csv'], /broken\.csv line 3 is not valid CSV/],
      [
        ['--truth', 'truth.csv', '--config', 'unknown.json'],
        /config field "total": unknown comparator "money".*use one of text, number/,
      ],
      [
        ['--truth', 'truth.csv', '--config', 'typo.json'],
        /config field "totl" is in neither the truth nor the results/,
      ],
      [['--truth', 'truth.csv', '--target-accuracy', '2'], /expected a share above 0 and at most 1/],
      [['--truth', 'missing.csv'], /cannot read the truth file .*missing\.csv: check the path/],
    ];
    for (const [args, message] of cases) {
      const ran = await idp(['eval', dir, ...args, '--html', 'report.html']);
      expect(ran.code, args.join(' ')).toBe(2);
      expect(ran.stderr).toMatch(message);
      expect(ran.stdout).toBe('');
    }
    expect(await exists('report.html')).toBe(false);
  });
});
