// The PostgreSQL store when its server goes away (stopped at once, as a crash would) and comes back.
// These tests stop the server, so they run on a cluster of their own: the run's shared cluster
// (global-setup.ts) serves the other files at the same time.
import { IdpAbortError } from '@idp-kit/client';
import { postgresMissing, type TestPostgres } from '@idp-kit/testkit';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { runBatch } from '../src/index.js';
import { BatchStoreError } from '../src/postgres.js';
import { ACTION, fakeBatchIdp } from './fake-batch-idp.js';
import { clientFor, documents, tempDir } from './helpers.js';
import { ownPostgres } from './own-postgres.js';
import { docRecord as doc, openStore as open } from './postgres-store.js';

const missing = await postgresMissing('the PostgreSQL store tests');

let server: TestPostgres;
let databases = 0;
beforeAll(async () => {
  if (!missing) server = await ownPostgres();
});
afterAll(async () => {
  await server?.close();
});

async function database(): Promise<string> {
  return server.createDatabase(`t${++databases}`);
}

describe.skipIf(Boolean(missing))('PostgreSQL store: the database going away', () => {
  it('the database going away: calls wait for it and carry on; the outage is said once', async () => {
    const url = await database();
    const events: string[] = [];
    const a = await open(url, {
      onUnavailable: (reason) => events.push(`down: ${reason}`),
      onRecovered: () => events.push('up'),
    });
    await a.add([doc(1)]);
    await server.kill();
    const pending = a.load();
    await server.restart();
    expect((await pending).map((r) => r.key)).toEqual([doc(1).key]);
    expect(events.at(-1)).toBe('up');
    expect(events.filter((e) => e.startsWith('down')).length).toBe(1);
    expect(events.join()).not.toContain(server.password);
  });

  it('the database goes away mid-batch and comes back: the worker waits, resumes, and nothing is lost or POSTed twice', async () => {
    const url = await database();
    let stopped: Promise<void> | undefined;
    let restarted: Promise<void> | undefined;
    const idp = await fakeBatchIdp({
      // At the 25th request (an event, not a timer) the server is stopped as a crash would, and that
      // request is answered only once it is down: its document's next write meets the outage, however
      // fast the rest of the batch runs.
      onRequest: (_what, count) => {
        if (count !== 25) return;
        stopped = server.kill();
        return stopped;
      },
    });
    onTestFinished(() => idp.close());
    const dir = await tempDir();
    const input = await documents(dir, 40);
    const said: string[] = [];
    const summary = await runBatch({
      client: clientFor(idp),
      inputs: [input],
      ...ACTION,
      outDir: `${dir}/out`,
      pollIntervalMs: 1,
      maxPollIntervalMs: 2,
      journal: await open(url, {
        // Back once the worker has noticed it was gone.
        onUnavailable: (reason) => {
          said.push(reason);
          restarted ??= (async () => {
            await stopped;
            await server.restart();
          })();
        },
        onRecovered: () => said.push('back'),
      }),
    });
    await restarted;
    expect(said[0]).toMatch(/PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:\d+\/t\d+/);
    expect(said).toContain('back');
    expect(summary).toMatchObject({ documents: 40, succeeded: 40, pending: 0, uncertain: [] });
    expect([...idp.posts.values()]).toEqual(Array(40).fill(1));
  });
});

describe.skipIf(Boolean(missing))('Ctrl-C while the database is away', () => {
  it('a store call waiting out an outage rejects at once with the abort, not the outage limit', async () => {
    const url = await database();
    const stop = new AbortController();
    let down = 0;
    const store = await open(url, {
      signal: stop.signal,
      outageLimitMs: 8_000, // only a backstop: the abort must come first
      onUnavailable: () => {
        down++;
        stop.abort(new Error('interrupted'));
      },
    });
    await store.add([doc(1)]);
    await server.kill();
    onTestFinished(() => server.restart());
    const error = await store.load().catch((e: unknown) => e);
    expect(down).toBe(1);
    expect(error).toBeInstanceOf(IdpAbortError);
    expect(error).not.toBeInstanceOf(BatchStoreError);
    // Every later call ends at once too, without a query.
    await expect(store.census()).rejects.toBeInstanceOf(IdpAbortError);
  });

  it('runBatch stopped during an outage ends with the abort; the rerun resumes and POSTs each document once', async () => {
    const url = await database();
    const idp = await fakeBatchIdp();
    onTestFinished(() => idp.close());
    const dir = await tempDir();
    const input = await documents(dir, 6);
    const stop = new AbortController();
    const store = await open(url, {
      signal: stop.signal,
      outageLimitMs: 8_000,
      onUnavailable: () => stop.abort(new Error('interrupted')),
    });
    const options = {
      client: clientFor(idp),
      inputs: [input],
      ...ACTION,
      outDir: `${dir}/out`,
      pollIntervalMs: 1,
      maxPollIntervalMs: 2,
    };
    await server.kill();
    let restarted = false;
    onTestFinished(async () => {
      if (!restarted) await server.restart();
    });
    const error = await runBatch({ ...options, journal: store, signal: stop.signal }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IdpAbortError);
    expect(idp.seen).toEqual([]);
    await server.restart();
    restarted = true;
    const summary = await runBatch({ ...options, journal: await open(url) });
    expect(summary).toMatchObject({ documents: 6, succeeded: 6, pending: 0, uncertain: [] });
    expect([...idp.posts.values()]).toEqual(Array(6).fill(1));
  });
});
