// Callbacks in the batch (issue 27, item 2), on both stores: each upload carries its own nonce, the
// listener answers 401 for an unknown nonce and 403 for another execution's, the execution is fetched
// once on its callback (never trusting the body), and the sweep fetches what had no callback. A real
// node:http fake IDP on 127.0.0.1 PATCHes the callback URLs; a kill is a real SIGKILL of a child run.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createIdpClient } from '@idp-kit/client';
import { NONCE_PARAM } from '@idp-kit/client/callback';
import {
  closeAfterTest,
  IDS,
  postgresMissing,
  startPostgres,
  type TestPostgres,
  until,
} from '@idp-kit/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BatchEvent,
  type BatchOptions,
  type BatchSummary,
  type DocumentRecord,
  readJournal,
  runBatch,
} from '../src/index.js';
import { openPostgresStore } from '../src/postgres.js';
import { type CallbackIdp, type CallbackIdpOptions, callbackIdp } from './callback-idp.js';
import { ACTION } from './fake-batch-idp.js';
import { documents, jsonLines, tempDir } from './helpers.js';

const pgMissing = await postgresMissing('the callback tests on the PostgreSQL store');
let server: TestPostgres | undefined;
let databases = 0;
beforeAll(async () => {
  if (!pgMissing) server = await startPostgres();
});
afterAll(async () => {
  await server?.close();
});

/** A sweep no test waits for: a document fetched in such a test was fetched on its callback. */
const NO_SWEEP = 600_000;

interface Store {
  name: string;
  missing?: string;
  /** A fresh batch: how to run it (in process, or as a child's settings), and its records. */
  batch(outDir: string): Promise<{
    run(options: BatchOptions): Promise<BatchSummary>;
    env: Record<string, string>;
    afterKill(): Promise<void>;
    records(): Promise<DocumentRecord[]>;
    url?: string;
  }>;
}

const fileJournal: Store = {
  name: 'file journal',
  async batch(outDir) {
    return {
      run: (options) => runBatch(options),
      env: {},
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

const postgresStore: Store = {
  name: pgMissing ? `PostgreSQL store (skipped: ${pgMissing})` : 'PostgreSQL store',
  ...(pgMissing ? { missing: pgMissing } : {}),
  async batch() {
    const url = await (server as TestPostgres).createDatabase(`callbacks${++databases}`);
    const open = () => openPostgresStore({ url, batch: 'b', action: ACTION });
    return {
      url,
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

function clientFor(idp: CallbackIdp) {
  return createIdpClient({
    organizationId: IDS.organizationId,
    baseUrl: idp.baseUrl,
    auth: { clientId: 'batch', clientSecret: 'batch-secret', tokenUrl: idp.tokenUrl },
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
}

async function setup(store: Store, count: number, fake: CallbackIdpOptions = {}) {
  const idp = closeAfterTest(await callbackIdp(fake));
  const dir = await tempDir();
  const input = await documents(dir, count);
  const out = join(dir, 'out');
  const batch = await store.batch(out);
  const events: BatchEvent[] = [];
  const options: BatchOptions = {
    client: clientFor(idp),
    inputs: [input],
    ...ACTION,
    outDir: out,
    callbacks: { listen: '127.0.0.1:0', sweepMs: NO_SWEEP },
    // A hang guard with a message: a document nothing fetched ends the run as pending.
    waitTimeoutMs: 30_000,
    onEvent: (e) => events.push(e),
  };
  return {
    idp,
    dir,
    input,
    out,
    batch,
    events,
    run: (extra: Partial<BatchOptions> = {}) => batch.run({ ...options, ...extra }),
    /** The event of `fileName` reaching `state`, once it has. */
    reached: (fileName: string, state: string) =>
      until(
        () => events.some((e) => e.type === 'state' && e.fileName === fileName && e.state === state),
        `${fileName} ${state}`,
      ),
    /** The listener's base URL, once it listens. */
    async listener(): Promise<string> {
      await until(() => events.some((e) => e.type === 'callbacks'), 'the callback listener');
      const e = events.find((e) => e.type === 'callbacks') as Extract<BatchEvent, { type: 'callbacks' }>;
      return e.url;
    },
  };
}

const getsOf = (idp: CallbackIdp) => [...idp.gets.values()];
const nonceOf = (url: string | undefined) => new URL(url ?? 'http://x/').searchParams.get(NONCE_PARAM) ?? '';

/** Every file under `dir`, read as text. */
async function allText(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  const texts = await Promise.all(
    names.filter((d) => d.isFile()).map((d) => readFile(join(d.parentPath, d.name), 'latin1')),
  );
  return texts.join('\n');
}

describe.each([fileJournal, postgresStore])('callbacks: $name', (store) => {
  const test = it.skipIf(Boolean(store.missing));

  test('each document is fetched once, on its callback: one POST and one GET each, no poll; no nonce is kept anywhere', async () => {
    const t = await setup(store, 6);
    const summary = await t.run();
    expect(summary).toMatchObject({ documents: 6, succeeded: 6, pending: 0 });
    expect([...t.idp.posts.values()]).toEqual([1, 1, 1, 1, 1, 1]);
    expect(getsOf(t.idp)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(t.idp.answers).toEqual([204, 204, 204, 204, 204, 204]);
    // Each upload had its own nonce (192 bits), and none reached the journal, the outputs or the events.
    const nonces = [...t.idp.executions.values()].map((e) => nonceOf(e.callbackUrl));
    expect(new Set(nonces).size).toBe(6);
    for (const n of nonces) expect(n).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const kept = [
      await allText(t.out),
      JSON.stringify(t.events),
      JSON.stringify(await t.batch.records()),
    ].join();
    for (const n of nonces) expect(kept.includes(n)).toBe(false);
    // The record keeps the nonce's hash, journaled with the intent.
    for (const r of await t.batch.records()) expect(r.nonceHash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('unknown nonce → 401; another execution’s nonce → 403; a replay fetches once; a lying body changes nothing', async () => {
    const t = await setup(store, 2, {
      callback: () => 'hold',
      finalStatus: (name) => (name === 'doc-0001.pdf' ? 'FAILED' : 'SUCCEEDED'),
    });
    const running = t.run();
    const base = await t.listener();
    await t.reached('doc-0000.pdf', 'submitted');
    await t.reached('doc-0001.pdf', 'submitted');
    const [a, b] = ['doc-0000.pdf', 'doc-0001.pdf'].map((f) => t.idp.executions.get(f));
    if (!a?.callbackUrl || !b?.callbackUrl) throw new Error('no callback URLs');

    const patch = async (url: string, body: unknown) =>
      (
        await fetch(url, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).status;
    const forged = new URL(base);
    forged.searchParams.set(NONCE_PARAM, randomBytes(24).toString('base64url'));
    expect(await patch(forged.href, { executionId: a.id })).toBe(401);
    expect(await patch(base, { executionId: a.id })).toBe(401); // no nonce at all
    expect(await t.idp.send('doc-0000.pdf', { body: { executionId: b.id } })).toBe(403);
    expect(await t.idp.send('doc-0001.pdf', { body: { executionId: a.id } })).toBe(403);
    expect(t.idp.seen.filter((m) => m === 'GET')).toEqual([]); // none of these fetched anything

    // The genuine callback, replayed: answered each time, fetched once.
    expect(await Promise.all([1, 2, 3].map(() => t.idp.send('doc-0000.pdf')))).toEqual([204, 204, 204]);
    await t.reached('doc-0000.pdf', 'retrieved');
    expect(await t.idp.send('doc-0000.pdf')).toBe(204); // and after its retrieval: nothing to fetch
    // A body that says SUCCEEDED (and brings fields) of an execution that FAILED: IDP's answer counts.
    const lie = { executionId: b.id, status: 'SUCCEEDED', fields: { total: { value: 'a lie' } } };
    expect(await t.idp.send('doc-0001.pdf', { body: lie })).toBe(204);

    const summary = await running;
    expect(summary).toMatchObject({ documents: 2, pending: 0, statuses: { SUCCEEDED: 1, FAILED: 1 } });
    expect(t.idp.gets.get(a.id)).toBe(1);
    expect(t.idp.gets.get(b.id)).toBe(1);
    const lines = await jsonLines(join(t.out, 'results.jsonl'));
    expect(lines.map((l) => l.status)).toEqual(['SUCCEEDED', 'FAILED']);
    expect(JSON.stringify(lines)).not.toContain('a lie');
  });

  test('a callback replayed while the execution still runs fetches once, not again and again; a rerun takes it', async () => {
    const t = await setup(store, 1, { polls: 2, callback: () => 'hold' }); // a second fetch would find it done
    // No sweep: what ends this run is the wait's timeout, with the document still submitted.
    const running = t.run({ waitTimeoutMs: 4_000 });
    await t.reached('doc-0000.pdf', 'submitted');
    expect(await t.idp.send('doc-0000.pdf')).toBe(204);
    await until(() => t.idp.seen.includes('GET'), 'the fetch on the callback');
    for (let i = 0; i < 5; i++) expect(await t.idp.send('doc-0000.pdf')).toBe(204);
    expect(await running).toMatchObject({ succeeded: 0, pending: 1, states: { submitted: 1 } });
    expect(getsOf(t.idp)).toEqual([1]);
    // The rerun fetches at once (a callback may have come while nobody listened).
    expect(await t.run()).toMatchObject({ succeeded: 1, pending: 0 });
    expect(getsOf(t.idp)).toEqual([2]);
  });

  test('a callback before the execution is done changes nothing: the document stays submitted until a fetch finds it done', async () => {
    const t = await setup(store, 1, { polls: 2 }); // the callback's fetch finds IN_PROGRESS
    const summary = await t.run({ callbacks: { listen: '127.0.0.1:0', sweepMs: 50 } });
    expect(summary).toMatchObject({ succeeded: 1, pending: 0 });
    const states = t.events.flatMap((e) => (e.type === 'state' ? [e.state] : []));
    expect(states).toEqual(['submitting', 'submitted', 'retrieved']);
    expect(getsOf(t.idp)).toEqual([2]); // the callback's fetch, then the sweep's
  });

  test('a lost callback is picked up by the sweep: nothing lost, one GET each', async () => {
    const t = await setup(store, 4, { callback: (name) => (name === 'doc-0002.pdf' ? 'lose' : 'send') });
    const summary = await t.run({
      callbacks: { listen: '127.0.0.1:0', sweepMs: 200 },
      waitTimeoutMs: 10_000,
    });
    expect(summary).toMatchObject({ documents: 4, succeeded: 4, pending: 0 });
    expect(getsOf(t.idp)).toEqual([1, 1, 1, 1]);
    expect(t.idp.answers).toHaveLength(3);
  });

  test('kill -9 with callbacks in flight, then the same command again: nothing lost, nothing POSTed twice', async () => {
    const DOCUMENTS = 12;
    let armed: ReturnType<typeof spawnRun> | undefined;
    let posts = 0;
    const t = await setup(store, DOCUMENTS, {
      onRequest: (what) => {
        if (what !== 'POST' || !armed || ++posts !== 6) return;
        const child = armed;
        armed = undefined;
        child.kill();
        // Answered once its run is dead: it created an execution the run never heard of.
        return child.done.then(() => {});
      },
    });
    const env = {
      ORG: IDS.organizationId,
      BASE_URL: t.idp.baseUrl,
      TOKEN_URL: t.idp.tokenUrl,
      INPUT: t.input,
      OUT: t.out,
      ACTION_ID: ACTION.actionId,
      ACTION_VERSION: ACTION.actionVersion,
      ...t.batch.env,
    };
    const killed = spawnRun(env);
    armed = killed;
    expect(await killed.done).toBeUndefined();
    await t.batch.afterKill();
    // Callbacks to the dead run went nowhere (IDP does not retry them): the rerun fetches those itself.
    const summary = await spawnRun(env).done;
    if (!summary) throw new Error('the rerun was killed');
    expect(Math.max(...t.idp.posts.values())).toBe(1);
    expect(summary).toMatchObject({ documents: DOCUMENTS, pending: 0 });
    expect(summary.succeeded + summary.uncertain.length).toBe(DOCUMENTS);
    expect(summary.uncertain.length).toBeGreaterThanOrEqual(1); // the POST held until the kill
    expect(summary.uncertain.length).toBeLessThanOrEqual(4);
    // Each retrieved execution was fetched at most twice: by the run its callback reached, or by the rerun.
    expect(Math.max(...getsOf(t.idp))).toBeLessThanOrEqual(2);
    expect(await jsonLines(join(t.out, 'results.jsonl'))).toHaveLength(DOCUMENTS);
  });
});

describe.skipIf(Boolean(pgMissing))('callbacks: many workers on one PostgreSQL batch', () => {
  it('each callback reaches the other worker: it finds the nonce in the store, the holder fetches once', async () => {
    const dir = await tempDir();
    const input = await documents(dir, 8);
    const listeners: string[] = [];
    const both = until(() => listeners.length === 2, 'both listeners');
    const idp = closeAfterTest(
      await callbackIdp({
        // Whichever worker uploaded it, the callback goes to the other one's listener.
        route: async (url) => {
          await both;
          const own = new URL(url);
          const other = listeners.find((l) => new URL(l).port !== own.port) ?? url;
          return `${other.replace(/\/$/, '')}${own.pathname === '/' ? '' : own.pathname}${own.search}`;
        },
      }),
    );
    const url = await (server as TestPostgres).createDatabase('callbacks-workers');
    const worker = async (name: string) => {
      const journal = await openPostgresStore({ url, batch: 'b', action: ACTION });
      try {
        return await runBatch({
          client: clientFor(idp),
          inputs: [input],
          ...ACTION,
          outDir: join(dir, name),
          journal,
          uploadConcurrency: 2,
          callbacks: { listen: '127.0.0.1:0', sweepMs: NO_SWEEP },
          waitTimeoutMs: 30_000,
          onEvent: (e) => {
            if (e.type === 'callbacks') listeners.push(e.url);
          },
        });
      } finally {
        await journal.close();
      }
    };
    const runs = [worker('w1'), worker('w2')];
    await both;
    const [s1, s2] = await Promise.all(runs);
    expect(s1).toMatchObject({ documents: 8, succeeded: 8, pending: 0 });
    expect(s2).toEqual(s1);
    expect([...idp.posts.values()]).toEqual(Array(8).fill(1));
    expect(getsOf(idp)).toEqual(Array(8).fill(1));
    expect(idp.answers).toEqual(Array(8).fill(204));
  });
});

const CHILD = fileURLToPath(new URL('./run-callback-batch.ts', import.meta.url));

/** A callback batch in a child process; `done` is its summary, or undefined if killed. */
function spawnRun(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => {
    stdout += c;
  });
  child.stderr.on('data', (c) => {
    stderr += c;
  });
  const done = new Promise<BatchSummary | undefined>((resolve, reject) => {
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') return resolve(undefined);
      if (code !== 0) return reject(new Error(`the batch failed (${code ?? signal}): ${stderr}`));
      resolve(JSON.parse(stdout) as BatchSummary);
    });
  });
  return { kill: () => child.kill('SIGKILL'), done };
}
