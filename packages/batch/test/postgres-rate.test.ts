import { setImmediate as nextTurn } from 'node:timers/promises';
import { createIdpClient, type IdpClient } from '@idp-kit/client';
import {
  closeAfterTest,
  IDS,
  pdfBytes,
  postgresMissing,
  startPostgres,
  type TestPostgres,
} from '@idp-kit/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  bucketConfig,
  RateBudget,
  type RateSource,
  runBatch,
  type SharedJournalStore,
} from '../src/index.js';
import { openPostgresStore } from '../src/postgres.js';
import { ACTION, type FakeBatchIdp, fakeBatchIdp } from './fake-batch-idp.js';
import { documents, FAST, tempDir } from './helpers.js';

const missing = await postgresMissing('the PostgreSQL rate budget tests');

let server: TestPostgres;
beforeAll(async () => {
  if (!missing) server = await startPostgres();
});
afterAll(async () => {
  await server?.close();
});

/** A client whose every attempt waits for `budget`, and whose 429s cut it. */
function budgetedClient(idp: FakeBatchIdp, budget: RateBudget): IdpClient {
  return createIdpClient({
    organizationId: IDS.organizationId,
    baseUrl: idp.baseUrl,
    auth: { clientId: 'batch', clientSecret: 'batch-secret', tokenUrl: idp.tokenUrl },
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    admit: budget.admit,
    hooks: [budget.hooks],
  });
}

/** The most requests in any window of `ms`, over arrival times at the fake. */
function peak(times: number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let j = 0;
  for (let i = 0; i < sorted.length; i++) {
    while ((sorted[j] as number) <= (sorted[i] as number) - ms) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/** The store's rate bucket at `perSecond`. */
async function sourceOf(journal: SharedJournalStore, perSecond: number): Promise<RateSource> {
  if (!journal.rateSource) throw new Error('the PostgreSQL store has no rate source');
  return journal.rateSource(bucketConfig(perSecond));
}

/** A worker: its own store connection, budget and client, all on batch `batch`. */
async function worker(url: string, batch: string, name: string, idp: FakeBatchIdp, perSecond: number) {
  const journal = await openPostgresStore({ url, batch, action: ACTION, workerId: name });
  onTestFinished(() => journal.close());
  const budget = new RateBudget(await sourceOf(journal, perSecond));
  onTestFinished(() => budget.dispose());
  return { journal, budget, client: budgetedClient(idp, budget) };
}

describe.skipIf(Boolean(missing))('one rate budget for every worker of a PostgreSQL batch', () => {
  it('three workers together stay within the budget (counted at the fake, by its own clock)', async () => {
    const url = await server.createDatabase('rate1');
    // Arrival times at the fake, by the fake's own clock: uploads and polls alike.
    const arrivals: number[] = [];
    const idp = closeAfterTest(await fakeBatchIdp({ onRequest: () => void arrivals.push(Date.now()) }));
    const dir = await tempDir();
    const input = await documents(dir, 20);
    const perSecond = 10;
    const workers = await Promise.all(
      ['w1', 'w2', 'w3'].map((name) => worker(url, 'r1', name, idp, perSecond)),
    );
    const summaries = await Promise.all(
      workers.map((w, i) =>
        runBatch({
          client: w.client,
          inputs: [input],
          ...ACTION,
          outDir: `${dir}/out-${i}`,
          ...FAST,
          journal: w.journal,
        }),
      ),
    );
    expect(summaries[0]?.succeeded).toBe(20);
    expect(idp.posts.size).toBe(20);
    // 20 uploads and 40 polls: 60 requests (and a token request per worker, not counted here).
    expect(arrivals.length).toBe(60);
    const { burst } = bucketConfig(perSecond);
    // Whatever the machine's load, the fleet cannot have gone faster than the budget on average: the
    // 60 requests took at least (60 - burst) / rate. Three budgets of their own would take a third.
    const spanMs = Math.max(...arrivals) - Math.min(...arrivals);
    expect(spanMs).toBeGreaterThanOrEqual(((arrivals.length - burst - 1) / perSecond) * 1000);
    // Nor in any 2 s window: the rate's 20 and the burst, and up to 1 s of the network's delays.
    expect(peak(arrivals, 2_000)).toBeLessThanOrEqual(2 * perSecond + burst + perSecond);
    // Each worker reserved from the one bucket, one trip per request: nobody polls an empty bucket.
    const takes = workers.reduce((n, w) => n + w.budget.stats.takes, 0);
    const admitted = workers.reduce((n, w) => n + w.budget.stats.admitted, 0);
    expect(admitted).toBe(63);
    expect(takes).toBeGreaterThanOrEqual(admitted);
    expect(takes).toBeLessThan(admitted * 1.2);
  });

  it('a 429 seen by one worker cuts the rate every worker takes from, for as long as Retry-After asks', async () => {
    const url = await server.createDatabase('rate2');
    // The first upload is answered 429 with Retry-After: 45.
    const idp = closeAfterTest(await fakeBatchIdp({ rateLimit: (post) => (post === 0 ? 45 : undefined) }));
    const one = await worker(url, 'r2', 'w1', idp, 100);
    await expect(
      one.client.submitExecution({
        ...ACTION,
        file: pdfBytes(1),
        fileName: 'a.pdf',
        retry: { maxRetries: 0 },
      }),
    ).rejects.toMatchObject({ status: 429 });
    // The cut is written as the 429 comes back: wait for the row to say so.
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    onTestFinished(() => db.end());
    const row = async () =>
      (
        await db.query('SELECT factor, cut_until - cut_at AS cut_ms FROM idp_batch_rate WHERE batch = $1', [
          'r2',
        ])
      ).rows[0] as { factor: number; cut_ms: number };
    for (let tries = 0; (await row()).factor === 1; tries++) {
      if (tries > 10_000) throw new Error('the cut never reached the store');
      await nextTurn();
    }
    expect(await row()).toEqual({ factor: 0.5, cut_ms: 45_000 });

    // Another worker of the batch, at 0.1 request a second (burst 1): its next token comes at half
    // that rate, about 20 s away, not 10 s.
    const other = await openPostgresStore({ url, batch: 'r2', action: ACTION, workerId: 'w2' });
    onTestFinished(() => other.close());
    const { dueMs } = await (await sourceOf(other, 0.1)).take(1);
    expect(dueMs[0]).toBeGreaterThan(12_000);
  });
});
