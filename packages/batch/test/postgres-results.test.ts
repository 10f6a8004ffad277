// The PostgreSQL store keeps results in their own table (migration 2), one row per execution; the
// documents' records carry a pointer. Rows an older version wrote, with the result inline, still read.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { postgresMissing } from '@idp-kit/testkit';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type DocumentRecord, runBatch, type SharedJournalStore, writeOutputs } from '../src/index.js';
import { MIGRATIONS } from '../src/migrations.js';
import { openPostgresStore } from '../src/postgres.js';
import { ACTION, fakeBatchIdp } from './fake-batch-idp.js';
import { clientFor, documents, jsonLines, tempDir } from './helpers.js';
import { sharedPostgres } from './shared-postgres.js';

const missing = await postgresMissing('the PostgreSQL store tests');

const server = sharedPostgres();
let databases = 0;

async function open(url: string): Promise<SharedJournalStore> {
  const store = await openPostgresStore({ url, batch: 'b1', action: ACTION, leaseMs: 60_000 });
  onTestFinished(() => store.close());
  return store;
}

async function sql<R extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

describe.skipIf(Boolean(missing))('PostgreSQL store: results in their own table', () => {
  it('one row per execution in idp_batch_results; records hold a pointer; outputs read them one by one', async () => {
    const url = await server.createDatabase(`r${++databases}`);
    const idp = await fakeBatchIdp({ resultBytes: 100_000 });
    onTestFinished(() => idp.close());
    const dir = await tempDir();
    const input = await documents(dir, 4);
    const store = await open(url);
    const options = { client: clientFor(idp), inputs: [input], ...ACTION, outDir: join(dir, 'out') };
    expect(
      await runBatch({ ...options, journal: store, pollIntervalMs: 1, maxPollIntervalMs: 2 }),
    ).toMatchObject({ documents: 4, succeeded: 4 });
    const rows = await sql<{ execution_id: string; bytes: number; inline: boolean }>(
      url,
      `SELECT r.execution_id, octet_length(r.result::text) AS bytes, d.record ? 'execution' AS inline
         FROM idp_batch_results r JOIN idp_batch_documents d ON d.record->>'executionId' = r.execution_id`,
    );
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => !r.inline && r.bytes > 100_000)).toBe(true);
    const records = await store.load();
    expect(records.every((r) => r.execution === undefined && (r.result?.bytes ?? 0) > 100_000)).toBe(true);
    const lines = (await jsonLines(join(dir, 'out', 'results.jsonl'))) as { fields: { value: string }[] }[];
    expect(lines.map((l) => l.fields[0]?.value).sort()).toEqual(
      ['doc-0000.pdf', 'doc-0001.pdf', 'doc-0002.pdf', 'doc-0003.pdf'].map((f) => `=${f}`),
    );
    // A rerun sends nothing and adds no row.
    await runBatch({ ...options, journal: store, pollIntervalMs: 1, maxPollIntervalMs: 2 });
    expect([...idp.posts.values()]).toEqual([1, 1, 1, 1]);
    expect(await sql(url, 'SELECT 1 FROM idp_batch_results')).toHaveLength(4);
  });

  it('a row an older version wrote (result inline) is read, not rewritten', async () => {
    const url = await server.createDatabase(`r${++databases}`);
    const store = await open(url);
    const execution = { id: 'e1', status: 'SUCCEEDED', fields: { total: { value: '12.50' } } };
    const old = {
      key: `h1:${ACTION.actionId}:${ACTION.actionVersion}`,
      hash: 'h1',
      path: '/in/old.pdf',
      fileName: 'old.pdf',
      state: 'retrieved' as const,
      status: 'SUCCEEDED',
      executionId: '0b9e4a39-9f0f-4c1e-8d43-5c2f8a3c1d11',
      execution,
      updatedAt: new Date(0).toISOString(),
    };
    await store.put(old);
    const [loaded] = await store.load();
    expect(loaded?.execution).toBeUndefined();
    expect(await store.readResult(loaded as NonNullable<typeof loaded>)).toEqual(execution);
    const dir = await tempDir();
    await writeOutputs(dir, await store.load(), undefined, store);
    expect(await readFile(join(dir, 'results.jsonl'), 'utf8')).toContain('"value":"12.50"');
    const [row] = await sql<{ inline: boolean }>(
      url,
      `SELECT record ? 'execution' AS inline FROM idp_batch_documents`,
    );
    expect(row?.inline).toBe(true);
  });

  it('a result stored whose transition was never written: the rerun stores the same row again', async () => {
    const url = await server.createDatabase(`r${++databases}`);
    const idp = await fakeBatchIdp();
    onTestFinished(() => idp.close());
    const dir = await tempDir();
    const input = await documents(dir, 1);
    const store = await open(url);
    // The worker dies (as far as the store knows) right after the result is stored.
    const dying: SharedJournalStore = Object.assign(Object.create(store) as SharedJournalStore, {
      async putLeased(
        record: Parameters<SharedJournalStore['putLeased']>[0],
        lease: Parameters<SharedJournalStore['putLeased']>[1],
      ) {
        if (record.state === 'retrieved') throw new Error('worker gone');
        return store.putLeased(record, lease);
      },
    });
    const options = {
      client: clientFor(idp),
      inputs: [input],
      ...ACTION,
      outDir: join(dir, 'out'),
      pollIntervalMs: 1,
      maxPollIntervalMs: 2,
    };
    // The engine treats it as a failed wait: the document stays submitted for the next run.
    expect(await runBatch({ ...options, journal: dying })).toMatchObject({
      pending: 1,
      states: { submitted: 1 },
    });
    expect((await store.load())[0]?.state).toBe('submitted');
    expect(await sql(url, 'SELECT 1 FROM idp_batch_results')).toHaveLength(1);
    expect(await runBatch({ ...options, journal: store })).toMatchObject({ documents: 1, succeeded: 1 });
    expect([...idp.posts.values()]).toEqual([1]);
    expect(await sql(url, 'SELECT 1 FROM idp_batch_results')).toHaveLength(1);
  });

  it('until final: the result at review is a row of kind review beside the final one; first kept wins', async () => {
    const url = await server.createDatabase(`r${++databases}`);
    const seen = new Set<string>();
    const idp = await fakeBatchIdp({
      review: (f) => f === 'doc-0000.pdf',
      approved: (f) => {
        const again = seen.has(f);
        seen.add(f);
        return again;
      },
      fields: (_f, review) => ({ total: { value: review ? '1,200.00' : '1,290.00', confidenceScore: 41 } }),
    });
    onTestFinished(() => idp.close());
    const dir = await tempDir();
    const input = await documents(dir, 2);
    const store = await open(url);
    const options = { client: clientFor(idp), inputs: [input], ...ACTION, outDir: join(dir, 'out') };
    expect(
      await runBatch({ ...options, journal: store, until: 'final', pollIntervalMs: 1, maxPollIntervalMs: 2 }),
    ).toMatchObject({ documents: 2, succeeded: 2 });
    const rows = await sql<{ kind: string; total: string }>(
      url,
      `SELECT kind, result->'fields'->'total'->>'value' AS total FROM idp_batch_results ORDER BY kind, total`,
    );
    expect(rows).toEqual([
      { kind: 'final', total: '1,290.00' },
      { kind: 'final', total: '1,290.00' },
      { kind: 'review', total: '1,200.00' },
    ]);
    const records = await store.load();
    const reviewed = records.find((r) => r.fileName === 'doc-0000.pdf') as DocumentRecord;
    const other = records.find((r) => r.fileName === 'doc-0001.pdf') as DocumentRecord;
    expect(await store.readReviewResult(reviewed)).toMatchObject({ status: 'MANUAL_VALIDATION_REQUIRED' });
    expect(await store.readResult(reviewed)).toMatchObject({ status: 'SUCCEEDED' });
    expect(await store.readReviewResult(other)).toBeUndefined();
    // Kept again (a resumed worker that sees it in review once more): the first row stays.
    await store.putReviewResult(reviewed.executionId as string, {
      status: 'MANUAL_VALIDATION_REQUIRED',
      edited: true,
    });
    expect(await store.readReviewResult(reviewed)).not.toHaveProperty('edited');
  });

  it('migration 5 on a version-4 store: its rows are final results, read as before', async () => {
    const url = await server.createDatabase(`r${++databases}`);
    // The schema as version 4 left it, with one result row.
    const v4 = MIGRATIONS.filter((m) => m.version <= 4);
    await sql(
      url,
      `CREATE TABLE idp_batch_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
       ${v4.map((m) => m.sql).join('\n')}
       INSERT INTO idp_batch_migrations (version, name) VALUES ${v4.map((m) => `(${m.version}, '${m.name}')`).join(', ')};
       INSERT INTO idp_batch_batches VALUES ('b1', '${ACTION.actionId}', '${ACTION.actionVersion}');
       INSERT INTO idp_batch_results (execution_id, batch, result) VALUES ('e-old', 'b1', '{"status":"SUCCEEDED"}');`,
    );
    const store = await open(url);
    const record = {
      key: 'k',
      hash: 'h',
      path: '/in/a.pdf',
      fileName: 'a.pdf',
      state: 'retrieved' as const,
      executionId: 'e-old',
      result: { bytes: 22 },
      updatedAt: new Date(0).toISOString(),
    };
    expect(await store.readResult(record)).toEqual({ status: 'SUCCEEDED' });
    expect(await store.readReviewResult(record)).toBeUndefined();
    expect(await sql(url, 'SELECT kind FROM idp_batch_results')).toEqual([{ kind: 'final' }]);
    // Every migration after 4 applied too (5, and those that came since).
    expect(await sql(url, 'SELECT max(version) AS v FROM idp_batch_migrations')).toEqual([
      { v: MIGRATIONS.at(-1)?.version },
    ]);
  });
});
