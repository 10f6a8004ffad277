import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { inspect } from 'node:util';
import { postgresMissing } from '@idp-kit/testkit';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  type BatchEvent,
  type DocumentRecord,
  LeaseLostError,
  runBatch,
  type SharedJournalStore,
} from '../src/index.js';
import { MIGRATIONS } from '../src/migrations.js';
import { BatchStoreError, CENSUS, CENSUS_CAP, CLAIMABLE, openPostgresStore } from '../src/postgres.js';
import { thisProcess, workerName } from '../src/process-owner.js';
import { ACTION, type FakeBatchIdp, fakeBatchIdp } from './fake-batch-idp.js';
import { clientFor, documents, jsonLines, tempDir } from './helpers.js';
import { docRecord as doc, openStore as open } from './postgres-store.js';
import { sharedPostgres } from './shared-postgres.js';

/** The pid of a process that has ended (it ran here a moment ago). */
async function endedPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  if (child.pid === undefined) throw new Error('setup: no pid');
  return child.pid;
}

// In CI a missing server fails the run (.ci/run installs it); on a developer's machine without the
// package these tests are skipped with the reason.
const missing = await postgresMissing('the PostgreSQL store tests');

// One cluster for the run (global-setup.ts). The tests that stop the server are in
// postgres-outage.test.ts, on a cluster of their own.
const server = sharedPostgres();
let databases = 0;

async function database(): Promise<string> {
  return server.createDatabase(`t${++databases}`);
}

/** What the census says of `states`: free, and held by other live workers. */
async function outstanding(store: SharedJournalStore, states: DocumentRecord['state'][]) {
  const census = await store.census();
  const sum = (key: 'free' | 'elsewhere') => states.reduce((n, s) => n + (census[s]?.[key] ?? 0), 0);
  return { free: sum('free'), elsewhere: sum('elsewhere') };
}

/** The census's totals per state. */
async function counts(store: SharedJournalStore) {
  return Object.fromEntries(Object.entries(await store.census()).map(([state, c]) => [state, c.total]));
}

/** Makes every lease of the batch lapse now, as a dead worker's would: no clock involved. */
async function lapse(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`UPDATE idp_batch_documents SET lease_until = now() - interval '1 second'`);
  await client.end();
}

describe.skipIf(Boolean(missing))('PostgreSQL store: opening it', () => {
  it('refuses a URL that is not postgres:// before connecting', async () => {
    await expect(openPostgresStore({ url: 'not a url', batch: 'b' })).rejects.toThrow(
      /--store is not a URL: give postgres:\/\/user:password@host:5432\/database/,
    );
    await expect(openPostgresStore({ url: 'mysql://u:p@127.0.0.1/db', batch: 'b' })).rejects.toThrow(
      /must be a postgres:\/\/ URL \(got mysql:\/\/…\)/,
    );
    await expect(openPostgresStore({ url: server.url, batch: 'no spaces please' })).rejects.toThrow(
      /batch name "no spaces please" must be/,
    );
  });

  it('a wrong password: says to check the login, never shows the password', async () => {
    const url = server.url.replace(server.password, 'wrong-secret-123');
    const error = await openPostgresStore({ url, batch: 'b', action: ACTION }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchStoreError);
    const text = `${(error as Error).message} ${inspect(error, { depth: 5 })}`;
    expect((error as Error).message).toMatch(
      /^PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres refused the login \(28P01\): check the user and password/,
    );
    expect(text).not.toContain('wrong-secret-123');
    expect(text).not.toContain(server.password);
  });

  it('nothing listening: connection refused, with the host and port', async () => {
    const url = server.url.replace(`:${server.port}/`, ':1/');
    await expect(openPostgresStore({ url, batch: 'b', action: ACTION })).rejects.toThrow(
      /cannot reach PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/postgres: connection refused/,
    );
  });

  it('a database that does not exist: says to create it', async () => {
    const url = server.url.replace(/\/postgres$/, '/nosuchdb');
    await expect(openPostgresStore({ url, batch: 'b', action: ACTION })).rejects.toThrow(
      /the database does not exist\. Create it \(createdb <name>\)/,
    );
  });

  it('migrations: applied once even when workers open at the same moment; a newer schema is refused', async () => {
    const url = await database();
    const stores = await Promise.all(Array.from({ length: 4 }, () => open(url)));
    expect(stores).toHaveLength(4);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    onTestFinished(() => client.end());
    const { rows } = await client.query('SELECT version, name FROM idp_batch_migrations ORDER BY version');
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    await client.query(`INSERT INTO idp_batch_migrations (version, name) VALUES (999, 'from the future')`);
    const newest = MIGRATIONS[MIGRATIONS.length - 1]?.version;
    await expect(open(url)).rejects.toThrow(
      `the store's schema is version 999, newer than this idp-kit knows (${newest}): upgrade idp-kit`,
    );
  });

  it('a batch is for one action: a worker with another is refused; status of an unknown batch lists the known', async () => {
    const url = await database();
    await open(url);
    await expect(open(url, { action: { ...ACTION, actionVersion: '9.9.9' } })).rejects.toThrow(
      `batch "b1" in ${url.replace(`:${server.password}`, '')} is for action ${ACTION.actionId} version ${ACTION.actionVersion}, not ${ACTION.actionId} 9.9.9`,
    );
    await expect(openPostgresStore({ url, batch: 'other' })).rejects.toThrow(
      /no batch named "other" in .* \(batches there: b1\)/,
    );
  });
});

describe.skipIf(Boolean(missing))('PostgreSQL store: leases', () => {
  it('a worker of this host that has ended: a new worker frees its documents at once and says so; another host’s, or this process’s, wait for their leases', async () => {
    const url = await database();
    const dead = await endedPid();
    const here = thisProcess();
    // Three workers hold a document each: one names a process of this host that has ended, one a
    // process of another host (never presumed dead), one this very process (alive).
    const ended = await open(url, { workerId: workerName({ ...here, pid: dead }, 'ended001') });
    const elsewhere = await open(url, {
      workerId: workerName({ host: 'another-host', pid: dead }, 'other001'),
    });
    const alive = await open(url, { workerId: workerName(here, 'alive001') });
    await ended.add([doc(1), doc(2), doc(3)]);
    const held = await ended.claim(['queued']);
    expect(await elsewhere.claim(['queued'])).toBeDefined();
    expect(await alive.claim(['queued'])).toBeDefined();

    const said: string[] = [];
    const rerun = await open(url, { workerId: 'rerun', onTakeover: (line) => said.push(line) });
    expect(said).toEqual([
      `took over 1 document held by a run that ended (pid ${dead} on this host): free at once, not when the leases lapse`,
    ]);
    expect((await rerun.claim(['queued']))?.record.key).toBe(held?.record.key);
    expect(await rerun.claim(['queued'])).toBeUndefined();
    if (!held) throw new Error('unreachable');
    // Fenced: the worker judged ended can no longer write what it held.
    await expect(
      ended.putLeased({ ...held.record, state: 'submitting', submits: 1 }, held.lease),
    ).rejects.toThrow(LeaseLostError);
    // Nothing more to take over: a second worker says nothing.
    const quiet: string[] = [];
    await open(url, { workerId: 'second', onTakeover: (line) => quiet.push(line) });
    expect(quiet).toEqual([]);
  });

  it('one worker holds a document at a time; a lapsed lease is taken over, and the old holder can no longer write', async () => {
    const url = await database();
    const a = await open(url, { workerId: 'a' });
    const b = await open(url, { workerId: 'b' });
    await a.add([doc(1), doc(2)]);
    const first = await a.claim(['queued']);
    const second = await b.claim(['queued']);
    const none = await b.claim(['queued']);
    expect([first?.record.key, second?.record.key, none]).toEqual([doc(1).key, doc(2).key, undefined]);
    // Others still have work in hand: b must not leave yet.
    expect(await outstanding(b, ['queued'])).toEqual({ free: 0, elsewhere: 1 });

    await lapse(url); // a died
    expect(await outstanding(b, ['queued'])).toEqual({ free: 1, elsewhere: 0 });
    const taken = await b.claim(['queued']);
    expect(taken?.record.key).toBe(doc(1).key);
    if (!first || !taken) throw new Error('unreachable');
    await expect(
      a.putLeased({ ...first.record, state: 'submitting', submits: 1 }, first.lease),
    ).rejects.toThrow(LeaseLostError);
    await b.putLeased({ ...taken.record, state: 'submitting', submits: 1 }, taken.lease);
    expect((await b.load()).find((r) => r.key === doc(1).key)?.state).toBe('submitting');
  });

  it('fencing: a loop of the same worker whose hold lapsed cannot write after another loop took the document', async () => {
    const url = await database();
    const a = await open(url, { workerId: 'a' });
    await a.add([doc(1)]);
    const first = await a.claim(['queued']);
    await lapse(url);
    const second = await a.claim(['queued']);
    if (!first || !second) throw new Error('unreachable');
    expect(second.lease.token).toBeGreaterThan(first.lease.token);
    await expect(
      a.putLeased({ ...first.record, state: 'submitting', submits: 1 }, first.lease),
    ).rejects.toThrow(LeaseLostError);
    await a.putLeased({ ...second.record, state: 'submitting', submits: 1 }, second.lease);
  });

  it('a worker whose hold lapsed during the upload still records the execution id (nobody resubmitted it)', async () => {
    const url = await database();
    const a = await open(url, { workerId: 'a' });
    const b = await open(url, { workerId: 'b' });
    await a.add([doc(1)]);
    const held = await a.claim(['queued']);
    if (!held) throw new Error('unreachable');
    const submitting = { ...held.record, state: 'submitting' as const, submits: 1 };
    await a.putLeased(submitting, held.lease);
    await lapse(url);
    const taken = await b.claim(['submitting']);
    if (!taken) throw new Error('unreachable');
    await b.putLeased({ ...taken.record, state: 'uncertain' }, taken.lease);
    // a's POST answers now: the id is written, the document is free for whoever waits for it.
    await expect(
      a.putLeased({ ...submitting, state: 'submitted', executionId: 'e1' }, held.lease),
    ).rejects.toThrow(LeaseLostError);
    const after = (await b.load())[0];
    expect(after).toMatchObject({ state: 'submitted', executionId: 'e1', submits: 1 });
    expect((await b.claim(['submitted']))?.record.executionId).toBe('e1');
  });

  it('duplicates found by another worker are added to the record and survive its holder writing it', async () => {
    const url = await database();
    const a = await open(url, { workerId: 'a' });
    await a.add([doc(1)]);
    const held = await a.claim(['queued']);
    if (!held) throw new Error('unreachable');
    await a.add([{ ...doc(1), duplicates: ['/in/copy.pdf'] }]);
    await a.add([{ ...doc(1), duplicates: ['/in/copy.pdf'] }]); // again: no second entry
    await a.putLeased({ ...held.record, state: 'submitting', submits: 1 }, held.lease);
    expect((await a.load())[0]).toMatchObject({ state: 'submitting', duplicates: ['/in/copy.pdf'] });
  });

  it('a parked document is not waited for, and the next run makes it and retryable errors available again', async () => {
    const url = await database();
    const a = await open(url, { workerId: 'a' });
    await a.add([doc(1, 'submitted'), { ...doc(2, 'error'), error: 'refused' }, doc(3, 'error')]);
    await a.put({ ...doc(3, 'error'), executionId: 'e3' }); // an error after an execution exists
    const held = await a.claim(['submitted']);
    if (!held) throw new Error('unreachable');
    await a.park(held.lease);
    expect(await outstanding(a, ['submitted', 'queued'])).toEqual({ free: 0, elsewhere: 0 });
    await a.reopen();
    expect(await outstanding(a, ['submitted', 'queued'])).toEqual({ free: 2, elsewhere: 0 });
    expect(await counts(a)).toEqual({ submitted: 1, queued: 1, error: 1 });
    const states = Object.fromEntries((await a.load()).map((r) => [r.fileName, r.state]));
    expect(states).toEqual({ 'doc-1.pdf': 'submitted', 'doc-2.pdf': 'queued', 'doc-3.pdf': 'error' });
  });

  it('the census reads the counters, not the batch: 2,005 documents, a few dozen rows read; totals exact through every kind of write', async () => {
    const url = await database();
    const a = await open(url, { workerId: 'a' });
    const many = Array.from({ length: 2_000 }, (_, i) => doc(100 + i, 'retrieved'));
    await a.add([...many, ...[1, 2, 3, 4, 5].map((n) => doc(n))]);
    const direct = new pg.Client({ connectionString: url });
    await direct.connect();
    onTestFinished(() => direct.end());
    // Rows this transaction read from the documents table (its own statistics, exact and at once).
    await direct.query('BEGIN');
    const census = await direct.query(CENSUS, ['b1', 'a', [], CENSUS_CAP, CLAIMABLE]);
    const read = await direct.query<{ n: string }>(
      `SELECT seq_tup_read + COALESCE(idx_tup_fetch, 0) AS n FROM pg_stat_xact_user_tables WHERE relname = 'idp_batch_documents'`,
    );
    await direct.query('COMMIT');
    expect(Number(read.rows[0]?.n)).toBeLessThan(50); // was: 2,005, every tick, every worker
    expect(census.rows.map((r) => [r.state, Number(r.total), Number(r.free)]).sort()).toEqual([
      ['queued', 5, 5],
      ['retrieved', 2000, 0],
    ]);

    // Every kind of write keeps the totals exact: claims and leased writes, put (insert and update),
    // reopen, forget, and another batch's documents apart.
    const b = await open(url, { workerId: 'b', batch: 'b2' });
    await b.add([doc(1), doc(9)]);
    const claimed = await a.claim(['queued']);
    if (!claimed) throw new Error('nothing claimed');
    await a.putLeased({ ...claimed.record, state: 'submitting' }, claimed.lease);
    await a.putLeased({ ...claimed.record, state: 'error' }, claimed.lease);
    await a.put([
      { ...doc(2), state: 'submitted', executionId: 'x' },
      { ...doc(7), state: 'rejected', key: 'rejected:/in/7' },
    ]);
    await a.reopen();
    await a.forget(['rejected:/in/7']);
    const truth = await direct.query<{ state: string; n: string }>(
      `SELECT state, count(*) AS n FROM idp_batch_documents WHERE batch = 'b1' GROUP BY state`,
    );
    expect(await counts(a)).toEqual(Object.fromEntries(truth.rows.map((r) => [r.state, Number(r.n)])));
    expect(await counts(a)).toEqual({ queued: 4, submitted: 1, retrieved: 2000 });
    expect(await counts(b)).toEqual({ queued: 2 });
    // A batch removed by hand takes its counters with it.
    await direct.query(`DELETE FROM idp_batch_batches WHERE batch = 'b2'`);
    const left = await direct.query(`SELECT count(*) AS n FROM idp_batch_counts WHERE batch = 'b2'`);
    expect(Number(left.rows[0]?.n)).toBe(0);
  });
});

describe.skipIf(Boolean(missing))('runBatch on the PostgreSQL store', () => {
  it('two workers in one process share a batch: each document submitted once, both see the same results', async () => {
    const url = await database();
    const idp = await fakeBatchIdp();
    onTestFinished(() => idp.close());
    const dir = await tempDir();
    const input = await documents(dir, 30);
    const run = async (name: string) =>
      runBatch({
        client: clientFor(idp),
        inputs: [input],
        ...ACTION,
        outDir: `${dir}/out-${name}`,
        pollIntervalMs: 1,
        maxPollIntervalMs: 2,
        journal: await open(url, { workerId: name }),
      });
    const [one, two] = await Promise.all([run('w1'), run('w2')]);
    expect(one).toEqual(two);
    expect(one).toMatchObject({ documents: 30, succeeded: 30, pending: 0, uncertain: [] });
    expect([...idp.posts.values()]).toEqual(Array(30).fill(1));
  });

  it('a claim whose reply was lost (committed, then retried) leaves no document behind', async () => {
    const url = await database();
    const idp = await fakeBatchIdp();
    onTestFinished(() => idp.close());
    const dir = await tempDir();
    const input = await documents(dir, 6);
    const store = await open(url);
    // The outage case, made exact: a claim commits at the server and its answer never reaches the store
    // (its retry then claims again). Done here as the same UPDATE, sent past the store: one queued
    // document is leased to this worker, and no loop of it knows.
    const direct = new pg.Client({ connectionString: url });
    await direct.connect();
    onTestFinished(() => direct.end());
    let lost = false;
    const lossy: SharedJournalStore = Object.assign(Object.create(store) as SharedJournalStore, {
      async claim(states: Parameters<SharedJournalStore['claim']>[0]) {
        if (!lost) {
          lost = true;
          await direct.query(
            `UPDATE idp_batch_documents SET lease_owner = $2, lease_token = lease_token + 1,
                    lease_until = now() + interval '60 seconds'
              WHERE key = (SELECT key FROM idp_batch_documents WHERE batch = $1 AND state = 'queued'
                            ORDER BY seq LIMIT 1)`,
            ['b1', store.workerId],
          );
        }
        return store.claim(states);
      },
    });
    const summary = await runBatch({
      client: clientFor(idp),
      inputs: [input],
      ...ACTION,
      outDir: `${dir}/out`,
      pollIntervalMs: 1,
      maxPollIntervalMs: 2,
      journal: lossy,
    });
    expect(lost).toBe(true);
    expect(summary).toMatchObject({ documents: 6, succeeded: 6, pending: 0, uncertain: [] });
    expect([...idp.posts.values()]).toEqual(Array(6).fill(1));
  });

  it('a write whose reply was lost (committed, then retried) is taken as done: no upload orphaned, nothing paid twice', async () => {
    const url = await database();
    const idp = await fakeBatchIdp();
    onTestFinished(() => idp.close());
    const dir = await tempDir();
    const input = await documents(dir, 6);
    const store = await open(url);
    // The outage case, made exact: every intent to upload and every write commits at the server, and
    // the store's retry (the reply was lost) sends it again. The retry finds its own record in the row.
    let retried = 0;
    const lossy: SharedJournalStore = Object.assign(Object.create(store) as SharedJournalStore, {
      async intendSubmit(...args: Parameters<NonNullable<SharedJournalStore['intendSubmit']>>) {
        const first = await store.intendSubmit?.(...args);
        if (first) return first;
        retried++;
        return store.intendSubmit?.(...args);
      },
      async putLeased(...args: Parameters<SharedJournalStore['putLeased']>) {
        await store.putLeased(...args);
        retried++;
        return store.putLeased(...args);
      },
    });
    const summary = await runBatch({
      client: clientFor(idp),
      inputs: [input],
      ...ACTION,
      outDir: `${dir}/out`,
      pollIntervalMs: 1,
      maxPollIntervalMs: 2,
      journal: lossy,
    });
    expect(retried).toBeGreaterThanOrEqual(12);
    expect(summary).toMatchObject({ documents: 6, succeeded: 6, pending: 0, uncertain: [] });
    expect([...idp.posts.values()]).toEqual(Array(6).fill(1));
  });
});

describe.skipIf(Boolean(missing))('never paid twice across the batches of one store', () => {
  async function runIn(
    batch: string,
    url: string,
    input: string,
    dir: string,
    idp: FakeBatchIdp,
    extra = {},
  ) {
    return runBatch({
      client: clientFor(idp),
      inputs: [input],
      ...ACTION,
      outDir: `${dir}/out-${batch}`,
      pollIntervalMs: 1,
      maxPollIntervalMs: 2,
      journal: await open(url, { batch }),
      ...extra,
    });
  }
  const ids = async (url: string, batch: string) => {
    const store = await open(url, { batch });
    return new Map((await store.load()).map((r) => [r.key, r]));
  };

  it("a second batch with the same 10 documents POSTs nothing: it reuses the first batch's executions and results", async () => {
    const url = await database();
    const idp = await fakeBatchIdp();
    onTestFinished(() => idp.close());
    const dir = await tempDir();
    const input = await documents(dir, 10);
    expect(await runIn('b1', url, input, dir, idp)).toMatchObject({ succeeded: 10, reused: 0 });
    expect([...idp.posts.values()]).toEqual(Array(10).fill(1));
    const events: BatchEvent[] = [];
    const second = await runIn('b2', url, input, dir, idp, { onEvent: (e: BatchEvent) => events.push(e) });
    expect(second).toMatchObject({ documents: 10, succeeded: 10, reused: 10, pending: 0, uncertain: [] });
    expect([...idp.posts.values()]).toEqual(Array(10).fill(1)); // nothing POSTed by b2
    const [first, reused] = [await ids(url, 'b1'), await ids(url, 'b2')];
    for (const [key, r] of reused) {
      const theirs = first.get(key);
      expect(r).toMatchObject({
        state: 'retrieved',
        status: 'SUCCEEDED',
        executionId: theirs?.executionId,
        duplicateOf: { batch: 'b1', executionId: theirs?.executionId },
      });
      expect(r.execution).toEqual(theirs?.execution);
    }
    const said = events.filter((e) => e.type === 'state' && e.duplicateOf === 'b1');
    expect(said).toHaveLength(10);
    const lines = await jsonLines(`${dir}/out-b2/results.jsonl`);
    expect(lines.map((l) => (l.duplicateOf as { batch: string }).batch)).toEqual(Array(10).fill('b1'));
    expect(JSON.parse(await readFile(`${dir}/out-b2/summary.json`, 'utf8'))).toMatchObject({ reused: 10 });

    // The user's word: --resubmit-duplicates sends them all again.
    const third = await runIn('b3', url, input, dir, idp, { resubmitDuplicates: true });
    expect(third).toMatchObject({ succeeded: 10, reused: 0 });
    expect([...idp.posts.values()]).toEqual(Array(10).fill(2));
  });

  it('accepted but not yet retrieved in the other batch: its execution is awaited here, not uploaded again', async () => {
    const url = await database();
    const idp = await fakeBatchIdp();
    onTestFinished(() => idp.close());
    const dir = await tempDir();
    const input = await documents(dir, 3);
    await runIn('b1', url, input, dir, idp);
    // b1's results were never fetched (a worker that died mid-wait): only the execution ids are there.
    const direct = new pg.Client({ connectionString: url });
    await direct.connect();
    onTestFinished(() => direct.end());
    await direct.query(
      `UPDATE idp_batch_documents SET state = 'submitted', record = (record - 'execution' - 'status') || '{"state":"submitted"}' WHERE batch = 'b1'`,
    );
    const second = await runIn('b2', url, input, dir, idp);
    expect(second).toMatchObject({ succeeded: 3, reused: 3 });
    expect([...idp.posts.values()]).toEqual(Array(3).fill(1));
    const [first, reused] = [await ids(url, 'b1'), await ids(url, 'b2')];
    for (const [key, r] of reused) expect(r.executionId).toBe(first.get(key)?.executionId);
  });

  it('an upload under way in another batch: not sent here (uncertain, naming that batch); the rerun reuses its execution', async () => {
    const url = await database();
    const idp = await fakeBatchIdp();
    onTestFinished(() => idp.close());
    const dir = await tempDir();
    const input = await documents(dir, 2);
    await runIn('b1', url, input, dir, idp);
    const direct = new pg.Client({ connectionString: url });
    await direct.connect();
    onTestFinished(() => direct.end());
    // b1 is in the middle of an upload: its intent is journaled, its answer not yet.
    const saved = await direct.query(`SELECT key, record FROM idp_batch_documents WHERE batch = 'b1'`);
    await direct.query(
      `UPDATE idp_batch_documents SET state = 'submitting', record = (record - 'executionId') || '{"state":"submitting"}' WHERE batch = 'b1'`,
    );
    const second = await runIn('b2', url, input, dir, idp);
    expect(second).toMatchObject({ succeeded: 0, reused: 0 });
    expect(second.uncertain).toHaveLength(2);
    expect([...idp.posts.values()]).toEqual(Array(2).fill(1));
    for (const r of (await ids(url, 'b2')).values()) {
      expect(r).toMatchObject({ state: 'uncertain', duplicateOf: { batch: 'b1' } });
      expect(r.error).toMatch(
        /not sent: batch b1 of the same store is uploading this document.*--resubmit-duplicates/,
      );
    }
    // b1's answers came back; the rerun of b2 looks again and reuses them.
    for (const row of saved.rows) {
      await direct.query(
        `UPDATE idp_batch_documents SET state = 'retrieved', record = $2 WHERE batch = 'b1' AND key = $1`,
        [row.key, row.record],
      );
    }
    expect(await runIn('b2', url, input, dir, idp)).toMatchObject({ succeeded: 2, reused: 2, uncertain: [] });
    expect([...idp.posts.values()]).toEqual(Array(2).fill(1));
  });
});

// The rules both stores share (uncertain uploads, 429s, 404s and retention, rejected files read again,
// reviews re-checked, kill -9 and resume) are cases of behaviour.test.ts, run against each store.
