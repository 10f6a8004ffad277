import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { closeAfterTest, pdfBytes, tiffBytes } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import { planBatch, runBatch } from '../src/index.js';
import { ACTION, fakeBatchIdp } from './fake-batch-idp.js';
import { clientFor, FAST, jsonLines, tempDir } from './helpers.js';

/** Pages of each document, in input order (names sort as listed). */
const PAGES = [2, 3, 1, 4, 2];

/** A folder of PDFs with PAGES pages, a Word file named .pdf, and a copy of the first document. */
async function costlyFolder() {
  const dir = await tempDir();
  const input = join(dir, 'in');
  await mkdir(input);
  for (const [i, pages] of PAGES.entries()) {
    await writeFile(join(input, `doc-${i}.pdf`), pdfBytes(pages, { text: `document ${i}` }));
  }
  await writeFile(join(input, 'doc-1a-word.pdf'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 6, 0, 8, 0]));
  await writeFile(join(input, 'doc-9-copy.pdf'), pdfBytes(PAGES[0], { text: 'document 0' }));
  return { dir, input, out: join(dir, 'out') };
}

describe('what a batch costs', () => {
  it('--max-pages below the total sends documents in input order within it; a rerun with the same budget sends nothing more; one with more finishes; each POSTed once, the refused one never', async () => {
    const idp = closeAfterTest(await fakeBatchIdp());
    const { input, out } = await costlyFolder();
    const run = (maxPages?: number) =>
      runBatch({
        client: clientFor(idp),
        inputs: [input],
        ...ACTION,
        outDir: out,
        ...FAST,
        creditsPerPage: 0.5,
        ...(maxPages !== undefined ? { maxPages } : {}),
      });

    // 2 + 3 + 1 pages fit a budget of 6 (the Word file is refused, free, and does not count).
    const first = await run(6);
    expect(idp.posts.size).toBe(3);
    expect(first.pages).toEqual({ submitted: 6, rejected: 0, failed: 0 });
    expect(first.credits).toBe(3);
    // doc-3 (4 pages) does not fit, so doc-4 (2 pages) waits behind it: input order.
    expect(first.heldByBudget).toEqual({ documents: 2, pages: 6 });
    expect(first.states).toMatchObject({ retrieved: 3, queued: 2, rejected: 1 });
    const lines = await jsonLines(join(out, 'results.jsonl'));
    const held = lines.filter((l) => l.reason === 'budget');
    expect(held.map((l) => String(l.file).split('/').pop())).toEqual(['doc-3.pdf', 'doc-4.pdf']);
    expect(held[0]?.error).toMatch(
      /^budget: not sent, its 4 page\(s\) would take the batch past its budget of 6 pages \(6 before it\)/,
    );

    const again = await run(6);
    expect(idp.posts.size).toBe(3); // counted from the journal: the same budget is spent already
    expect(again.heldByBudget).toEqual({ documents: 2, pages: 6 });

    const more = await run(100);
    expect(more.heldByBudget).toEqual({ documents: 0, pages: 0 });
    expect(more.pages).toEqual({ submitted: 12, rejected: 0, failed: 0 });
    expect(more.credits).toBe(6);
    expect(more.succeeded).toBe(5);
    // Each accepted document exactly once; the Word file named .pdf and the copy never.
    expect([...idp.posts.values()]).toEqual([1, 1, 1, 1, 1]);
    expect(idp.seen.filter((m) => m === 'POST')).toHaveLength(5);
  });

  it('summary.json: pages rejected (free) and of FAILED executions (paid), credits, counts per statusMessage', async () => {
    const idp = closeAfterTest(
      await fakeBatchIdp({
        finalStatus: (name) => (name === 'doc-1.pdf' ? 'FAILED' : 'SUCCEEDED'),
        statusMessage: (name) => (name === 'doc-1.pdf' ? 'MAX_TOKENS' : undefined),
      }),
    );
    const { input, out } = await costlyFolder();
    await writeFile(join(input, 'doc-5-long.pdf'), pdfBytes(151));
    await writeFile(join(input, 'doc-6-scan.tiff'), tiffBytes(3));
    const summary = await runBatch({
      client: clientFor(idp),
      inputs: [input],
      ...ACTION,
      outDir: out,
      ...FAST,
    });
    expect(summary.pages).toEqual({ submitted: 15, rejected: 151, failed: 3 });
    expect(summary.credits).toBeNull(); // no rate given: none invented
    expect(summary.statusMessages).toEqual({ MAX_TOKENS: 1 });
    expect(summary.statuses).toEqual({ SUCCEEDED: 5, FAILED: 1 });
    const written = JSON.parse(
      await import('node:fs/promises').then((fs) => fs.readFile(join(out, 'summary.json'), 'utf8')),
    );
    expect(written).toMatchObject({ pages: summary.pages, credits: null, statusMessages: { MAX_TOKENS: 1 } });
    const failed = (await jsonLines(join(out, 'results.jsonl'))).find((l) =>
      String(l.file).endsWith('doc-1.pdf'),
    );
    expect(failed).toMatchObject({ status: 'FAILED', statusMessage: 'MAX_TOKENS', pages: 3 });
  });

  it('the dry run sends nothing, writes nothing, and says what a run would do', async () => {
    const idp = closeAfterTest(await fakeBatchIdp());
    const { dir, input, out } = await costlyFolder();
    const options = { inputs: [input], ...ACTION, outDir: out, creditsPerPage: 2 };
    const plan = await planBatch(options);
    expect(idp.seen).toEqual([]);
    expect(await readdir(dir)).toEqual(['in']); // no batch folder, no journal
    const name = (file: string) => file.split('/').pop();
    expect(
      plan.documents.map((d) => [
        name(d.file),
        d.format,
        d.pages,
        d.verdict,
        d.duplicateOf && name(d.duplicateOf),
      ]),
    ).toEqual([
      ['doc-0.pdf', 'pdf', 2, 'submit', undefined],
      ['doc-1.pdf', 'pdf', 3, 'submit', undefined],
      ['doc-1a-word.pdf', null, null, 'reject', undefined],
      ['doc-2.pdf', 'pdf', 1, 'submit', undefined],
      ['doc-3.pdf', 'pdf', 4, 'submit', undefined],
      ['doc-4.pdf', 'pdf', 2, 'submit', undefined],
      ['doc-9-copy.pdf', 'pdf', 2, 'duplicate', 'doc-0.pdf'],
    ]);
    expect(plan.documents[2]?.reason).toMatch(/it is a ZIP\/Office file/);
    expect(plan.documents[0]?.bytes).toBe(pdfBytes(2, { text: 'document 0' }).byteLength);
    expect(plan.submit).toEqual({ documents: 5, pages: 12 });
    expect(plan.credits).toBe(24);
    expect(Object.keys(plan)).toEqual(['documents', 'submit', 'credits']);

    // After a run within a budget: what was sent is done, the rest would be sent, within what is left.
    await runBatch({ client: clientFor(idp), ...options, ...FAST, maxPages: 5 });
    const posts = idp.seen.filter((m) => m === 'POST').length;
    const after = await planBatch({ ...options, maxPages: 8 });
    expect(after.documents.map((d) => [name(d.file), d.verdict])).toEqual([
      ['doc-0.pdf', 'done'],
      ['doc-1.pdf', 'done'],
      ['doc-1a-word.pdf', 'reject'],
      ['doc-2.pdf', 'submit'],
      ['doc-3.pdf', 'reject'],
      ['doc-4.pdf', 'reject'],
      ['doc-9-copy.pdf', 'duplicate'],
    ]);
    expect(after.documents[4]?.reason).toMatch(
      /^budget: not sent, its 4 page\(s\) would take the batch past its budget of 8 pages \(6 before it\)/,
    );
    expect(after.submit).toEqual({ documents: 1, pages: 1 });
    expect(idp.seen.filter((m) => m === 'POST').length).toBe(posts);
  });

  it('a credit budget without a rate is refused before anything is read or sent', async () => {
    const idp = closeAfterTest(await fakeBatchIdp());
    const { input, out } = await costlyFolder();
    await expect(
      runBatch({ client: clientFor(idp), inputs: [input], ...ACTION, outDir: out, ...FAST, maxCredits: 10 }),
    ).rejects.toThrow(/needs the rate/);
    expect(idp.seen).toEqual([]);
  });
});
