import { spawn } from 'node:child_process';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fakeIdp, IDS, pdfBytes, type Ran, runNode } from '@idp-kit/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/program.js';
import { BIN, cleanEnv, runIdp, settingsFor } from './helpers.js';

const hash = (i: number) => i.toString(16).padStart(64, '0');

/**
 * Two generated batches of 20 documents with known differences (a: /in/a, b: /in/b, the same hashes):
 * - total: b changes every 5th (0, 5, 10, 15: a right, b wrong) → agree 16, changed 4 (20 %);
 * - vendor: b loses it on documents 0–1 (disappeared 2) and finds it on 18–19, where a had none
 *   (appeared 2) → agree 16, changed % = 4 / 20;
 * - po: only a has it, on document 3 (missing-field);
 * - note: the same on both sides (a field that never changes).
 * a has one document b lacks (hash 99) and b one a lacks (hash 98).
 */
function fixture() {
  const a: string[] = [];
  const b: string[] = [];
  const truth = ['file,total,vendor,po,note'];
  const line = (side: string, i: number, fields: unknown[]) =>
    JSON.stringify({ file: `/in/${side}/inv-${i}.pdf`, hash: hash(i), state: 'retrieved', fields });
  for (let i = 0; i < 20; i++) {
    const total = `${100 + i}.00`;
    const f = (name: string, value: string | null, confidence: number) => ({
      kind: 'field',
      name,
      value,
      confidence,
    });
    a.push(
      line('a', i, [
        f('total', total, 90),
        f('vendor', i >= 18 ? null : 'Acme', 80),
        f('po', i === 3 ? 'PO-3' : null, 70),
        f('note', 'ok', 50),
      ]),
    );
    b.push(
      line('b', i, [
        f('total', i % 5 === 0 ? `${i}` : total, i % 5 === 0 ? 30 : 95),
        f('vendor', i < 2 ? null : 'Acme', 85),
        f('note', 'ok', 50),
      ]),
    );
    truth.push(`inv-${i}.pdf,${total},${i >= 18 ? '' : 'Acme'},${i === 3 ? 'PO-3' : ''},ok`);
  }
  a.push(line('a', 99, []));
  b.push(line('b', 98, []));
  return { a: `${a.join('\n')}\n`, b: `${b.join('\n')}\n`, truth: `${truth.join('\n')}\n` };
}

let dir: string;
const idp = (args: string[]): Promise<Ran> => runIdp(args, { env: { ...cleanEnv, NO_COLOR: '1' }, cwd: dir });
const exists = (path: string) =>
  access(join(dir, path)).then(
    () => true,
    () => false,
  );

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idp-diff-cli-'));
  const { a, b, truth } = fixture();
  await mkdir(join(dir, 'a'));
  await mkdir(join(dir, 'b'));
  await writeFile(join(dir, 'a', 'results.jsonl'), a);
  await writeFile(join(dir, 'a', 'journal.jsonl'), ''); // a batch folder: the page names its idp view
  await writeFile(join(dir, 'b', 'results.jsonl'), b);
  await writeFile(join(dir, 'truth.csv'), truth);
  await writeFile(join(dir, 'eval.json'), JSON.stringify({ fields: { total: 'number' } }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('idp diff <a> <b>', () => {
  it('--json: the counts per field, every changed value worst first, the documents on one side only', async () => {
    const ran = await idp(['diff', 'a', 'b/results.jsonl', '--config', 'eval.json', '--json']);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    const report = JSON.parse(ran.stdout);
    expect(report.matched).toBe(20);
    expect(report.onlyInA).toEqual(['/in/a/inv-99.pdf']);
    expect(report.onlyInB).toEqual(['/in/b/inv-98.pdf']);
    const counts = (name: string) => {
      const { agree, neither, changed, appeared, disappeared } = report.fields[name];
      return { agree, neither, changed, appeared, disappeared };
    };
    expect(counts('total')).toEqual({ agree: 16, neither: 0, changed: 4, appeared: 0, disappeared: 0 });
    expect(counts('vendor')).toEqual({ agree: 16, neither: 0, changed: 0, appeared: 2, disappeared: 2 });
    expect(counts('po')).toEqual({ agree: 0, neither: 19, changed: 0, appeared: 0, disappeared: 1 });
    expect(counts('note')).toEqual({ agree: 20, neither: 0, changed: 0, appeared: 0, disappeared: 0 });
    expect(report.fields.total.changedShare).toBe(0.2);
    expect(report.fields.total.meanConfidence).toEqual({ a: 90, b: 82, change: -8 });
    // every changed value: 4 + 4 + 1; the largest confidence drop first (vendor lost: 80, total: 60)
    expect(report.changes).toHaveLength(9);
    expect(
      report.changes.map((c: { field: string; file: { a: string } }) => `${c.field} ${c.file.a}`),
    ).toEqual([
      'vendor /in/a/inv-0.pdf',
      'vendor /in/a/inv-1.pdf',
      'po /in/a/inv-3.pdf',
      'total /in/a/inv-0.pdf',
      'total /in/a/inv-5.pdf',
      'total /in/a/inv-10.pdf',
      'total /in/a/inv-15.pdf',
      'vendor /in/a/inv-18.pdf',
      'vendor /in/a/inv-19.pdf',
    ]);
    expect(report.changes[3]).toMatchObject({
      kind: 'changed',
      file: { a: '/in/a/inv-0.pdf', b: '/in/b/inv-0.pdf' },
      a: { value: '100.00', confidence: 90 },
      b: { value: '0', confidence: 30 },
      verdict: 'unjudged',
    });
  });

  it('the text report: a table per field, the changed values, and the truth figures with --truth', async () => {
    const ran = await idp(['diff', 'a', 'b', '--truth', 'truth.csv', '--config', 'eval.json']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('20 documents on both sides (a: a, b: b)');
    expect(ran.stdout).toMatch(/total +16 +4 +0 +0 +20\.0% +90\.0 +82\.0 +-8\.0 +100\.0% +80\.0% +-20\.0 pt/);
    expect(ran.stdout).toContain('9 values differ, worst first');
    expect(ran.stdout).toContain(
      '/in/b/inv-0.pdf  total: "100.00" (90.0) → "0" (30.0) regressed, truth "100.00"',
    );
    expect(ran.stdout).toContain('1 only in a (a): /in/a/inv-99.pdf');
  });

  it.each([
    // total and vendor change 20 % of their values, po 100 % (its one value)
    ['changed:19%', [{ rule: 'changed:19%', broken: true, fields: ['total', 'vendor', 'po'] }]],
    ['changed:20%', [{ rule: 'changed:20%', broken: true, fields: ['po'] }]],
    ['changed:100%', [{ rule: 'changed:100%', broken: false, fields: [] }]],
    ['missing-field', [{ rule: 'missing-field', broken: true, fields: ['po'] }]],
    // F1 a → b: total 1 → 0.8 (tp 16, fp 4, fn 4); vendor 1 → 16/18; po 1 → nothing extracted (0)
    ['f1-drop:0.19', [{ rule: 'f1-drop:0.19', broken: true, fields: ['total', 'po'] }]],
    ['f1-drop:1', [{ rule: 'f1-drop:1', broken: false, fields: [] }]],
    [
      'f1-drop:0.2,changed:100%',
      [
        { rule: 'f1-drop:0.2', broken: true, fields: ['po'] },
        { rule: 'changed:100%', broken: false, fields: [] },
      ],
    ],
  ])('--fail-on %s: the gate in the JSON, exit 10 when broken, else 0', async (rules, expected) => {
    const ran = await idp([
      'diff',
      'a',
      'b',
      '--truth',
      'truth.csv',
      '--config',
      'eval.json',
      '--json',
      '--fail-on',
      rules,
    ]);
    const { gate } = JSON.parse(ran.stdout);
    const passed = expected.every((r) => !r.broken);
    expect(gate).toEqual({ passed, rules: expected });
    expect(ran.code).toBe(passed ? 0 : 10);
  });

  it('a repeated --fail-on adds up; a broken rule is said on stderr with its fields', async () => {
    const ran = await idp(['diff', 'a', 'b', '--fail-on', 'missing-field', '--fail-on', 'changed:100%']);
    expect(ran.code).toBe(10);
    expect(ran.stdout).toContain('gate missing-field: broken by po');
    expect(ran.stdout).toContain('gate changed:100%: kept');
    expect(ran.stderr).toContain('the gate failed: missing-field (po)');
  });

  it('f1-drop without --truth, an unknown rule: exit 2 before anything is read or written', async () => {
    const noTruth = await idp(['diff', 'a', 'b', '--fail-on', 'f1-drop:0.01', '--html', 'no.html']);
    expect(noTruth.code).toBe(2);
    expect(noTruth.stderr).toContain('--fail-on f1-drop:0.01 needs --truth <file>');
    const unknown = await idp(['diff', 'a', 'b', '--fail-on', 'f1:0.01', '--html', 'no.html']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--fail-on f1:0.01: unknown rule; use f1-drop:');
    const stray = await idp(['diff', 'a', 'b', '--versions', '1.1.0,1.2.0']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('--versions goes with --run <paths...>');
    const one = await idp(['diff', 'a']);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('name both sides');
    expect(await exists('no.html')).toBe(false);
  });

  it('--html writes one page that names the idp view of the side that is a batch folder', async () => {
    const ran = await idp(['diff', 'a', 'b', '--truth', 'truth.csv', '--html', 'diff.html']);
    expect(ran.code).toBe(0);
    const html = await readFile(join(dir, 'diff.html'), 'utf8');
    expect(html).toContain(`idp view ${join(dir, 'a')}`);
    expect(html).not.toContain(`idp view ${join(dir, 'b')}`);
    expect(html).toContain('"charts"'); // with truth: the reliability diagrams' data
  });
});

/**
 * testkit's fake IDP, answering per version: 1.1.0 reads every invoice's total right; 1.2.0 misreads
 * invoice-2's. `posts` counts the executions created per version and file name; `held.version` holds
 * that version's polls until `held.release()`, and `held.reached()` is called once three are held.
 */
/** `polls`: the polls an execution answers before it settles (the last of them settled). */
async function versionedIdp(polls = 1) {
  const waiting: Array<() => void> = [];
  const heldIds = new Set<string>();
  const held = {
    version: undefined as string | undefined,
    reached: () => {},
    release: () => {
      for (const resolve of waiting.splice(0)) resolve();
    },
  };
  const idp = await fakeIdp({
    polls,
    fields: (doc) => {
      const wrong = doc.version === '1.2.0' && doc.fileName === 'invoice-2.pdf';
      return {
        total: { value: wrong ? '0.00' : `total of ${doc.fileName}`, confidenceScore: wrong ? 0.4 : 0.9 },
      };
    },
    onRequest: ({ kind, document }) => {
      if (kind !== 'poll' || !document || held.version !== document.version) return;
      // The version waits for its results. (The batch polls one at a time until a first answer is sized,
      // so a held first poll holds the rest: the test waits for the journal to hold every upload.)
      heldIds.add(document.id);
      if (heldIds.size === 1) held.reached();
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
  });
  return {
    server: idp.server,
    /** Executions created per `<version> <file name>`, in the order first created. */
    get posts() {
      const posts = new Map<string, number>();
      for (const { version, fileName } of idp.documents())
        posts.set(`${version} ${fileName}`, (posts.get(`${version} ${fileName}`) ?? 0) + 1);
      return posts;
    },
    sent: () => idp.documents().length,
    held,
    close: () => idp.close(),
    env: settingsFor(idp),
  };
}

describe('idp diff --run against a loopback IDP', () => {
  let fake: Awaited<ReturnType<typeof versionedIdp>>;
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'idp-diff-run-'));
    await mkdir(join(work, 'in'));
    for (let i = 0; i < 3; i++)
      await writeFile(join(work, 'in', `invoice-${i}.pdf`), pdfBytes(i + 1, { text: `invoice ${i}` }));
  });
  afterAll(() => rm(work, { recursive: true, force: true }));
  afterEach(async () => {
    fake.held.release();
    await fake.close();
  });

  const RUN = ['diff', '--run', 'in', '--action', IDS.actionId, '--versions', '1.1.0,1.2.0'];

  /** `idp …args` in this process, answering the prompt with `answer` (and recording the question). */
  async function inProcess(args: string[], answer: boolean) {
    let stdout = '';
    let stderr = '';
    const out = new PassThrough().on('data', (c) => (stdout += c));
    const err = new PassThrough().on('data', (c) => (stderr += c));
    const asked: string[] = [];
    const code = await main(args, {
      stdout: out as unknown as NodeJS.WriteStream,
      stderr: err as unknown as NodeJS.WriteStream,
      env: { NO_COLOR: '1', ...fake.env },
      cwd: work,
      confirm: async (question) => {
        asked.push(question);
        return answer;
      },
    });
    return { code, stdout, stderr, asked };
  }

  it('says the cost and asks; no answer → nothing sent; yes → both versions run and are diffed', async () => {
    fake = await versionedIdp();
    const no = await inProcess([...RUN, '--out', 'out', '--credits-per-page', '2'], false);
    // 3 documents of 1, 2 and 3 pages
    expect(no.stderr).toContain(
      `3 documents, 6 pages, through 2 versions of action ${IDS.actionId}: 6 pages × 2 = 12 pages × 2 credits a page = 24 credits`,
    );
    expect(no.stderr).toContain('to send now: 12 pages × 2 credits a page = 24 credits');
    expect(no.asked).toEqual(['Send them?']);
    expect(no.code).toBe(2);
    expect(fake.sent()).toBe(0);
    expect(fake.server.requests).toEqual([]); // not even a token was asked for

    const yes = await inProcess([...RUN, '--out', 'out', '--json', '--fail-on', 'changed:10%'], true);
    expect(fake.sent()).toBe(6);
    expect([...fake.posts.values()]).toEqual([1, 1, 1, 1, 1, 1]);
    const report = JSON.parse(yes.stdout);
    expect(report.a.source).toBe('1.1.0');
    expect(report.fields.total).toMatchObject({ agree: 2, changed: 1 });
    expect(report.changes[0]).toMatchObject({
      file: { a: join(work, 'in', 'invoice-2.pdf') },
      a: { value: 'total of invoice-2.pdf', confidence: 90 },
      b: { value: '0.00', confidence: 40 },
    });
    expect(report.gate.passed).toBe(false);
    expect(yes.code).toBe(10);

    // Run again: every document is in both folders already: nothing to pay, nothing sent.
    const again = await inProcess([...RUN, '--out', 'out', '--yes', '--json'], false);
    expect(again.stderr).toContain(
      '1.1.0 → out/1.1.0: 0 pages to send (3 documents, 6 pages, already sent in this folder: not paid again)',
    );
    expect(again.stderr).toContain('to send now: 0 pages');
    expect(again.asked).toEqual([]); // --yes asks nothing
    expect(fake.sent()).toBe(6);
    expect(again.code).toBe(0);
  });

  it('--baseline: one version run again and diffed with an earlier batch (drift)', async () => {
    fake = await versionedIdp();
    // out/1.1.0 is the earlier run (the first test); 1.2.0 stands in for the same version's model changing
    const ran = await inProcess(
      [
        'diff',
        '--run',
        'in',
        '--action',
        IDS.actionId,
        '--versions',
        '1.2.0',
        '--baseline',
        'out/1.1.0',
        '--out',
        'drift',
        '--yes',
        '--json',
      ],
      false,
    );
    expect(ran.stderr).toContain('6 pages × 1 = 6 pages');
    expect(fake.sent()).toBe(3);
    const report = JSON.parse(ran.stdout);
    expect(report.a.source).toBe('baseline out/1.1.0');
    expect(report.fields.total).toMatchObject({ agree: 2, changed: 1 });
    expect(ran.code).toBe(0);
  });

  it('--max-pages caps each version’s batch: exit 9 and no diff while a side is short; a rerun with more finishes, nothing paid twice', async () => {
    fake = await versionedIdp();
    // 3 documents of 1, 2 and 3 pages: a budget of 3 lets 1.1.0 send the first two, then stops.
    const short = await inProcess([...RUN, '--out', 'budget', '--yes', '--json', '--max-pages', '3'], false);
    expect(short.code).toBe(9);
    expect(short.stdout).toBe('');
    expect(short.stderr).toContain(
      'budget/1.1.0: the budget stopped the batch (--max-pages 3; 3 pages submitted in it)',
    );
    expect(short.stderr).toContain('no diff: rerun the same command with a larger budget');
    expect([...fake.posts.keys()].sort()).toEqual(['1.1.0 invoice-0.pdf', '1.1.0 invoice-1.pdf']);
    const more = await inProcess([...RUN, '--out', 'budget', '--yes', '--json', '--max-pages', '6'], false);
    expect(more.code).toBe(0);
    expect(JSON.parse(more.stdout).fields.total).toMatchObject({ agree: 2, changed: 1 });
    expect([...fake.posts.values()]).toEqual([1, 1, 1, 1, 1, 1]);
    const bad = await inProcess([...RUN, '--out', 'budget', '--yes', '--max-credits', '5'], false);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--max-credits needs --credits-per-page');
    expect(fake.sent()).toBe(6);
  });

  it('--interval is each side’s first poll interval, as for batch run; a bad one is exit 2 before anything is sent', async () => {
    fake = await versionedIdp(2);
    const bad = await inProcess([...RUN, '--out', 'paced', '--yes', '--interval', 'soon'], false);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--interval must be a duration like 30s, 10m or 1h, got "soon"');
    expect(fake.sent()).toBe(0);
    expect(fake.server.requests).toEqual([]);
    // The fake answers each execution's first poll IN_PROGRESS: the wait says when it polls next.
    const paced = await inProcess(
      [...RUN, '--out', 'paced', '--yes', '--json', '--verbose', '--interval', '40ms'],
      false,
    );
    expect(paced.code, paced.stderr).toBe(0);
    const waits = [...paced.stderr.matchAll(/next poll in (\d+) ms/g)].map((m) => Number(m[1]));
    expect(waits).toHaveLength(6);
    // 40 ms, give or take the jitter; the default is 10 s.
    for (const ms of waits) expect(ms).toBeLessThan(100);
    expect(fake.sent()).toBe(6);
  });

  it('with no terminal and no --yes: exit 2, nothing sent', async () => {
    fake = await versionedIdp();
    const ran = await runNode([BIN, ...RUN, '--out', 'tty'], {
      env: { ...cleanEnv, NO_COLOR: '1', ...fake.env },
      cwd: work,
    });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('to send now: 12 pages');
    expect(ran.stderr).toContain('nothing was sent: add --yes');
    expect(fake.sent()).toBe(0);
  });

  it.each(['1.1.0', '1.2.0'])(
    'killed (kill -9) while %s waits, the same command resumes: no document paid twice',
    async (version) => {
      fake = await versionedIdp();
      const out = `killed-${version}`;
      const reached = new Promise<void>((resolve) => {
        fake.held.reached = resolve;
      });
      fake.held.version = version;
      const child = spawn(process.execPath, [BIN, ...RUN, '--out', out, '--yes'], {
        env: { ...cleanEnv, NO_COLOR: '1', ...fake.env },
        cwd: work,
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      await reached; // it waits for the results of this version
      // Every upload of this version journaled with its execution id: nothing is in flight at the kill.
      const journal = join(work, out, version, 'journal.jsonl');
      await vi.waitUntil(
        async () => {
          const text = await readFile(journal, 'utf8').catch(() => '');
          const ids = new Set(
            text
              .split('\n')
              .filter((line) => line.endsWith('}') && line.includes('"executionId"'))
              .map((line) => /"executionId":"([^"]+)"/.exec(line)?.[1]),
          );
          return ids.size === 3;
        },
        { timeout: 60_000, interval: 50 },
      );
      child.kill('SIGKILL');
      await exited;
      fake.held.version = undefined;
      fake.held.release();
      const sentBefore = fake.sent();
      const rerun = await runNode([BIN, ...RUN, '--out', out, '--yes', '--json'], {
        env: { ...cleanEnv, NO_COLOR: '1', ...fake.env },
        cwd: work,
      });
      expect(rerun.code).toBe(0);
      expect(JSON.parse(rerun.stdout).fields.total).toMatchObject({ agree: 2, changed: 1 });
      expect(sentBefore).toBeGreaterThan(0);
      expect(fake.sent()).toBe(6);
      expect([...fake.posts.values()]).toEqual([1, 1, 1, 1, 1, 1]);
    },
  );
});
