import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { closeAfterTest } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import { JournalLockedError, planBatch, readJournal, runBatch } from '../src/index.js';
import { LOCK_FILE } from '../src/journal-lock.js';
import { ACTION, fakeBatchIdp } from './fake-batch-idp.js';
import { clientFor, documents, FAST, tempDir } from './helpers.js';

// A relative `outDir` is a folder of `cwd`, as the inputs are: `idp batch` runs `main()` with the
// user's folder as `cwd`, in its own process or in a test's. Messages name the folder as it was given.
describe('a relative outDir is read against cwd', () => {
  it('the journal and outputs go to cwd/out, never to this process folder; the plan reads them there', async () => {
    const idp = closeAfterTest(await fakeBatchIdp());
    const cwd = await tempDir();
    await documents(cwd, 2);
    const summary = await runBatch({
      client: clientFor(idp),
      inputs: ['in'],
      cwd,
      ...ACTION,
      outDir: 'out',
      ...FAST,
    });
    expect(summary.succeeded).toBe(2);
    expect(existsSync(join(cwd, 'out', 'journal.jsonl'))).toBe(true);
    expect(existsSync(join(cwd, 'out', 'results.jsonl'))).toBe(true);
    expect(existsSync(join(process.cwd(), 'out'))).toBe(false);
    expect(await readJournal(join(cwd, 'out'))).toHaveLength(2);
    const plan = await planBatch({ inputs: ['in'], cwd, ...ACTION, outDir: 'out' });
    expect(plan.submit.documents).toBe(0); // both done, as the journal in cwd/out says
  });

  it("another host's lock: the refusal names the folder as given", async () => {
    const idp = closeAfterTest(await fakeBatchIdp());
    const cwd = await tempDir();
    await documents(cwd, 1);
    await mkdir(join(cwd, 'out'));
    await writeFile(join(cwd, 'out', LOCK_FILE), JSON.stringify({ host: 'worker-7', pid: 1 }));
    const error = await runBatch({
      client: clientFor(idp),
      inputs: ['in'],
      cwd,
      ...ACTION,
      outDir: 'out',
      ...FAST,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalLockedError);
    expect((error as Error).message).toContain(`holds out: wait for it`);
    expect((error as Error).message).toContain(`delete ${join('out', LOCK_FILE)} and run again`);
    expect(idp.seen).toEqual([]); // refused before any request
  });
});
