import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { closeAfterTest, pdfBytes, postgresMissing } from '@idp-kit/testkit';
import { describe, expect, it, onTestFinished } from 'vitest';
import { planBatch, runBatch } from '../src/index.js';
import { openPostgresStore } from '../src/postgres.js';
import { ACTION, fakeBatchIdp } from './fake-batch-idp.js';
import { clientFor, FAST, tempDir } from './helpers.js';
import { sharedPostgres } from './shared-postgres.js';

const missing = await postgresMissing('the PostgreSQL budget tests');

const server = sharedPostgres();

/** `count` documents of 2 pages each. */
async function twoPagers(count: number): Promise<{ dir: string; input: string }> {
  const dir = await tempDir();
  const input = join(dir, 'in');
  await mkdir(input);
  for (let i = 0; i < count; i++)
    await writeFile(join(input, `doc-${i}.pdf`), pdfBytes(2, { text: `doc ${i}` }));
  return { dir, input };
}

describe.skipIf(Boolean(missing))('a budget shared by the workers of a PostgreSQL batch', () => {
  it('two workers spend one budget, counted in the store; a rerun with the same sends nothing, one with more the rest, each once', async () => {
    const url = await server.createDatabase('budget1');
    const idp = closeAfterTest(await fakeBatchIdp());
    const { dir, input } = await twoPagers(8);
    const run = async (name: string, maxPages: number) => {
      const journal = await openPostgresStore({
        url,
        batch: 'b1',
        action: ACTION,
        leaseMs: 60_000,
        workerId: name,
      });
      onTestFinished(() => journal.close());
      return runBatch({
        client: clientFor(idp),
        inputs: [input],
        ...ACTION,
        outDir: join(dir, `out-${name}`),
        ...FAST,
        uploadConcurrency: 4,
        maxPages,
        journal,
      });
    };
    // 8 documents of 2 pages, a budget of 7 pages for two workers of 4 uploads each: 3 documents, not 6.
    const [one, two] = await Promise.all([run('w1', 7), run('w2', 7)]);
    expect(idp.posts.size).toBe(3);
    expect(one.pages.submitted).toBe(6);
    expect(one.heldByBudget).toEqual({ documents: 5, pages: 10 });
    expect(two.heldByBudget).toEqual(one.heldByBudget);

    const same = await run('w3', 7);
    expect(idp.posts.size).toBe(3);
    expect(same.heldByBudget).toEqual({ documents: 5, pages: 10 });

    // The dry run counts the store's pages too: 1 page left of 7 fits none of them.
    const journal = await openPostgresStore({ url, batch: 'b1', action: ACTION });
    onTestFinished(() => journal.close());
    const plan = await planBatch({
      inputs: [input],
      ...ACTION,
      outDir: join(dir, 'plan'),
      maxPages: 7,
      journal,
    });
    expect(plan.submit).toEqual({ documents: 0, pages: 0 });
    expect(plan.documents.filter((d) => d.verdict === 'done')).toHaveLength(3);

    const more = await run('w4', 100);
    expect(more.heldByBudget).toEqual({ documents: 0, pages: 0 });
    expect(more.succeeded).toBe(8);
    expect(more.pages.submitted).toBe(16);
    expect([...idp.posts.values()]).toEqual(Array(8).fill(1));
  });

  it('the dry run of a second batch names the batch and execution whose document it would reuse, and sends nothing', async () => {
    const url = await server.createDatabase('budget2');
    const idp = closeAfterTest(await fakeBatchIdp());
    const { dir, input } = await twoPagers(2);
    const first = await openPostgresStore({ url, batch: 'b1', action: ACTION });
    onTestFinished(() => first.close());
    await runBatch({
      client: clientFor(idp),
      inputs: [input],
      ...ACTION,
      outDir: join(dir, 'out1'),
      ...FAST,
      journal: first,
    });
    const ids = new Map((await first.load()).map((r) => [r.path, r.executionId]));
    const posts = idp.seen.length;
    const second = await openPostgresStore({ url, batch: 'b2', action: ACTION });
    onTestFinished(() => second.close());
    const plan = await planBatch({ inputs: [input], ...ACTION, outDir: join(dir, 'out2'), journal: second });
    expect(plan.documents.map((d) => [d.verdict, d.duplicateOf])).toEqual(
      [...ids.values()].map((id) => ['duplicate', `batch b1, execution ${id}`]),
    );
    expect(plan.submit).toEqual({ documents: 0, pages: 0 });
    const resubmit = await planBatch({
      inputs: [input],
      ...ACTION,
      outDir: join(dir, 'out2'),
      journal: second,
      resubmitDuplicates: true,
    });
    expect(resubmit.submit).toEqual({ documents: 2, pages: 4 });
    expect(idp.seen.length).toBe(posts);
    expect(await second.load()).toEqual([]);
  });
});
