import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeAfterTest, fakeIdp, IDS, pdfBytes, type Ran } from '@idp-kit/testkit';
import { describe, expect, it, onTestFinished } from 'vitest';
import { cleanEnv, runIdp, settingsFor } from './helpers.js';

const TARGET = ['--action', IDS.actionId, '--version', '1.1.0'];

/** testkit's fake IDP: every submit accepted, every execution SUCCEEDED at its first poll. */
async function idpThatAccepts() {
  return closeAfterTest(await fakeIdp({ polls: 1 }));
}

/** The file names each POST carried, in order. */
const uploaded = (idp: Awaited<ReturnType<typeof idpThatAccepts>>) =>
  idp
    .runtimeRequests()
    .filter((r) => r.method === 'POST')
    .map((r) => /filename="([^"]*)"/.exec(r.body)?.[1]);

async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'idp-batch-cost-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'in'));
  for (const [i, pages] of [3, 2, 4].entries())
    await writeFile(join(dir, 'in', `invoice-${i}.pdf`), pdfBytes(pages, { text: `invoice ${i}` }));
  await writeFile(join(dir, 'in', 'letter.pdf'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 6, 0, 8, 0]));
  await writeFile(join(dir, 'in', 'invoice-0-copy.pdf'), pdfBytes(3, { text: 'invoice 0' }));
  return dir;
}

describe('idp batch run: what it costs', () => {
  const idp = (dir: string, target: { baseUrl: string; tokenUrl: string }, args: string[]): Promise<Ran> =>
    runIdp(args, { env: { ...cleanEnv, NO_COLOR: '1', ...settingsFor(target) }, cwd: dir });

  it('--dry-run --json: exactly the plan object on stdout, no request at all (not even a token), no folder written', async () => {
    const target = await idpThatAccepts();
    const dir = await folder();
    const run = await idp(dir, target, [
      'batch',
      'run',
      'in',
      ...TARGET,
      '--out',
      'out',
      '--dry-run',
      '--json',
      '--credits-per-page',
      '1.5',
    ]);
    expect(run.code).toBe(0);
    expect(target.server.requests).toEqual([]);
    expect(await readdir(dir)).toEqual(['in']);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const plan = JSON.parse(lines[0] as string);
    const file = (name: string) => join(dir, 'in', name);
    expect(plan).toEqual({
      documents: [
        {
          file: file('invoice-0-copy.pdf'),
          format: 'pdf',
          pages: 3,
          bytes: expect.any(Number),
          verdict: 'submit',
        },
        {
          file: file('invoice-0.pdf'),
          format: 'pdf',
          pages: 3,
          bytes: expect.any(Number),
          verdict: 'duplicate',
          duplicateOf: file('invoice-0-copy.pdf'),
        },
        {
          file: file('invoice-1.pdf'),
          format: 'pdf',
          pages: 2,
          bytes: expect.any(Number),
          verdict: 'submit',
        },
        {
          file: file('invoice-2.pdf'),
          format: 'pdf',
          pages: 4,
          bytes: expect.any(Number),
          verdict: 'submit',
        },
        {
          file: file('letter.pdf'),
          format: null,
          pages: null,
          bytes: 10,
          verdict: 'reject',
          reason: expect.stringMatching(/it is a ZIP\/Office file/),
        },
      ],
      submit: { documents: 3, pages: 9 },
      credits: 13.5,
    });
    expect(plan.documents[2].bytes).toBe(pdfBytes(2, { text: 'invoice 1' }).byteLength);

    const text = await idp(dir, target, ['batch', 'run', 'in', ...TARGET, '--out', 'out', '--dry-run']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^submit +3 p +\d+ B {2}pdf {2}.*invoice-0-copy\.pdf$/m);
    expect(text.stdout).toContain(
      'would submit 3 document(s), 9 page(s): credits unknown (give --credits-per-page to price it); 1 rejected, 1 duplicate, 0 done already. Nothing was sent (dry run).',
    );
    expect(target.server.requests).toEqual([]);
  });

  it('--max-pages below the total: exit 9 and a line saying what is left; a rerun with more sends the rest, each document once', async () => {
    const target = await idpThatAccepts();
    const dir = await folder();
    const run = (...more: string[]) =>
      idp(dir, target, [
        'batch',
        'run',
        'in',
        ...TARGET,
        '--out',
        'out',
        '--interval',
        '10ms',
        '--credits-per-page',
        '2',
        ...more,
      ]);
    const first = await run('--max-pages', '6');
    expect(first.code).toBe(9);
    // invoice-0-copy (3) and invoice-1 (2) fit 6; invoice-2 (4) does not.
    expect(uploaded(target).sort()).toEqual(['invoice-0-copy.pdf', 'invoice-1.pdf']);
    expect(first.stderr).toContain(
      'the budget stopped the batch (--max-pages 6; 5 pages submitted in it): 1 document(s), 4 page(s) (8 credits) left to send, still queued. Rerun with a larger budget to send them; nothing already sent is sent again.',
    );
    expect(first.stderr).toContain(
      'pages: 5 submitted in this batch (0 of them in FAILED executions, paid all the same), 0 rejected before sending (free); 10 credits',
    );
    const summary = JSON.parse(await readFile(join(dir, 'out', 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({
      pages: { submitted: 5, rejected: 0, failed: 0 },
      credits: 10,
      heldByBudget: { documents: 1, pages: 4 },
    });

    const status = await idp(dir, target, ['batch', 'status', 'out']);
    expect(status.stdout).toContain('pages: 5 submitted in this batch');
    expect(status.stdout).toContain('1 document(s), 4 page(s) held back by the budget (queued)');

    const same = await run('--max-credits', '12'); // 6 pages at 2 credits: the same budget
    expect(same.code).toBe(9);
    expect(uploaded(target)).toHaveLength(2);

    const more = await run('--max-pages', '9');
    expect(more.code).toBe(8); // the Word file named .pdf was rejected
    expect(uploaded(target).sort()).toEqual(['invoice-0-copy.pdf', 'invoice-1.pdf', 'invoice-2.pdf']);
    expect(more.stderr).not.toContain('the budget stopped');
  });

  it('--max-credits without --credits-per-page, or a bad number, is a usage error (2) that says what to give', async () => {
    const target = await idpThatAccepts();
    const dir = await folder();
    const credits = await idp(dir, target, [
      'batch',
      'run',
      'in',
      ...TARGET,
      '--out',
      'out',
      '--max-credits',
      '100',
    ]);
    expect(credits.code).toBe(2);
    expect(credits.stderr).toContain('--max-credits needs --credits-per-page');
    const pages = await idp(dir, target, [
      'batch',
      'run',
      'in',
      ...TARGET,
      '--out',
      'out',
      '--max-pages',
      '1.5',
    ]);
    expect(pages.code).toBe(2);
    expect(pages.stderr).toContain('--max-pages must be a whole number of at least 0, got "1.5"');
    expect(target.server.requests).toEqual([]);
    expect(await readdir(dir)).toEqual(['in']);
  });
});
