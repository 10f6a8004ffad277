import {
  type DocumentRecord,
  type DocumentState,
  type JournalStore,
  type Lease,
  LeaseLostError,
  type SharedJournalStore,
} from './journal.js';
import { allows, transition } from './state-machine.js';

/**
 * A journal that one process owns (the file journal), given the claim / lease interface of a shared
 * store, in memory: so that the engine has one loop for every store. Nobody else works on the batch,
 * so no lease lapses and nothing is held elsewhere; a claim still hands each document to one of the
 * engine's loops at a time, and a park keeps it from the others until the next run.
 */
export async function localLeases(journal: JournalStore): Promise<SharedJournalStore> {
  /** The latest record per key, and the keys per state in journal order (what a claim scans). */
  const records = new Map<string, DocumentRecord>();
  const byState = new Map<DocumentState, Set<string>>();
  const held = new Map<string, number>();
  const parked = new Set<string>();
  /** Callbacks: each upload's nonce hash → its document (every nonce this batch handed out, across runs). */
  const nonces = new Map<string, string>();
  let tokens = 0;

  function keep(record: DocumentRecord): void {
    const before = records.get(record.key);
    if (record.nonceHash) nonces.set(record.nonceHash, record.key);
    if (before && before.state !== record.state) byState.get(before.state)?.delete(record.key);
    records.set(record.key, record);
    const keys = byState.get(record.state) ?? new Set<string>();
    byState.set(record.state, keys);
    keys.add(record.key);
  }
  function drop(key: string): void {
    const before = records.get(key);
    if (before) byState.get(before.state)?.delete(key);
    records.delete(key);
  }
  for (const record of await journal.load()) keep(record);

  async function put(list: DocumentRecord[]): Promise<void> {
    if (list.length === 0) return;
    await journal.put(list);
    for (const record of list) keep(record);
  }

  return {
    shared: true,
    workerId: `local:${process.pid}`,
    batch: 'local',
    // No other worker: a hold never lapses. The engine reads the counts once a second.
    leaseMs: 4_000,
    idleCheckMs: 0,
    putResult: (executionId, execution) => journal.putResult(executionId, execution),
    readResult: (record) => journal.readResult(record),
    putReviewResult: (executionId, execution) => journal.putReviewResult(executionId, execution),
    readReviewResult: (record) => journal.readReviewResult(record),
    load: () => journal.load(),
    put: (records) => put(Array.isArray(records) ? records : [records]),
    async forget(keys) {
      await journal.forget(keys);
      for (const key of keys) drop(key);
    },
    // One writer: what planning gives (new documents, paths seen again) is written as it is.
    add: (list) => put(list),
    async reopen() {
      parked.clear();
      await put([...records.values()].filter((r) => allows(r, { type: 'reopen' })).map(reopened));
    },
    async claim(states) {
      for (const state of states) {
        for (const key of byState.get(state) ?? []) {
          if (held.has(key) || parked.has(key)) continue;
          const lease = { key, token: ++tokens };
          held.set(key, lease.token);
          return { record: records.get(key) as DocumentRecord, lease };
        }
      }
      return undefined;
    },
    async putLeased(record, lease, from) {
      const now = records.get(record.key);
      if (held.get(lease.key) !== lease.token || (from !== undefined && now?.state !== from)) {
        throw new LeaseLostError(`${record.fileName} is no longer held by this loop`);
      }
      await put([record]);
    },
    park(lease: Lease) {
      if (held.get(lease.key) !== lease.token) return Promise.resolve();
      held.delete(lease.key);
      parked.add(lease.key);
      return Promise.resolve();
    },
    release(lease) {
      if (held.get(lease.key) === lease.token) held.delete(lease.key);
    },
    async census() {
      const census: Awaited<ReturnType<SharedJournalStore['census']>> = {};
      for (const [state, keys] of byState) {
        if (keys.size === 0) continue;
        let busy = 0;
        for (const key of held.keys()) if (keys.has(key)) busy++;
        for (const key of parked) if (keys.has(key) && !held.has(key)) busy++;
        census[state] = { total: keys.size, free: keys.size - busy, elsewhere: 0 };
      }
      return census;
    },
    async findByNonce(hash) {
      const key = nonces.get(hash);
      const record = key === undefined ? undefined : records.get(key);
      // An older upload's nonce (the document was sent again since) is no longer its own.
      return record?.nonceHash === hash ? record : undefined;
    },
    close: () => journal.close(),
  };
}

/** What a rerun tries again, as the state machine has it. */
function reopened(record: DocumentRecord): DocumentRecord {
  return transition(record, { type: 'reopen' });
}
