// One behaviour suite, run against both stores (issue 23, item 2): the file journal and the PostgreSQL
// store must do the same with the same batch. A behaviour that differs between them is a bug.
// Every case talks to a real node:http fake IDP on 127.0.0.1; a kill is a real SIGKILL of a child run.
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { closeAfterTest, IDS, pdfBytes, postgresMissing } from '@idp-kit/testkit';
import pg from 'pg';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import {
  type BatchEvent,
  type BatchOptions,
  type BatchSummary,
  type DocumentRecord,
  readJournal,
  runBatch,
} from '../src/index.js';
import { openPostgresStore } from '../src/postgres.js';
import { ACTION, type FakeBatchIdp, type FakeBatchOptions, fakeBatchIdp } from './fake-batch-idp.js';
import { clientFor, documents, FAST, jsonLines, spawnBatch, tempDir } from './helpers.js';
import { sharedPostgres } from './shared-postgres.js';

const pgMissing = await postgresMissing('the behaviour suite on the PostgreSQL store');

const server = sharedPostgres();
let databases = 0;

/** One batch in the store under test: how a run uses it, and how to look inside. */
interface Batch {
  /** One run, as one `idp batch run` is (PostgreSQL: its own connection, closed after the run). */
  run(options: BatchOptions): Promise<BatchSummary>;
  /** What `run-batch.ts` needs to run this batch in a child process. */
  env: Record<string, string>;
  /** What a run killed with -9 leaves behind for a while (PostgreSQL: its leases), lapsed now, as time would. */
  afterKill(): Promise<void>;
  /** The store's records of the batch. */
  records(): Promise<DocumentRecord[]>;
}

interface StoreUnderTest {
  name: string;
  /** Why this store cannot be tested here (the cases are skipped, and the reason is recorded). */
  missing?: string;
  batch(outDir: string): Promise<Batch>;
}

const fileJournal: StoreUnderTest = {
  name: 'file journal',
  async batch(outDir) {
    return {
      run: (options) => runBatch(options),
      env: {},
      // A dead run's lock (host, pid, start time) is taken over by the next run: nothing to lapse.
      afterKill: async () => {},
      records: async () => (await readJournal(outDir)) ?? [],
    };
  },
};

async function sql(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

const postgresStore: StoreUnderTest = {
  name: pgMissing ? `PostgreSQL store (skipped: ${pgMissing})` : 'PostgreSQL store',
  ...(pgMissing ? { missing: pgMissing } : {}),
  async batch() {
    const url = await server.createDatabase(`behaviour${++databases}`);
    const open = () => openPostgresStore({ url, batch: 'b', action: ACTION });
    return {
      async run(options) {
        const journal = await open();
        try {
          return await runBatch({ ...options, journal });
        } finally {
          await journal.close();
        }
      },
      env: { STORE: url, BATCH: 'b' },
      afterKill: () =>
        sql(
          url,
          `UPDATE idp_batch_documents SET lease_until = now() - interval '1 second' WHERE lease_until > now()`,
        ),
      async records() {
        const store = await open();
        try {
          return await store.load();
        } finally {
          await store.close();
        }
      },
    };
  },
};

/** A fake IDP, `count` documents, and a batch of them in `store`. */
async function setup(store: StoreUnderTest, count: number, fake: FakeBatchOptions = {}) {
  const idp = closeAfterTest(await fakeBatchIdp(fake));
  const dir = await tempDir();
  const input = await documents(dir, count);
  const out = join(dir, 'out');
  const batch = await store.batch(out);
  const options: BatchOptions = { client: clientFor(idp), inputs: [input], ...ACTION, outDir: out, ...FAST };
  return {
    idp,
    input,
    out,
    batch,
    run: (extra: Partial<BatchOptions> = {}) => batch.run({ ...options, ...extra }),
    /** The settings of `run-batch.ts`: the same batch, in a child process. */
    env: {
      ORG: IDS.organizationId,
      BASE_URL: idp.baseUrl,
      TOKEN_URL: idp.tokenUrl,
      INPUT: input,
      OUT: out,
      ACTION_ID: ACTION.actionId,
      ACTION_VERSION: ACTION.actionVersion,
      ...batch.env,
    },
  };
}

const requests = (idp: FakeBatchIdp, method: 'POST' | 'GET') => idp.seen.filter((m) => m === method).length;
const posted = (idp: FakeBatchIdp) => [...idp.posts.values()].reduce((a, b) => a + b, 0);

describe.each([fileJournal, postgresStore])('behaviour: $name', (store) => {
  const test = it.skipIf(Boolean(store.missing));

  test.each([
    { during: 'an upload', method: 'POST' as const, at: 5 },
    { during: 'a wait', method: 'GET' as const, at: 3 },
  ])(
    'kill -9 during $during, then the same command again: nothing lost, no document POSTed twice',
    async ({ method, at }) => {
      const DOCUMENTS = 12;
      let armed: ReturnType<typeof spawnBatch> | undefined;
      let seen = 0;
      const t = await setup(store, DOCUMENTS, {
        onRequest: (what) => {
          if (what !== method || !armed || ++seen !== at) return;
          const child = armed;
          armed = undefined;
          child.kill();
          // This request is answered only once its run is dead: it reached IDP (a POST created its
          // execution), and the run never heard back.
          return child.done.then(() => {});
        },
      });
      const killed = spawnBatch(t.env);
      armed = killed;
      expect(await killed.done).toBeUndefined(); // killed, not finished
      await t.batch.afterKill();

      const summary = await spawnBatch(t.env).done;
      if (!summary) throw new Error('the rerun was killed');
      // Nothing POSTed twice without the user's word.
      expect(Math.max(...t.idp.posts.values())).toBe(1);
      // Nothing lost: every document is done, or reported uncertain (an upload the kill cut off).
      expect(summary).toMatchObject({ documents: DOCUMENTS, pending: 0 });
      expect(summary.succeeded + summary.uncertain.length).toBe(DOCUMENTS);
      if (method === 'POST') expect(summary.uncertain.length).toBeGreaterThanOrEqual(1); // the held POST
      expect(summary.uncertain.length).toBeLessThanOrEqual(4); // the uploads in flight (run-batch.ts)
      for (const r of (await t.batch.records()).filter((r) => r.state === 'uncertain')) {
        expect(r.error).toMatch(/the run stopped during the upload: IDP may or may not have created/);
      }
      const lines = await jsonLines(join(t.out, 'results.jsonl'));
      expect(lines).toHaveLength(DOCUMENTS);
      expect(new Set(lines.map((l) => l.file)).size).toBe(DOCUMENTS);
      expect(JSON.parse(await readFile(join(t.out, 'summary.json'), 'utf8'))).toEqual(summary);

      // With the user's word, the uncertain ones are sent again, and only those.
      const before = posted(t.idp);
      expect(await spawnBatch({ ...t.env, RESUBMIT: '1' }).done).toMatchObject({
        succeeded: DOCUMENTS,
        uncertain: [],
      });
      expect(posted(t.idp) - before).toBe(summary.uncertain.length);
    },
  );

  test('an upload answered with a 2xx the engine cannot read, or a 5xx, is uncertain: not sent again by a rerun, only with resubmitUncertain', async () => {
    let readable = false;
    const t = await setup(store, 4, {
      answerPost: (_n, id, fileName) => {
        if (readable) return undefined;
        if (fileName === 'doc-0000.pdf') return { status: 201, type: 'application/json', body: '{}' };
        if (fileName === 'doc-0001.pdf')
          return { status: 202, type: 'application/json', body: JSON.stringify({ id }) };
        if (fileName === 'doc-0002.pdf')
          return { status: 200, type: 'text/html', body: '<html>proxy</html>' };
        return undefined;
      },
      // The server created the execution, then failed: the client cannot know.
      failAfterCreate: (_n, fileName) => !readable && fileName === 'doc-0003.pdf',
    });
    for (let run = 0; run < 3; run++) {
      const summary = await t.run();
      expect(summary).toMatchObject({ documents: 4, succeeded: 0, states: { uncertain: 4 } });
      expect(summary.uncertain.map((p) => p.slice(t.input.length + 1)).sort()).toEqual([
        'doc-0000.pdf',
        'doc-0001.pdf',
        'doc-0002.pdf',
        'doc-0003.pdf',
      ]);
    }
    expect(requests(t.idp, 'POST')).toBe(4); // the reruns sent nothing
    readable = true;
    expect(await t.run({ resubmitUncertain: true })).toMatchObject({ succeeded: 4, uncertain: [] });
    expect([...t.idp.posts.values()]).toEqual([2, 2, 2, 2]);
  });

  test('a document waiting for review is checked again by each rerun, and taken once approved', async () => {
    let reviewing = true;
    const t = await setup(store, 2, {
      finalStatus: () => (reviewing ? 'MANUAL_VALIDATION_REQUIRED' : 'SUCCEEDED'),
    });
    const first = await t.run();
    expect(first).toMatchObject({ documents: 2, needsReview: 2, succeeded: 0, states: { settled: 2 } });
    expect(first.review.map((p) => p.slice(t.input.length + 1))).toEqual(['doc-0000.pdf', 'doc-0001.pdf']);
    // Still in review: the rerun asks IDP once per document (not in a loop), and reports them again.
    const gets = requests(t.idp, 'GET');
    expect(await t.run()).toMatchObject({ needsReview: 2, succeeded: 0 });
    expect(requests(t.idp, 'GET') - gets).toBe(2);
    // Approved: the next rerun takes the results.
    reviewing = false;
    expect(await t.run()).toMatchObject({ needsReview: 0, succeeded: 2, review: [] });
    expect([...t.idp.posts.values()]).toEqual([1, 1]);
    const lines = await jsonLines(join(t.out, 'results.jsonl'));
    expect(lines.map((l) => l.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  });

  test('a 404 within the retention is asked again, in the run and by the rerun; once IDP shows it, it is retrieved', async () => {
    let missing = true;
    const t = await setup(store, 1, { notFound: () => missing });
    expect(await t.run()).toMatchObject({ pending: 1, states: { submitted: 1 } });
    expect(requests(t.idp, 'GET')).toBe(3); // asked again within the run
    const [kept] = await t.batch.records();
    expect(kept?.error).toMatch(
      /a rerun asks again until \d{4}-\d\d-\d\dT.*\(2[34] h from now\); only after that is it counted expired/,
    );
    expect(await t.run()).toMatchObject({ pending: 1, states: { submitted: 1 } });
    expect(requests(t.idp, 'GET')).toBe(6); // and by the rerun
    missing = false;
    expect(await t.run()).toMatchObject({ succeeded: 1, states: { retrieved: 1 } });
    expect([...t.idp.posts.values()]).toEqual([1]);
  });

  test('past the retention (24 h after the upload), a 404 is expired; nothing is sent again', async () => {
    // Only the clock the engine reads is moved; timers and the database's clock run as they do.
    vi.useFakeTimers({ toFake: ['Date'] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    vi.setSystemTime(new Date());
    const t = await setup(store, 1, { notFound: () => true });
    expect(await t.run()).toMatchObject({ pending: 1, states: { submitted: 1 } }); // just uploaded: kept
    vi.setSystemTime(Date.now() + 23 * 3_600_000);
    expect(await t.run()).toMatchObject({ pending: 1, states: { submitted: 1 } }); // 23 h: still within
    vi.setSystemTime(Date.now() + 2 * 3_600_000);
    const expired = await t.run();
    expect(expired).toMatchObject({ documents: 1, pending: 0, states: { expired: 1 } });
    const [record] = await t.batch.records();
    expect(record?.error).toMatch(
      /the results are no longer available \(IDP keeps a successful result 24 hours\)/,
    );
    expect([...t.idp.posts.values()]).toEqual([1]);
  });

  test('429: a Retry-After is honoured (capped), without one the wait is backoff with jitter; nothing lost or sent twice', async () => {
    const t = await setup(store, 3, { rateLimit: (n) => (n === 0 ? '1' : n === 1 ? null : undefined) });
    const events: BatchEvent[] = [];
    const summary = await t.run({ uploadConcurrency: 1, onEvent: (e) => events.push(e) });
    expect(summary).toMatchObject({ documents: 3, succeeded: 3 });
    const throttled = events.filter((e) => e.type === 'throttled');
    expect(throttled).toEqual([
      { type: 'throttled', limit: 1, retryAfterMs: 1_000, waitMs: FAST.backoff.maxDelayMs },
      { type: 'throttled', limit: 1, waitMs: expect.any(Number) },
    ]);
    expect((throttled[1] as { waitMs: number }).waitMs).toBeLessThanOrEqual(FAST.backoff.maxDelayMs);
    expect(requests(t.idp, 'POST')).toBe(5);
    expect([...t.idp.posts.values()]).toEqual([1, 1, 1]);
  });

  test('429 for ever: maxRateLimitedSubmits uploads in a row (10 by default), then error with what to do; each rerun tries again, as bounded', async () => {
    let limited = true;
    const t = await setup(store, 1, { rateLimit: () => (limited ? null : undefined) });
    const events: BatchEvent[] = [];
    expect(await t.run({ onEvent: (e) => events.push(e) })).toMatchObject({ states: { error: 1 } });
    expect(requests(t.idp, 'POST')).toBe(10);
    const waits = events.flatMap((e) => (e.type === 'throttled' ? [e.waitMs] : []));
    expect(waits).toHaveLength(10);
    expect(waits.every((w) => w >= 0 && w <= FAST.backoff.maxDelayMs)).toBe(true);
    const [record] = await t.batch.records();
    expect(record?.error).toMatch(
      /429 Too Many Requests to 10 uploads of this document in a row; nothing was created\. Rerun/,
    );
    // Nothing was created: the rerun tries again, bounded again (here by the option).
    expect(await t.run({ maxRateLimitedSubmits: 3 })).toMatchObject({ states: { error: 1 } });
    expect(requests(t.idp, 'POST')).toBe(13);
    limited = false;
    expect(await t.run()).toMatchObject({ succeeded: 1 });
    expect([...t.idp.posts.values()]).toEqual([1]);
  });

  test('a rejected (empty) file is read again by each rerun: the same verdict while empty, taken once written', async () => {
    const t = await setup(store, 1);
    await writeFile(join(t.input, 'late.pdf'), '');
    expect(await t.run()).toMatchObject({ succeeded: 1, states: { retrieved: 1, rejected: 1 } });
    expect(await t.run()).toMatchObject({ states: { retrieved: 1, rejected: 1 } }); // still empty
    await writeFile(join(t.input, 'late.pdf'), pdfBytes(1, { text: 'late' }));
    expect(await t.run()).toMatchObject({ documents: 2, succeeded: 2, states: { retrieved: 2 } });
    expect([...t.idp.posts.values()]).toEqual([1, 1]);
  });
});

/** An output file's text with each execution id replaced (they are random per fake IDP). */
async function comparable(out: string, file: string, ids: string[]): Promise<string> {
  let text = await readFile(join(out, file), 'utf8');
  for (const [i, id] of ids.entries()) text = text.replaceAll(id, `<execution ${i}>`);
  return text;
}

describe.skipIf(Boolean(pgMissing))('behaviour: both stores, one batch', () => {
  it('the same inputs give the same summary.json, results.jsonl and fields.csv on both stores, run and rerun', async () => {
    const dir = await tempDir();
    const input = await documents(dir, 6);
    await copyFile(join(input, 'doc-0000.pdf'), join(input, 'doc-0000-copy.pdf'));
    await writeFile(join(input, 'empty.pdf'), '');
    const fake: FakeBatchOptions = {
      finalStatus: (name) =>
        name === 'doc-0001.pdf'
          ? 'FAILED'
          : name === 'doc-0002.pdf'
            ? 'MANUAL_VALIDATION_REQUIRED'
            : 'SUCCEEDED',
      answerPost: (_n, _id, name) =>
        name === 'doc-0003.pdf' ? { status: 201, type: 'application/json', body: '{}' } : undefined,
      failAfterCreate: (_n, name) => name === 'doc-0004.pdf',
      rateLimit: (n) => (n === 1 ? null : undefined),
    };
    const outputs: Record<string, { summaries: BatchSummary[]; files: string[]; posts: number[] }> = {};
    for (const store of [fileJournal, postgresStore]) {
      const idp = closeAfterTest(await fakeBatchIdp(fake));
      const out = join(dir, `out-${store === fileJournal ? 'file' : 'pg'}`);
      const batch = await store.batch(out);
      const options = { client: clientFor(idp), inputs: [input], ...ACTION, outDir: out, ...FAST };
      const summaries = [await batch.run(options), await batch.run(options)];
      // Execution ids numbered in the order of their documents' paths: the same numbers on both sides.
      const ids = (await batch.records())
        .filter((r) => r.executionId)
        .sort((a, b) => a.path.localeCompare(b.path))
        .map((r) => r.executionId as string);
      outputs[store.name] = {
        summaries,
        files: await Promise.all(
          ['summary.json', 'results.jsonl', 'fields.csv'].map((f) => comparable(out, f, ids)),
        ),
        posts: [...idp.posts.values()].sort(),
      };
    }
    const [file, shared] = [outputs[fileJournal.name], outputs[postgresStore.name]];
    expect(file?.summaries[1]).toMatchObject({
      documents: 7,
      succeeded: 2,
      needsReview: 1,
      duplicates: 1,
      states: { retrieved: 3, settled: 1, rejected: 1, uncertain: 2 },
      statuses: { SUCCEEDED: 2, FAILED: 1 },
    });
    expect(shared?.summaries).toEqual(file?.summaries);
    expect(shared?.files).toEqual(file?.files);
    expect(shared?.posts).toEqual(file?.posts);
  });
});
