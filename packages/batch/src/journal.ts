import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { type FileHandle, mkdir, open, readFile, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Where a document is in the batch. `submitting` is journaled *before* the POST: a run that finds it
 * after a crash cannot know whether IDP created an execution, so the document becomes `uncertain`.
 *
 * @example
 * ```ts
 * const done: DocumentState[] = ['retrieved', 'rejected', 'expired'];
 * ```
 */
export type DocumentState =
  | 'queued'
  | 'submitting'
  | 'submitted'
  | 'settled'
  | 'retrieved'
  | 'rejected'
  | 'error'
  | 'uncertain'
  | 'expired';

/**
 * One document of a batch, as the journal keeps it: the latest state wins.
 *
 * @example
 * ```ts
 * const waiting = records.filter((r: DocumentRecord) => r.state === 'settled' && r.status === 'MANUAL_VALIDATION_REQUIRED');
 * ```
 */
export interface DocumentRecord {
  /** `sha256:actionId:actionVersion`: the same content for the same action is one document. */
  key: string;
  /** SHA-256 of the content, hex. */
  hash: string;
  /** Where it was read from (absolute). */
  path: string;
  fileName: string;
  /** Other paths with the same content: never submitted again. */
  duplicates?: string[];
  /** From a manifest's other columns. */
  metadata?: Record<string, unknown>;
  state: DocumentState;
  executionId?: string;
  /** The execution status once known. */
  status?: string;
  /** The execution as retrieved (state `retrieved`). */
  execution?: unknown;
  /** What went wrong, in words (states `rejected`, `error`, `uncertain`, `expired`). */
  error?: string;
  /** POSTs started for this document across runs (journaled before each). */
  submits?: number;
  updatedAt: string;
}

/**
 * Where a batch keeps its records. A transition is durable once `put` resolves: the engine journals
 * before it acts. A second implementation (PostgreSQL, for many workers) fits behind the same interface.
 *
 * @example
 * ```ts
 * const store: JournalStore = await openFileJournal('out/');
 * for (const record of await store.load()) console.log(record.fileName, record.state);
 * ```
 */
export interface JournalStore {
  /** Every document's latest record. */
  load(): Promise<DocumentRecord[]>;
  /** Records durably (the latest per key wins); resolves once it would survive a crash. */
  put(records: DocumentRecord | DocumentRecord[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * One document a worker holds: a fencing token, so that a worker whose hold lapsed (and was taken
 * over) can no longer write it.
 *
 * @example
 * ```ts
 * const claimed = await store.claim(['queued']);
 * if (claimed) await store.putLeased({ ...claimed.record, state: 'submitting' }, claimed.lease);
 * ```
 */
export interface Lease {
  key: string;
  token: number;
}

/**
 * A journal many workers share: each document is held by one worker at a time through a lease that
 * the worker's heartbeat renews; a dead worker's leases lapse and the others take its documents over.
 *
 * @example
 * ```ts
 * const store: SharedJournalStore = await openPostgresStore({ url, batch: 'march' });
 * console.log((await store.load()).length, 'documents');
 * ```
 */
export interface SharedJournalStore extends JournalStore {
  readonly shared: true;
  readonly workerId: string;
  readonly batch: string;
  /** Adds documents not known yet (by key); for known ones, adds paths as duplicates. */
  add(records: DocumentRecord[]): Promise<void>;
  /** What a rerun does for the whole batch: retryable errors queued again, parked waits unparked. */
  reopen(): Promise<void>;
  /** How long a hold lasts without a heartbeat. */
  readonly leaseMs: number;
  /** Takes the oldest document in one of `states` that no live worker holds. */
  claim(states: DocumentState[]): Promise<{ record: DocumentRecord; lease: Lease } | undefined>;
  /** Writes a held document; throws `LeaseLostError` when another worker has taken it over. */
  putLeased(record: DocumentRecord, lease: Lease): Promise<void>;
  /** Lets go of a document until the next run (a wait that failed); others do not wait for it. */
  park(lease: Lease): Promise<void>;
  /**
   * The whole batch per state, in one read: `total` (every worker's documents), and of those this
   * worker does not hold and are not parked, the `free` ones (nobody holds them, or their holder's
   * lease lapsed) and the ones other live workers hold (`elsewhere`).
   */
  census(): Promise<Partial<Record<DocumentState, { total: number; free: number; elsewhere: number }>>>;
}

/**
 * Another worker took the document over (this worker's lease lapsed): stop working on it.
 *
 * @example
 * ```ts
 * try { await store.putLeased(record, lease); } catch (e) { if (e instanceof LeaseLostError) return; throw e; }
 * ```
 */
export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

/**
 * The journal's file name in a batch folder.
 *
 * @example
 * ```ts
 * const path = join(outDir, JOURNAL_FILE);
 * ```
 */
export const JOURNAL_FILE = 'journal.jsonl';
const LOCK_FILE = 'journal.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Lock files this process holds. */
const held = new Set<string>();

/** One run per folder at a time: a lock file holding the pid; a dead owner's lock is taken over. */
async function lock(dir: string): Promise<() => void> {
  const path = join(dir, LOCK_FILE);
  if (held.has(path)) {
    throw new JournalLockedError(
      `another batch run (pid ${process.pid}) is using ${dir}; wait for it, or stop it first`,
    );
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.add(path);
      return () => {
        held.delete(path);
        rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new JournalLockedError(
          `another batch run (pid ${owner}) is using ${dir}; wait for it, or stop it first`,
        );
      }
      await rm(path, { force: true }); // left by a run that was killed
    }
  }
  throw new JournalLockedError(`cannot lock ${dir}`);
}

/**
 * The folder is in use by another live run.
 *
 * @example
 * ```ts
 * try { await openFileJournal(dir); } catch (e) { if (e instanceof JournalLockedError) console.error('busy'); }
 * ```
 */
export class JournalLockedError extends Error {
  override name = 'JournalLockedError';
}

/** The journal file's records, latest per key, and how much of it is whole lines. */
async function parseJournal(path: string) {
  const latest = new Map<string, DocumentRecord>();
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  let good = 0;
  for (let start = 0; start < text.length; ) {
    const end = text.indexOf('\n', start);
    if (end < 0) break; // a line cut by a crash: no newline yet
    try {
      const record = JSON.parse(text.slice(start, end)) as DocumentRecord;
      latest.set(record.key, record);
    } catch {
      break; // torn write: everything from here on is dropped
    }
    start = end + 1;
    good = start;
  }
  // Bytes, not characters: the file may hold non-ASCII file names.
  return { latest, text, goodBytes: Buffer.byteLength(text.slice(0, good)) };
}

/**
 * A batch folder's records without opening it for writing: for a status while a run goes on.
 * `undefined` when the folder holds no journal.
 *
 * @example
 * ```ts
 * const records = await readJournal('batch-out');
 * ```
 */
export async function readJournal(dir: string): Promise<DocumentRecord[] | undefined> {
  const path = join(dir, JOURNAL_FILE);
  const exists = await readFile(path).then(
    () => true,
    () => false,
  );
  if (!exists) return undefined;
  return [...(await parseJournal(path)).latest.values()];
}

/**
 * The embedded journal: an append-only JSON Lines file in the batch's folder. Each `put` appends whole
 * lines and `fdatasync`s before it resolves; concurrent puts share one write and one sync (group
 * commit). A line cut by a crash is dropped (and the file repaired) when the journal is opened.
 * No native build, no server, a few microseconds of CPU per transition.
 *
 * @example
 * ```ts
 * const journal = await openFileJournal('./batch-out');
 * ```
 */
export async function openFileJournal(dir: string): Promise<JournalStore> {
  await mkdir(dir, { recursive: true });
  const unlock = await lock(dir);
  const path = join(dir, JOURNAL_FILE);
  const { latest, text, goodBytes } = await parseJournal(path);
  if (goodBytes < Buffer.byteLength(text)) await truncate(path, goodBytes);

  const file: FileHandle = await open(path, 'a');
  let pending: { lines: string; resolve: () => void; reject: (e: unknown) => void }[] = [];
  let flushing: Promise<void> | undefined;

  async function flush(): Promise<void> {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      try {
        await file.write(batch.map((p) => p.lines).join(''));
        await file.datasync();
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    flushing = undefined;
  }

  return {
    async load() {
      return [...latest.values()];
    },
    put(records) {
      const list = Array.isArray(records) ? records : [records];
      for (const record of list) latest.set(record.key, record);
      const lines = list.map((r) => `${JSON.stringify(r)}\n`).join('');
      const done = new Promise<void>((resolve, reject) => pending.push({ lines, resolve, reject }));
      flushing ??= flush();
      return done;
    },
    async close() {
      await flushing;
      await file.close();
      unlock();
    },
  };
}
