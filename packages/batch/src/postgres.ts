import { randomUUID } from 'node:crypto';
import { IdpAbortError } from '@idp-kit/client';
import pg from 'pg';
import {
  type DocumentRecord,
  type DocumentState,
  type Lease,
  LeaseLostError,
  type SharedJournalStore,
} from './journal.js';
import { MIGRATIONS } from './migrations.js';
import { postgresRateSource } from './postgres-rate.js';
import { endedHere, thisProcess, workerName, workerOwner } from './process-owner.js';
import { allows, fromStates, transition, WORKING_STATES } from './state-machine.js';

/**
 * Options of `openPostgresStore()`.
 *
 * @example
 * ```ts
 * const store = await openPostgresStore({ url: process.env.BATCH_STORE!, batch: 'march-invoices' });
 * ```
 */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:5432/database` (the password never appears in a message). */
  url: string;
  /** The batch's name: every worker of one batch uses the same name. */
  batch: string;
  /** The batch's action; a batch is for one action version, and a worker with another is refused. */
  action?: { actionId: string; actionVersion: string };
  /** How long a worker's hold on a document lasts without a heartbeat; default 30 s. */
  leaseMs?: number;
  /**
   * This worker's name in the store; default `host:pid:started:boot:random`, from which a worker on the
   * same host can tell that this one has ended (and take its documents over at once).
   */
  workerId?: string;
  /** How long to keep retrying while the database is away, before giving up; default 10 min. */
  outageLimitMs?: number;
  /** Connecting gives up after this long; default 10 s. */
  connectTimeoutMs?: number;
  /** The database stopped answering: the store retries (and says so once per outage). */
  onUnavailable?: (reason: string) => void;
  /** It answers again. */
  onRecovered?: () => void;
  /**
   * On opening, documents held by a worker of this host that has ended (killed, or stopped while the
   * database was away, so it could not let go) were freed at once rather than when their leases lapse.
   */
  onTakeover?: (message: string) => void;
  /**
   * Stops every wait of the store (an outage's retries included): a call in progress rejects at once
   * with an `IdpAbortError`, and nothing more is written. Pass the run's signal (Ctrl-C).
   */
  signal?: AbortSignal;
}

/**
 * The store cannot be used: a bad URL, a refused login, a missing database, a schema from a newer
 * version, or a database that stayed away longer than `outageLimitMs`. The message says what to do.
 *
 * @example
 * ```ts
 * try { await openPostgresStore({ url, batch }); } catch (e) { if (e instanceof BatchStoreError) console.error(e.message); }
 * ```
 */
export class BatchStoreError extends Error {
  override name = 'BatchStoreError';
}

/**
 * The URL as it may be shown: `postgres://user@host:port/db`, without the password or the query.
 *
 * @example
 * ```ts
 * describeStore('postgres://idp:secret@db:5432/batches'); // 'postgres://idp@db:5432/batches'
 * ```
 */
export function describeStore(url: string): string {
  try {
    const u = new URL(url);
    const user = u.username ? `${decodeURIComponent(u.username)}@` : '';
    return `${u.protocol}//${user}${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'the --store URL';
  }
}

/** Error codes that mean "the database is away for now" (retry), not "this is wrong" (stop). */
const TRANSIENT = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up)
  '08000',
  '08001',
  '08003',
  '08006',
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '53300', // too_many_connections
]);

function transient(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  if (e.code && TRANSIENT.has(e.code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    e.message ?? '',
  );
}

/** The first error's words for a person, with what to do. */
function explain(error: unknown, where: string): string {
  const e = error as { code?: string; message?: string };
  switch (e.code) {
    case 'ECONNREFUSED':
      return `cannot reach PostgreSQL at ${where}: connection refused. Is the server running and listening on that host and port?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot reach PostgreSQL at ${where}: the host name does not resolve. Check the host in --store.`;
    case '28P01':
    case '28000':
      return `PostgreSQL at ${where} refused the login (${e.code}): check the user and password in --store.`;
    case '3D000':
      return `PostgreSQL at ${where}: the database does not exist. Create it (createdb <name>) or name another in --store.`;
    case '42501':
      return `PostgreSQL at ${where}: the user may not create the batch tables (${e.code}). Grant CREATE on the database, or run once as its owner.`;
    default:
      if (/timeout/i.test(e.message ?? '')) {
        return `cannot reach PostgreSQL at ${where}: no answer in time. Check the host, port and firewall.`;
      }
      return `PostgreSQL at ${where}: ${e.message ?? String(error)}`;
  }
}

function checkUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BatchStoreError('--store is not a URL: give postgres://user:password@host:5432/database');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new BatchStoreError(
      `--store must be a postgres:// URL (got ${parsed.protocol}//…): postgres://user:password@host:5432/database`,
    );
  }
}

/** Resolves after `ms`, or rejects with an `IdpAbortError` as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return untilAborted(new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.()), signal, () => {});
}

/**
 * `work`, or an `IdpAbortError` as soon as `signal` aborts (the work itself goes on, unobserved: a
 * query already sent cannot be taken back, and the fencing token makes a late write harmless).
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, onLate: () => void): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.then(onLate, onLate);
    return Promise.reject(new IdpAbortError('the batch store', signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      work.then(onLate, onLate);
      reject(new IdpAbortError('the batch store', signal.reason));
    };
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}

const RECORD_KEEPING_DUPLICATES = `CASE WHEN d.record ? 'duplicates'
  THEN $3::jsonb || jsonb_build_object('duplicates', d.record->'duplicates') ELSE $3::jsonb END`;

/**
 * A held document's write, as `transition()` decided it: only where the row is still in the state it
 * was decided from (`$8`, when given) and still held by this lease. A document that needs no more work
 * this run (`$7`: the state machine's working states) lets go of its lease (the heartbeat renews only
 * live work).
 */
const FENCED_WRITE = `UPDATE idp_batch_documents d SET record = ${RECORD_KEEPING_DUPLICATES}, state = $4, updated_at = now(),
    lease_owner = CASE WHEN $4 = ANY($7::text[]) THEN d.lease_owner END,
    lease_until = CASE WHEN $4 = ANY($7::text[]) THEN d.lease_until ELSE '-infinity' END
  WHERE d.batch = $1 AND d.key = $2 AND d.lease_owner = $5 AND d.lease_token = $6
    AND ($8::text[] IS NULL OR d.state = ANY($8::text[]))`;

/**
 * This very record is in the row already: a write retried after the database went away between its
 * commit and the reply (the first attempt committed). Its `updatedAt` is the write's own mark.
 */
const ALREADY_WRITTEN = `SELECT 1 FROM idp_batch_documents
  WHERE batch = $1 AND key = $2 AND state = $3 AND record->>'updatedAt' = $4`;

/**
 * The same document (key) in another batch of the store that makes an upload from this one needless
 * (accepted: an execution id) or unsafe (its upload under way, or of unknown fate). A batch's own
 * "not sent, another batch was uploading it" counts for nothing. The most useful first: a result.
 */
const ELSEWHERE = `SELECT batch, record FROM idp_batch_documents
  WHERE key = $2 AND batch <> $1
    AND ((state IN ('submitted', 'settled', 'retrieved') AND record ? 'executionId')
         OR state = 'submitting' OR (state = 'uncertain' AND NOT record ? 'duplicateOf'))
  ORDER BY CASE state WHEN 'retrieved' THEN 0 WHEN 'settled' THEN 1 WHEN 'submitted' THEN 2 ELSE 3 END,
           updated_at DESC
  LIMIT 1`;

/**
 * Pages this batch has submitted (or may have: uncertain ones count), other than `$2`'s, as
 * `pagesSubmitted()` counts them in the engine. A scan of the batch's rows: run only under a budget.
 */
const PAGES_SUBMITTED = `SELECT COALESCE(SUM((record->>'pages')::int), 0) AS spent FROM idp_batch_documents
  WHERE batch = $1 AND key <> $2 AND NOT record ? 'duplicateOf'
    AND (state IN ('submitting', 'uncertain', 'submitted', 'settled', 'retrieved', 'expired') OR record ? 'executionId')`;

/** The states a worker may claim: the only ones whose free and held documents a census counts. */
export const CLAIMABLE: DocumentState[] = ['queued', 'submitting', 'submitted', 'settled', 'uncertain'];
/**
 * A census counts free and held documents up to this many per state: enough to wake that many idle loops
 * a tick, and to tell "none" from "some"; more would be read for nothing.
 */
export const CENSUS_CAP = 100;

/**
 * The batch per state without reading the batch: totals from the counters the writes keep
 * (`idp_batch_counts`, migration 3), and, for the claimable states, the free documents and those other
 * live workers hold, each a range of the claim index cut at `$4` rows.
 */
export const CENSUS = `WITH totals AS (
    SELECT state, sum(n) AS total FROM idp_batch_counts WHERE batch = $1 GROUP BY state HAVING sum(n) <> 0),
  live AS (
    SELECT s.state,
      (SELECT count(*) FROM (SELECT 1 FROM idp_batch_documents d
          WHERE d.batch = $1 AND d.state = s.state AND NOT d.parked
            AND NOT (d.lease_owner IS NOT DISTINCT FROM $2 AND d.key = ANY($3::text[]))
            AND (d.lease_until < now() OR d.lease_owner = $2)
          LIMIT $4) AS f) AS free,
      (SELECT count(*) FROM (SELECT 1 FROM idp_batch_documents d
          WHERE d.batch = $1 AND d.state = s.state AND NOT d.parked
            AND d.lease_owner IS DISTINCT FROM $2 AND d.lease_until >= now()
          LIMIT $4) AS e) AS elsewhere
    FROM unnest($5::text[]) AS s(state))
  SELECT t.state, t.total, COALESCE(l.free, 0) AS free, COALESCE(l.elsewhere, 0) AS elsewhere
    FROM totals t LEFT JOIN live l ON l.state = t.state`;

/**
 * Frees the leases of this batch held by workers of this host that have ended: a rerun after a kill -9,
 * or after Ctrl-C while the database was away, resumes at once instead of waiting out the leases.
 * Another host's workers are never presumed dead. Safe even if a judgement were wrong: every write
 * carries the lease's fencing token, and an upload caught in flight becomes uncertain, never sent again.
 * Returns the line that says what was taken over, if anything was.
 */
async function freeEndedWorkers(pool: pg.Pool, batch: string, self: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ lease_owner: string }>(
    `SELECT DISTINCT lease_owner FROM idp_batch_documents
      WHERE batch = $1 AND lease_until >= now() AND lease_owner IS NOT NULL AND lease_owner <> $2`,
    [batch, self],
  );
  const ended = rows.flatMap(({ lease_owner: id }) => {
    const owner = workerOwner(id);
    const why = owner && endedHere(owner);
    return why ? [{ id, why }] : [];
  });
  if (ended.length === 0) return undefined;
  const freed = await pool.query(
    `UPDATE idp_batch_documents SET lease_owner = NULL, lease_until = '-infinity'
      WHERE batch = $1 AND lease_owner = ANY($2::text[]) AND lease_until >= now()`,
    [batch, ended.map((e) => e.id)],
  );
  const count = freed.rowCount ?? 0;
  if (count === 0) return undefined;
  return `took over ${count} document${count === 1 ? '' : 's'} held by ${ended.map((e) => e.why).join(', ')}: free at once, not when the leases lapse`;
}

/**
 * The shared store for many workers on many machines: one PostgreSQL database (11 or newer; tested on
 * 15). Opening it checks the URL, connects, and applies the schema migrations (`MIGRATIONS`) under an
 * advisory lock, so a wrong URL or login fails here, before any document is touched. A worker holds a
 * document through a lease (`FOR UPDATE SKIP LOCKED`, a fencing token, a heartbeat every third of
 * `leaseMs`); when the database goes away, every call retries until it is back (or `outageLimitMs`).
 *
 * @example
 * ```ts
 * const journal = await openPostgresStore({ url: 'postgres://idp@db:5432/batches', batch: 'march' });
 * await runBatch({ client, inputs: ['invoices/'], actionId, actionVersion: '1.0.0', outDir: 'out', journal });
 * ```
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<SharedJournalStore> {
  checkUrl(options.url);
  if (!/^[\w.-]{1,200}$/.test(options.batch)) {
    throw new BatchStoreError(
      `batch name "${options.batch}" must be 1–200 letters, digits, dots, dashes or underscores`,
    );
  }
  const where = describeStore(options.url);
  const leaseMs = Math.max(100, options.leaseMs ?? 30_000);
  const outageLimitMs = options.outageLimitMs ?? 600_000;
  const workerId = options.workerId ?? workerName(thisProcess(), randomUUID().slice(0, 8));
  const batch = options.batch;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: 8,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'idp-kit batch',
  });
  // An idle connection that the server drops emits here; without a listener the process would end.
  pool.on('error', () => {});

  let closed = false;
  let down = false;
  const { signal } = options;
  /** `attempt` until it succeeds, retried while the database is away (or `outageLimitMs`, or abort). */
  async function retrying<R>(attempt: () => Promise<R>): Promise<R> {
    let since: number | undefined;
    for (let tries = 0; ; tries++) {
      if (signal?.aborted) throw new IdpAbortError('the batch store', signal.reason);
      try {
        const result = await untilAborted(attempt(), signal, () => {});
        if (down) {
          down = false;
          options.onRecovered?.();
        }
        return result;
      } catch (error) {
        if (error instanceof IdpAbortError || closed || !transient(error)) throw error;
        since ??= Date.now();
        if (!down) {
          down = true;
          options.onUnavailable?.(explain(error, where));
        }
        if (Date.now() - since > outageLimitMs) {
          throw new BatchStoreError(
            `${explain(error, where)} Gave up after ${Math.round(outageLimitMs / 1000)} s; the batch resumes when you run it again.`,
          );
        }
        await sleep(Math.min(5_000, 100 * 2 ** Math.min(tries, 6)), signal);
      }
    }
  }
  function query<R extends pg.QueryResultRow>(
    text: string,
    values: unknown[] = [],
  ): Promise<pg.QueryResult<R>> {
    return retrying(() => pool.query<R>(text, values));
  }
  /** `work` in one transaction on one connection; retried whole while the database is away. */
  function transaction<R>(work: (client: pg.PoolClient) => Promise<R>): Promise<R> {
    return retrying(async () => {
      const client = await pool.connect();
      // A checked-out connection's own 'error' (the server went away mid-transaction) is not the pool's
      // to catch: without a listener it would crash the process. The failing query says it anyway.
      const ignore = () => {};
      client.on('error', ignore);
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        broken = transient(error);
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.off('error', ignore);
        client.release(broken);
      }
    });
  }

  try {
    await migrate(pool);
    await checkBatch(pool, batch, options.action, where);
    const freed = await freeEndedWorkers(pool, batch, workerId);
    if (freed) options.onTakeover?.(freed);
  } catch (error) {
    await pool.end().catch(() => {});
    if (error instanceof BatchStoreError) throw error;
    throw new BatchStoreError(explain(error, where));
  }

  // The documents this worker's loops hold (key → lease token). Only these are renewed: a lease taken
  // by a claim whose reply was lost (the database went away after committing it) is held by no loop,
  // and is free again (to this worker at once, to others once it lapses), not kept alive until close.
  const held = new Map<string, number>();
  const heldKeys = () => [...held.keys()];
  const heartbeat = setInterval(
    () => {
      if (held.size === 0) return;
      query(
        `UPDATE idp_batch_documents SET lease_until = now() + make_interval(secs => $3::float8 / 1000)
          WHERE batch = $1 AND lease_owner = $2 AND key = ANY($4::text[])`,
        [batch, workerId, leaseMs, heldKeys()],
      ).catch(() => {}); // the next beat tries again; a lapse is safe (fencing)
    },
    Math.max(50, Math.floor(leaseMs / 3)),
  );
  heartbeat.unref();

  const fencedValues = (record: DocumentRecord, lease: Lease, from?: DocumentState[]): unknown[] => [
    batch,
    record.key,
    JSON.stringify(record),
    record.state,
    workerId,
    lease.token,
    WORKING_STATES,
    from ?? null,
  ];

  async function write(record: DocumentRecord, lease: Lease, from?: DocumentState): Promise<boolean> {
    const fenced = await query(FENCED_WRITE, fencedValues(record, lease, from && [from]));
    if (fenced.rowCount === 1) return true;
    if (await written(record)) return true;
    if (record.state !== 'submitted' || (from !== undefined && from !== 'submitting')) return false;
    // Our hold lapsed while the upload was out, and a worker that took over marked it uncertain (or
    // has not looked yet). Nobody has submitted it since (same count): the execution id is the truth,
    // written where the state machine takes 'accepted' from.
    await query(
      `UPDATE idp_batch_documents d SET record = ${RECORD_KEEPING_DUPLICATES}, state = $4, updated_at = now(),
          lease_owner = NULL, lease_until = '-infinity'
        WHERE d.batch = $1 AND d.key = $2 AND d.state = ANY($6::text[])
          AND COALESCE((d.record->>'submits')::int, 0) = $5`,
      [batch, record.key, JSON.stringify(record), record.state, record.submits ?? 0, fromStates('accepted')],
    );
    // Written or not, the document is not ours now: whoever claims it next waits for the results.
    return false;
  }

  /** Whether `record` is in its row already (see ALREADY_WRITTEN). */
  async function written(record: DocumentRecord, client?: pg.PoolClient): Promise<boolean> {
    const values = [batch, record.key, record.state, record.updatedAt];
    const found = client ? await client.query(ALREADY_WRITTEN, values) : await query(ALREADY_WRITTEN, values);
    return (found.rowCount ?? 0) > 0;
  }

  /** The tail of this worker's claims, one after another (see `claim`). */
  let claiming: Promise<unknown> = Promise.resolve();
  /** Claims asked so far; per list of states, how many had been asked when a claim of them found nothing. */
  let asked = 0;
  const foundNothing = new Map<string, number>();
  async function claimOne(
    states: DocumentState[],
  ): Promise<{ record: DocumentRecord; lease: Lease } | undefined> {
    // One state at a time, in the order given: each is a range scan of the claim index.
    for (const state of states) {
      const { rows } = await query<{ record: DocumentRecord; lease_token: string }>(
        `WITH next AS (
           SELECT key FROM idp_batch_documents
            WHERE batch = $1 AND state = $2 AND NOT parked
              AND (lease_until < now() OR (lease_owner = $3 AND NOT (key = ANY($5::text[]))))
            ORDER BY lease_until, seq LIMIT 1
            FOR UPDATE SKIP LOCKED)
         UPDATE idp_batch_documents d
            SET lease_owner = $3, lease_token = d.lease_token + 1,
                lease_until = now() + make_interval(secs => $4::float8 / 1000)
           FROM next WHERE d.batch = $1 AND d.key = next.key
         RETURNING d.record, d.lease_token`,
        [batch, state, workerId, leaseMs, heldKeys()],
      );
      const row = rows[0];
      if (row) {
        const lease = { key: row.record.key, token: Number(row.lease_token) };
        held.set(lease.key, lease.token);
        return { record: row.record, lease };
      }
    }
    return undefined;
  }

  return {
    shared: true,
    workerId,
    batch,
    leaseMs,
    async load() {
      // Without results: a row written by an older version may still hold its result inline.
      const { rows } = await query<{ record: DocumentRecord }>(
        `SELECT record - 'execution' AS record FROM idp_batch_documents WHERE batch = $1 ORDER BY seq`,
        [batch],
      );
      return rows.map((r) => r.record);
    },
    async putResult(executionId, execution) {
      const text = JSON.stringify(execution);
      // Idempotent: a worker that died before journaling its transition wrote the same row.
      await query(
        `INSERT INTO idp_batch_results (execution_id, batch, kind, result) VALUES ($1, $2, 'final', $3::jsonb)
         ON CONFLICT (execution_id, batch, kind) DO UPDATE SET result = EXCLUDED.result`,
        [executionId, batch, text],
      );
      return { bytes: Buffer.byteLength(text) };
    },
    async readResult(record) {
      if (record.execution !== undefined) return record.execution;
      if (record.result && record.executionId) {
        const { rows } = await query<{ result: unknown }>(
          `SELECT result FROM idp_batch_results WHERE execution_id = $1 AND kind = 'final'
           ORDER BY batch = $2 DESC LIMIT 1`,
          [record.executionId, batch],
        );
        return rows[0]?.result;
      }
      if (record.state !== 'retrieved') return undefined;
      // A row of an older version: the result inline, read (never rewritten) one at a time.
      const { rows } = await query<{ execution: unknown }>(
        `SELECT record->'execution' AS execution FROM idp_batch_documents WHERE batch = $1 AND key = $2`,
        [batch, record.key],
      );
      return rows[0]?.execution ?? undefined;
    },
    async putReviewResult(executionId, execution) {
      // The first kept wins (DO NOTHING): the values as they were before any review edit.
      await query(
        `INSERT INTO idp_batch_results (execution_id, batch, kind, result) VALUES ($1, $2, 'review', $3::jsonb)
         ON CONFLICT (execution_id, batch, kind) DO NOTHING`,
        [executionId, batch, JSON.stringify(execution)],
      );
    },
    async readReviewResult(record) {
      if (!record.executionId) return undefined;
      const { rows } = await query<{ result: unknown }>(
        `SELECT result FROM idp_batch_results WHERE execution_id = $1 AND kind = 'review'
         ORDER BY batch = $2 DESC LIMIT 1`,
        [record.executionId, batch],
      );
      return rows[0]?.result;
    },
    async put(records) {
      // Outside any lease: for tools and single-worker use. Workers use putLeased.
      for (const record of Array.isArray(records) ? records : [records]) {
        await query(
          `INSERT INTO idp_batch_documents AS d (batch, key, state, record) VALUES ($1, $2, $4, $3::jsonb)
           ON CONFLICT (batch, key) DO UPDATE SET record = ${RECORD_KEEPING_DUPLICATES}, state = $4, updated_at = now()`,
          [batch, record.key, JSON.stringify(record), record.state],
        );
      }
    },
    async forget(keys) {
      // Only a rejected document is ever forgotten (it is read again); never one that IDP may have.
      if (keys.length === 0) return;
      await query(
        `DELETE FROM idp_batch_documents WHERE batch = $1 AND key = ANY($2::text[]) AND state = 'rejected'`,
        [batch, keys],
      );
    },
    async add(records) {
      for (let i = 0; i < records.length; i += 500) {
        const chunk = records.slice(i, i + 500);
        await query(
          `INSERT INTO idp_batch_documents (batch, key, state, record)
           SELECT $1, r->>'key', r->>'state', r FROM jsonb_array_elements($2::jsonb) AS r
           ON CONFLICT (batch, key) DO NOTHING`,
          [batch, JSON.stringify(chunk)],
        );
      }
      for (const record of records) {
        for (const path of record.duplicates ?? []) {
          await query(
            `UPDATE idp_batch_documents SET updated_at = now(),
               record = jsonb_set(record, '{duplicates}', COALESCE(record->'duplicates', '[]'::jsonb) || to_jsonb($3::text))
             WHERE batch = $1 AND key = $2 AND record->>'path' <> $3
               AND NOT COALESCE(record->'duplicates', '[]'::jsonb) ? $3`,
            [batch, record.key, path],
          );
        }
      }
    },
    async reopen() {
      // What a rerun tries again is the state machine's to say ('reopen'): the candidates are read, the
      // transition decided here, and each written only where its row is still as it was read.
      const { rows } = await query<{ record: DocumentRecord }>(
        `SELECT record - 'execution' AS record FROM idp_batch_documents
          WHERE batch = $1 AND lease_until < now() AND state = ANY($2::text[]) AND NOT record ? 'executionId'`,
        [batch, fromStates('reopen')],
      );
      const reopened = rows
        .map((r) => r.record)
        .filter((r) => allows(r, { type: 'reopen' }))
        .map((r) => ({ from: r.state, record: transition(r, { type: 'reopen' }) }));
      for (let i = 0; i < reopened.length; i += 500) {
        await query(
          `UPDATE idp_batch_documents d SET state = r.record->>'state', updated_at = now(),
              record = ${RECORD_KEEPING_DUPLICATES.replaceAll('$3::jsonb', 'r.record')}
             FROM jsonb_to_recordset($2::jsonb) AS r(key text, "from" text, record jsonb)
            WHERE d.batch = $1 AND d.key = r.key AND d.state = r."from" AND d.lease_until < now()`,
          [batch, JSON.stringify(reopened.slice(i, i + 500).map((r) => ({ key: r.record.key, ...r })))],
        );
      }
      await query(
        `UPDATE idp_batch_documents SET parked = false WHERE batch = $1 AND parked
            AND lease_until < now()`,
        [batch],
      );
    },
    claim(states) {
      // One claim of this worker at a time. The claim also takes back this worker's own leases that no
      // loop holds (a claim whose reply was lost), judged by the held keys sent with the query: two
      // claims of one worker in flight at once each see the other's document as "ours, held by no
      // loop", and take it from each other (a rerun's 500 loops took one waiting document hundreds
      // of times, each polling IDP). In turn, each claim sees what the ones before it took.
      // A claim of the same states that began after this one was asked and found nothing answers for
      // it too: a loop told "nothing" looks again at the next tick, and a worker's loops starting
      // together cost one query, not one each.
      const ticket = ++asked;
      const which = states.join();
      const turn = claiming.then(async () => {
        if ((foundNothing.get(which) ?? 0) >= ticket) return undefined;
        const covers = asked;
        const claimed = await claimOne(states);
        if (!claimed) foundNothing.set(which, covers);
        return claimed;
      });
      claiming = turn.catch(() => {});
      return turn;
    },
    async intendSubmit(record, lease, rules = {}) {
      return transaction(async (client) => {
        if (rules.lookElsewhere !== false) {
          // Every batch's intent to upload this document passes here one at a time: of two batches
          // that reach it together, the second sees the first's 'submitting' and sends nothing.
          await client.query(`SELECT pg_advisory_xact_lock(hashtext('idp_batch_document'), hashtext($1))`, [
            record.key,
          ]);
          const found = await client.query<{ batch: string; record: DocumentRecord }>(ELSEWHERE, [
            batch,
            record.key,
          ]);
          const other = found.rows[0];
          if (other) return { batch: other.batch, record: other.record };
        }
        if (rules.maxPages !== undefined) {
          // The workers of a batch spend one budget: their intents pass here one at a time, each
          // seeing the pages of every intent written before it (this transaction's own included).
          await client.query(`SELECT pg_advisory_xact_lock(hashtext('idp_batch_budget'), hashtext($1))`, [
            batch,
          ]);
          const { rows } = await client.query<{ spent: string }>(PAGES_SUBMITTED, [batch, record.key]);
          const spent = Number(rows[0]?.spent ?? 0);
          if (record.pages === undefined || spent + record.pages > rules.maxPages) {
            return { budget: { spent, max: rules.maxPages } };
          }
        }
        // The intent is written only over a document still where 'intend' may be taken from.
        const fenced = await client.query(FENCED_WRITE, fencedValues(record, lease, fromStates('intend')));
        if (fenced.rowCount !== 1 && !(await written(record, client))) {
          throw new LeaseLostError(`another worker has taken over ${record.fileName}`);
        }
        return undefined;
      });
    },
    async findElsewhere(key) {
      const { rows } = await query<{ batch: string; record: DocumentRecord }>(ELSEWHERE, [batch, key]);
      return rows[0];
    },
    async putLeased(record, lease, from) {
      if (!(await write(record, lease, from))) {
        throw new LeaseLostError(`another worker has taken over ${record.fileName}`);
      }
    },
    release(lease) {
      if (held.get(lease.key) === lease.token) held.delete(lease.key);
    },
    async park(lease) {
      await query(
        `UPDATE idp_batch_documents SET parked = true, lease_owner = NULL, lease_until = '-infinity'
          WHERE batch = $1 AND key = $2 AND lease_owner = $3 AND lease_token = $4`,
        [batch, lease.key, workerId, lease.token],
      );
    },
    async findByNonce(hash) {
      const { rows } = await query<{ record: DocumentRecord }>(
        `SELECT record - 'execution' AS record FROM idp_batch_documents
          WHERE batch = $1 AND record ? 'nonceHash' AND record->>'nonceHash' = $2`,
        [batch, hash],
      );
      return rows[0]?.record;
    },
    async nudge(key) {
      await query(`UPDATE idp_batch_documents SET called_back = true WHERE batch = $1 AND key = $2`, [
        batch,
        key,
      ]);
    },
    async takeNudges() {
      // A callback may beat the upload's answer to the store: its mark waits until the id is written.
      const { rows } = await query<{ id: string | null }>(
        `UPDATE idp_batch_documents SET called_back = false
          WHERE batch = $1 AND lease_owner = $2 AND called_back AND record ? 'executionId'
          RETURNING record->>'executionId' AS id`,
        [batch, workerId],
      );
      return rows.flatMap((r) => (r.id ? [r.id] : []));
    },
    rateSource(config) {
      return postgresRateSource(query, batch, config);
    },
    async census() {
      const { rows } = await query<{ state: DocumentState; total: string; free: string; elsewhere: string }>(
        CENSUS,
        [batch, workerId, heldKeys(), CENSUS_CAP, CLAIMABLE],
      );
      return Object.fromEntries(
        rows.map((r) => [
          r.state,
          { total: Number(r.total), free: Number(r.free), elsewhere: Number(r.elsewhere) },
        ]),
      );
    },
    async close() {
      clearInterval(heartbeat);
      try {
        // Others need not wait for our leases to lapse.
        await pool.query(
          `UPDATE idp_batch_documents SET lease_owner = NULL, lease_until = '-infinity'
            WHERE batch = $1 AND lease_owner = $2`,
          [batch, workerId],
        );
      } catch {
        // The database is away: the leases lapse by themselves.
      } finally {
        closed = true;
        await pool.end().catch(() => {});
      }
    },
  };
}

/** Applies the migrations this version knows and the database lacks, one worker at a time. */
async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  const ignore = () => {}; // as in transaction(): the failing query reports it
  client.on('error', ignore);
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('idp_batch_migrations'))`);
    await client.query(`CREATE TABLE IF NOT EXISTS idp_batch_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ v: number | null }>(
      'SELECT max(version) AS v FROM idp_batch_migrations',
    );
    const current = rows[0]?.v ?? 0;
    const newest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
    if (current > newest) {
      throw new BatchStoreError(
        `the store's schema is version ${current}, newer than this idp-kit knows (${newest}): upgrade idp-kit on this worker`,
      );
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO idp_batch_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.off('error', ignore);
    client.release();
  }
}

/** The batch row: created by the first worker; a worker for another action is refused. */
async function checkBatch(
  pool: pg.Pool,
  batch: string,
  action: PostgresStoreOptions['action'],
  where: string,
): Promise<void> {
  if (action) {
    await pool.query(
      `INSERT INTO idp_batch_batches (batch, action_id, action_version) VALUES ($1, $2, $3)
       ON CONFLICT (batch) DO NOTHING`,
      [batch, action.actionId, action.actionVersion],
    );
  }
  const { rows } = await pool.query<{ action_id: string; action_version: string }>(
    'SELECT action_id, action_version FROM idp_batch_batches WHERE batch = $1',
    [batch],
  );
  const row = rows[0];
  if (!row) {
    const names = await pool.query<{ batch: string }>(
      'SELECT batch FROM idp_batch_batches ORDER BY created_at DESC LIMIT 20',
    );
    const known = names.rows.map((r) => r.batch).join(', ');
    throw new BatchStoreError(
      `no batch named "${batch}" in ${where}${known ? ` (batches there: ${known})` : ' (it holds no batch yet)'}`,
    );
  }
  if (action && (row.action_id !== action.actionId || row.action_version !== action.actionVersion)) {
    throw new BatchStoreError(
      `batch "${batch}" in ${where} is for action ${row.action_id} version ${row.action_version}, not ${action.actionId} ${action.actionVersion}: use the same action, or another --batch name`,
    );
  }
}
