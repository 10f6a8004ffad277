import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_EXECUTION, type RunningMock } from '@idp-kit/mock';
import { type Ran, startNode } from '@idp-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, mockFront, runIdp, settingsFor } from './helpers.js';

const SECRET = 'view-secret-9876';
const REF = [
  '--action',
  EXAMPLE_EXECUTION.actionId,
  '--version',
  EXAMPLE_EXECUTION.actionVersion,
  '--execution',
  EXAMPLE_EXECUTION.executionId,
];

describe('idp view', () => {
  let mock: RunningMock | undefined;
  let dir = '';
  beforeAll(async () => {
    mock = await mockFront();
    dir = await mkdtemp(join(tmpdir(), 'idp-view-cli-'));
  });
  afterAll(async () => {
    await mock?.stop();
    if (dir) await rm(dir, { recursive: true });
  });
  const env = () => {
    if (!mock) throw new Error('setup: the mock did not start (see the beforeAll error above)');
    return { ...cleanEnv, NO_COLOR: '1', ...settingsFor(mock, SECRET) };
  };
  const idp = (args: string[]): Promise<Ran> => runIdp(args, { env: env(), cwd: dir });

  it('--html: the execution from IDP in one file, with scores and boxes, and no secret or token in it', async () => {
    const run = await idp(['view', ...REF, '--html', 'report.html']);
    expect(run.stderr).toMatch(
      /^wrote report\.html \(\d+ kB\): one file, it opens without a server or a network\n$/,
    );
    expect(run.code).toBe(0);
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    const data = JSON.parse(
      /<script id="idp-data" type="application\/json">(.*?)<\/script>/s.exec(html)?.[1] ?? '{}',
    );
    expect(data.view).toMatchObject({ kind: 'execution', status: 'SUCCEEDED', units: 'fraction' });
    // Fetched with valueOnly=false: the mock's example then carries scores and geometry.
    expect(
      data.view.fields.some(
        (f: { confidence?: number; box?: unknown }) => f.confidence !== undefined && f.box,
      ),
    ).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'`);
    expect(html).not.toContain(SECRET);
    const token = await fetch(mock?.tokenUrl ?? '', {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'x', client_secret: 'y' }),
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    expect(html).not.toContain(token.access_token);
  });

  it('serves on 127.0.0.1 until Ctrl-C; the given document and nothing else; a saved execution works offline', async () => {
    const saved = await idp(['get', ...REF, '--confidence', '--json']);
    await writeFile(join(dir, 'saved.json'), saved.stdout);
    await writeFile(join(dir, 'invoice.pdf'), '%PDF-1.4 not much of a PDF\n');
    const started = await startNode(
      [BIN, 'view', 'saved.json', '--document', 'invoice.pdf', '--no-open'],
      /^(http:\/\/127\.0\.0\.1:\d+\/)$/m,
      { env: env(), cwd: dir },
    );
    const url = started.ready[1] ?? '';
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await (await fetch(new URL('/document/0', url))).text()).toBe('%PDF-1.4 not much of a PDF\n');
    expect((await fetch(new URL('/saved.json', url))).status).toBe(404);
    started.child.kill('SIGINT');
    expect(await started.exited).toBe(0);
    expect(started.errors()).toContain('viewer stopped');
  });

  it('a batch folder: its counts, as one file', async () => {
    const batch = join(dir, 'batch-out');
    await mkdir(batch);
    const execution = JSON.parse(await readFile(join(dir, 'saved.json'), 'utf8'));
    const record = (n: number, state: string, extra: object = {}) =>
      `${JSON.stringify({ key: `k${n}`, hash: 'h', path: `/in/doc-${n}.pdf`, fileName: `doc-${n}.pdf`, state, updatedAt: '2026-12-02T00:00:00Z', ...extra })}\n`;
    await writeFile(
      join(batch, 'journal.jsonl'),
      record(1, 'retrieved', { status: 'SUCCEEDED', execution }) + record(2, 'rejected', { error: 'empty' }),
    );
    const run = await idp(['view', 'batch-out', '--html', 'batch.html']);
    expect(run.code).toBe(0);
    const html = await readFile(join(dir, 'batch.html'), 'utf8');
    const data = JSON.parse(
      /<script id="idp-data" type="application\/json">(.*?)<\/script>/s.exec(html)?.[1] ?? '{}',
    );
    expect(data.view).toMatchObject({
      kind: 'batch',
      title: 'batch-out',
      states: { retrieved: 1, rejected: 1 },
    });
    expect(data.documents).toHaveLength(2);
    expect(data.documents[0]?.kind).toBe('execution');
    expect(data.documents[1]).toBeNull();
  });

  it('a batch folder whose results are beside the journal (results/<executionId>.json): read one by one', async () => {
    const batch = join(dir, 'batch-new');
    await mkdir(join(batch, 'results'), { recursive: true });
    const execution = JSON.parse(await readFile(join(dir, 'saved.json'), 'utf8'));
    const id = '3f1c2b9e-0d4a-4c61-9a57-1b2e3c4d5e6f';
    const text = JSON.stringify(execution);
    await writeFile(join(batch, 'results', `${id}.json`), text);
    const record = (n: number, state: string, extra: object = {}) =>
      `${JSON.stringify({ key: `k${n}`, hash: 'h', path: `/in/doc-${n}.pdf`, fileName: `doc-${n}.pdf`, state, updatedAt: '2026-12-02T00:00:00Z', ...extra })}\n`;
    await writeFile(
      join(batch, 'journal.jsonl'),
      record(1, 'retrieved', {
        status: 'SUCCEEDED',
        executionId: id,
        result: { file: `results/${id}.json`, bytes: Buffer.byteLength(text) },
      }) + record(2, 'rejected', { error: 'empty' }),
    );
    const run = await idp(['view', 'batch-new', '--html', 'batch-new.html']);
    expect(run.code).toBe(0);
    const html = await readFile(join(dir, 'batch-new.html'), 'utf8');
    const data = JSON.parse(
      /<script id="idp-data" type="application\/json">(.*?)<\/script>/s.exec(html)?.[1] ?? '{}',
    );
    expect(data.view.states).toEqual({ retrieved: 1, rejected: 1 });
    const doc1 = data.view.documents.find((d: { file: string }) => d.file === '/in/doc-1.pdf');
    expect(doc1).toMatchObject({ viewable: true });
    expect(doc1.values).toBeGreaterThan(0);
    expect(data.documents[0]?.kind).toBe('execution');
    expect(data.documents[1]).toBeNull();
  });

  it('bad input says what to do: a missing document, a path that is nothing, a threshold out of range', async () => {
    const missing = await idp(['view', ...REF, '--document', 'nope.pdf', '--no-open']);
    expect([missing.code, missing.stderr]).toEqual([2, `idp: no such file: nope.pdf (looked in ${dir})\n`]);
    const nothing = await idp(['view', 'nothing-here', '--no-open']);
    expect(nothing.stderr).toBe(
      `idp: nothing-here is neither an execution URL nor a file or folder (looked in ${dir})\n`,
    );
    expect(nothing.code).toBe(2);
    const threshold = await idp(['view', 'saved.json', '--threshold', '140']);
    expect(threshold.code).toBe(2);
    expect(threshold.stderr).toContain('expected a number from 0 to 100');
  });
});
