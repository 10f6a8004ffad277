import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createIdpClient } from '@idp-kit/client';
import { closeAfterTest, IDS } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import { type BatchEvent, openFileJournal, runBatch } from '../src/index.js';
import { ACTION, fakeBatchIdp } from './fake-batch-idp.js';
import { clientFor, documents, jsonLines, tempDir } from './helpers.js';

const FAST = { pollIntervalMs: 1, maxPollIntervalMs: 2 };

// What both stores must do alike (kill -9 and resume, uncertain uploads, reviews re-checked, 404s and
// retention, 429s, rejected files read again) is in behaviour.test.ts, run against each store.
describe('runBatch', () => {
  it('takes a folder through IDP into results.jsonl, fields.csv and summary.json; one POST per document', async () => {
    const idp = closeAfterTest(await fakeBatchIdp());
    const dir = await tempDir();
    const input = await documents(dir, 12);
    const out = join(dir, 'out');
    const events: BatchEvent[] = [];
    const summary = await runBatch({
      client: clientFor(idp),
      inputs: [input],
      ...ACTION,
      outDir: out,
      ...FAST,
      onEvent: (e) => events.push(e),
    });
    expect(summary).toMatchObject({ documents: 12, succeeded: 12, pending: 0, uncertain: [] });
    expect([...idp.posts.values()]).toEqual(Array(12).fill(1));
    const results = await jsonLines(join(out, 'results.jsonl'));
    expect(results).toHaveLength(12);
    expect(results[0]).toMatchObject({
      state: 'retrieved',
      status: 'SUCCEEDED',
      fields: [{ name: 'total', value: '=doc-0000.pdf' }],
    });
    const csv = await readFile(join(out, 'fields.csv'), 'utf8');
    expect(csv.split('\r\n')[0]).toBe('file,execution_id,status,kind,page,table,row,name,value,confidence');
    expect(csv).toContain(`,field,,,,total,"'=doc-0000.pdf",`); // a formula is defused
    expect(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'))).toEqual(summary);
    expect(events.filter((e) => e.type === 'state').map((e) => (e as { state: string }).state)).toContain(
      'submitting',
    );
  });

  it('a rerun after completion sends nothing and rebuilds the same outputs', async () => {
    const idp = closeAfterTest(await fakeBatchIdp());
    const dir = await tempDir();
    const input = await documents(dir, 3);
    const out = join(dir, 'out');
    const options = { client: clientFor(idp), inputs: [input], ...ACTION, outDir: out, ...FAST };
    await runBatch(options);
    const before = await readFile(join(out, 'results.jsonl'), 'utf8');
    const requests = idp.seen.length;
    await runBatch(options);
    expect(idp.seen.length).toBe(requests);
    expect(await readFile(join(out, 'results.jsonl'), 'utf8')).toBe(before);
  });

  it('the same content under two names is one document; bad files are rejected without stopping the batch', async () => {
    const idp = closeAfterTest(await fakeBatchIdp());
    const dir = await tempDir();
    const input = await documents(dir, 2);
    await copyFile(join(input, 'doc-0000.pdf'), join(input, 'copy-of-0.pdf'));
    await writeFile(join(input, 'empty.pdf'), '');
    await writeFile(join(input, 'notes.txt'), 'x');
    const summary = await runBatch({
      client: clientFor(idp),
      inputs: [input, join(input, 'notes.txt')],
      ...ACTION,
      outDir: join(dir, 'out'),
      ...FAST,
    });
    expect([...idp.posts.values()]).toEqual([1, 1]);
    expect(summary).toMatchObject({ succeeded: 2, duplicates: 1, states: { retrieved: 2, rejected: 2 } });
    const results = await jsonLines(join(dir, 'out', 'results.jsonl'));
    expect(results.find((r) => String(r.file).endsWith('empty.pdf'))).toMatchObject({
      state: 'rejected',
      error: 'the file is empty',
    });
    expect(results.find((r) => String(r.file).endsWith('notes.txt'))?.error).toMatch(
      /not a PDF, PNG, JPG or TIFF/,
    );
  });

  it('a document IDP would refuse by its content is rejected unsent; preflight: false sends it', async () => {
    const idp = closeAfterTest(await fakeBatchIdp());
    const dir = await tempDir();
    const input = await documents(dir, 1);
    // A Word file (a ZIP archive) named .pdf: IDP would take the upload, charge for it, and fail it.
    await writeFile(join(input, 'contract.pdf'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 6, 0, 8, 0]));
    const run = (preflight?: false) =>
      runBatch({
        client: clientFor(idp),
        inputs: [input],
        ...ACTION,
        outDir: join(dir, 'out'),
        ...FAST,
        ...(preflight === false ? { preflight } : {}),
      });
    const summary = await run();
    expect(idp.posts.size).toBe(1);
    expect(summary).toMatchObject({ succeeded: 1, states: { retrieved: 1, rejected: 1 } });
    const results = await jsonLines(join(dir, 'out', 'results.jsonl'));
    expect(results.find((r) => String(r.file).endsWith('contract.pdf'))).toMatchObject({ state: 'rejected' });
    expect(results.find((r) => String(r.file).endsWith('contract.pdf'))?.error).toMatch(
      /was not sent: it is a ZIP\/Office file/,
    );
    await run(false);
    expect(idp.posts.size).toBe(2);
  });

  it('a 429 slows uploads down and is honoured; nothing is lost or sent twice', async () => {
    const idp = closeAfterTest(
      await fakeBatchIdp({ rateLimit: (n) => (n === 1 || n === 2 ? 0 : undefined) }),
    );
    const dir = await tempDir();
    const events: BatchEvent[] = [];
    const summary = await runBatch({
      client: clientFor(idp),
      inputs: [await documents(dir, 6)],
      ...ACTION,
      outDir: join(dir, 'out'),
      uploadConcurrency: 4,
      ...FAST,
      onEvent: (e) => events.push(e),
    });
    expect(summary.succeeded).toBe(6);
    expect([...idp.posts.values()]).toEqual(Array(6).fill(1));
    const throttled = events.filter((e) => e.type === 'throttled');
    expect(throttled.length).toBeGreaterThanOrEqual(1);
    expect(Math.min(...throttled.map((e) => (e as { limit: number }).limit))).toBeLessThan(4);
  });

  it('with resubmitUncertain, an upload that turns uncertain during the run is not sent again in that run', async () => {
    const idp = closeAfterTest(await fakeBatchIdp({ failAfterCreate: (n) => n === 0 }));
    const dir = await tempDir();
    const options = {
      client: clientFor(idp),
      inputs: [await documents(dir, 1)],
      ...ACTION,
      outDir: join(dir, 'out'),
      ...FAST,
      resubmitUncertain: true,
    };
    // The user's word covers the uncertain documents a run starts with, not one this run made uncertain.
    expect(await runBatch(options)).toMatchObject({ states: { uncertain: 1 } });
    expect([...idp.posts.values()]).toEqual([1]);
    expect(await runBatch(options)).toMatchObject({ succeeded: 1 });
    expect([...idp.posts.values()]).toEqual([2]);
  });

  it('IDP unreachable (refused) or no token: nothing was sent, so the document is an error a rerun retries', async () => {
    const down = await fakeBatchIdp();
    const { baseUrl, tokenUrl } = down;
    await down.close();
    const dir = await tempDir();
    const input = await documents(dir, 1);
    const out = join(dir, 'out');
    const fixedToken = createIdpClient({
      organizationId: IDS.organizationId,
      baseUrl,
      auth: { getToken: async () => 't', invalidate: () => {} },
      retry: { maxRetries: 1, baseDelayMs: 1 },
    });
    const refused = await runBatch({ client: fixedToken, inputs: [input], ...ACTION, outDir: out, ...FAST });
    expect(refused).toMatchObject({ states: { error: 1 }, uncertain: [] });
    const noToken = createIdpClient({
      organizationId: IDS.organizationId,
      baseUrl,
      auth: { clientId: 'c', clientSecret: 's-123456', tokenUrl },
      retry: { maxRetries: 1, baseDelayMs: 1 },
    });
    expect(
      await runBatch({ client: noToken, inputs: [input], ...ACTION, outDir: out, ...FAST }),
    ).toMatchObject({
      states: { error: 1 },
      uncertain: [],
    });
    const up = closeAfterTest(await fakeBatchIdp());
    expect(
      await runBatch({ client: clientFor(up), inputs: [input], ...ACTION, outDir: out, ...FAST }),
    ).toMatchObject({
      succeeded: 1,
    });
    expect([...up.posts.values()]).toEqual([1]);
  });

  it('after a crash during an upload (journaled "submitting", no id): uncertain, never silently resubmitted', async () => {
    const idp = closeAfterTest(await fakeBatchIdp());
    const dir = await tempDir();
    const input = await documents(dir, 1);
    const out = join(dir, 'out');
    // What a kill -9 between the intent and the answer leaves: the intent, and a torn line after it.
    const journal = await openFileJournal(out);
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256')
      .update(await readFile(join(input, 'doc-0000.pdf')))
      .digest('hex');
    await journal.put({
      key: `${hash}:${ACTION.actionId}:${ACTION.actionVersion}`,
      hash,
      path: join(input, 'doc-0000.pdf'),
      fileName: 'doc-0000.pdf',
      state: 'submitting',
      submits: 1,
      updatedAt: new Date().toISOString(),
    });
    await journal.close();
    await writeFile(join(out, 'journal.jsonl'), '{"key":"torn', { flag: 'a' });
    const summary = await runBatch({
      client: clientFor(idp),
      inputs: [input],
      ...ACTION,
      outDir: out,
      ...FAST,
    });
    expect(summary.uncertain).toEqual([join(input, 'doc-0000.pdf')]);
    expect(idp.posts.size).toBe(0);
  });

  it('a second run on the same folder while one is running is refused', async () => {
    const dir = await tempDir();
    const journal = await openFileJournal(join(dir, 'out'));
    const idp = closeAfterTest(await fakeBatchIdp());
    await expect(
      runBatch({
        client: clientFor(idp),
        inputs: [await documents(dir, 1)],
        ...ACTION,
        outDir: join(dir, 'out'),
      }),
    ).rejects.toThrow(/another batch run \(pid \d+\) is using/);
    await journal.close();
  });
});
