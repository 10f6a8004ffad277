import { type FileHandle, mkdir, open, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { JournalLockedError, lockFolder } from './journal-lock.js';
import { fileLines, type RawLine } from './lines.js';
import type { RateSource } from './rate-source.js';
import { fileResults, inlineResults, type ResultStore, removeLeftovers, storedResult } from './results.js';
import type { BucketConfig } from './token-bucket.js';

export { JournalLockedError };

/**
 * Options of `openFileJournal()`.
 *
 * @example
 * ```ts
 * await openFileJournal('out', { onTakeover: (message) => console.error(message) });
 * ```
 */
export interface FileJournalOptions {
  /** The folder's lock was left by a run that ended (on this host), and this run took it over. */
  onTakeover?: (message: string) => void;
  /**
   * How messages name the folder; default `dir` as given. A caller that resolved the user's relative
   * folder against its own working directory still names it as the user typed it.
   */
  shownAs?: string;
}

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
  /**
   * The execution as retrieved, inline: only in journals written before results moved out of the
   * journal (read, never written now). Readers get it through `readResult()`.
   */
  execution?: unknown;
  /**
   * The retrieved result is stored beside the journal (state `retrieved`): the file journal's
   * `results/<executionId>.json.gz` (`file`), or the PostgreSQL store's `idp_batch_results` row; its size.
   */
  result?: { file?: string; bytes: number };
  /** What went wrong, in words (states `rejected`, `error`, `uncertain`, `expired`). */
  error?: string;
  /** When IDP accepted the upload (state `submitted` on): a 404 before its retention ends is not `expired`. */
  submittedAt?: string;
  /** POSTs started for this document across runs (journaled before each). */
  submits?: number;
  /**
   * Another batch of the same store had this document (content, action and version): its execution
   * was reused, not paid again (`executionId` set), or its upload was under way or of unknown fate
   * there (state `uncertain`, no id: nothing was sent from this batch; a rerun looks again).
   */
  duplicateOf?: { batch: string; executionId?: string };
  /** Pages counted locally when the document was read (PDF page tree, TIFF directories, 1 for an image). */
  pages?: number;
  /** Why a `queued` document was not sent: `budget` (the batch's page or credit budget was spent). */
  reason?: 'budget';
  /**
   * Callbacks: SHA-256 (hex) of the secret nonce in the callback URL of this document's latest upload,
   * journaled with the intent, before the POST (the nonce itself is never stored).
   */
  nonceHash?: string;
  /** A FAILED execution's `statusMessage` (the model's reason: `MAX_TOKENS`, `length`, …), at most 200 characters. */
  statusMessage?: string;
  updatedAt: string;
}

/**
 * What the intent to upload checks in a shared store (see `SharedJournalStore.intendSubmit`).
 *
 * @example
 * ```ts
 * const rules: IntendRules = { lookElsewhere: true, maxPages: 500 };
 * ```
 */
export interface IntendRules {
  lookElsewhere?: boolean;
  maxPages?: number;
}

/**
 * Why a shared store wrote no intent: another batch has the document, or the batch's budget is spent.
 *
 * @example
 * ```ts
 * const refused: IntendRefusal = { budget: { spent: 498, max: 500 } };
 * ```
 */
export type IntendRefusal =
  | { batch: string; record: DocumentRecord }
  | { budget: { spent: number; max: number } };

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
export interface JournalStore extends ResultStore {
  /** Every document's latest record (results are not in them: `readResult()` reads one). */
  load(): Promise<DocumentRecord[]>;
  /** Records durably (the latest per key wins); resolves once it would survive a crash. */
  put(records: DocumentRecord | DocumentRecord[]): Promise<void>;
  /**
   * Removes documents (a rejected file that is read again on a rerun, and now gives another record).
   * Durable once it resolves, as `put`.
   */
  forget(keys: string[]): Promise<void>;
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
  /**
   * How long a loop that found nothing to claim waits before the engine asks `census()` again
   * (default: a quarter of `leaseMs`, at most 1 s). 0 for a store whose census is in memory (the file
   * journal's in-process leases): an idle loop learns at once whether work is left.
   */
  readonly idleCheckMs?: number;
  /** Takes the oldest document in one of `states` that no live worker holds. */
  claim(states: DocumentState[]): Promise<{ record: DocumentRecord; lease: Lease } | undefined>;
  /**
   * Writes the intent to upload a held document (`record`, state `submitting`), unless another batch of
   * the same store has accepted the same document (content, action, version) or is uploading it: then
   * nothing is written and that batch's record is returned. One transaction, so two batches never
   * both decide to upload one document. Throws `LeaseLostError` as `putLeased`.
   *
   * `rules.lookElsewhere: false` skips the look at other batches (`resubmitDuplicates`).
   * `rules.maxPages`: the batch's page budget, shared by its workers: in the same transaction, under a
   * lock of this batch's budget, the pages its documents were submitted with are summed, and when this
   * one's would pass the budget nothing is written and `{ budget: { spent, max } }` is returned.
   */
  intendSubmit?(
    record: DocumentRecord,
    lease: Lease,
    rules?: IntendRules,
  ): Promise<IntendRefusal | undefined>;
  /**
   * Read only: the record of another batch of the store that has this document (accepted, uploading,
   * or of unknown fate), as `intendSubmit` would find it; a dry run asks it.
   */
  findElsewhere?(key: string): Promise<{ batch: string; record: DocumentRecord } | undefined>;
  /**
   * Writes a held document; throws `LeaseLostError` when another worker has taken it over. With `from`
   * (the state the transition was decided from), the write happens only if the document is still in
   * that state: a store persists what `transition()` decided, never over something else.
   */
  putLeased(record: DocumentRecord, lease: Lease, from?: DocumentState): Promise<void>;
  /** Lets go of a document until the next run (a wait that failed); others do not wait for it. */
  park(lease: Lease): Promise<void>;
  /**
   * This worker is done with a claimed document (whatever its state now): its lease is no longer
   * renewed, and a lease of this worker that no loop holds (a claim whose reply was lost in an outage)
   * counts as free, to this worker at once and to others once it lapses.
   */
  release?(lease: Lease): void;
  /**
   * The whole batch per state, in one read: `total` (every worker's documents), and of those this
   * worker does not hold and are not parked, the `free` ones (nobody holds them, or their holder's
   * lease lapsed) and the ones other live workers hold (`elsewhere`). A store may count `free` and
   * `elsewhere` only for the states a worker claims, and only up to a cap (PostgreSQL: 100), since
   * they say how many loops to wake and whether any work is left, not how much.
   */
  census(): Promise<Partial<Record<DocumentState, { total: number; free: number; elsewhere: number }>>>;
  /**
   * Callbacks: the batch's document whose upload carried the nonce with this hash (`nonceHash`), in
   * any state, whoever holds it.
   */
  findByNonce?(hash: string): Promise<DocumentRecord | undefined>;
  /**
   * Callbacks, with many workers: a worker that received a callback for a document it does not wait
   * on marks it, for whichever worker holds it (`takeNudges`).
   */
  nudge?(key: string): Promise<void>;
  /** The execution ids of this worker's documents that another worker received a callback for (and unmarks them). */
  takeNudges?(): Promise<string[]>;
  /**
   * The batch's rate budget, shared by its workers (`--rate`): a token bucket in the store at this
   * rate (the last worker started sets it). Without it, a `RateBudget` is this process's alone.
   */
  rateSource?(config: BucketConfig): Promise<RateSource>;
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
/**
 * The journal cannot be used as it is: a line other than the last is not a record (the file was
 * edited or damaged), or a write did not reach the disk (a full disk). The message names the file and
 * the line, and what to do; the file is left as it is.
 *
 * @example
 * ```ts
 * try { await openFileJournal(dir); } catch (e) { if (e instanceof JournalCorruptError) console.error(e.message); }
 * ```
 */
export class JournalCorruptError extends Error {
  override name = 'JournalCorruptError';
}

/**
 * A write to the journal failed or was cut short (a full disk, a quota): the transition it carried is
 * not durable, so the engine acts on nothing that depended on it.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof JournalWriteError) console.error('free some space, then rerun'); }
 * ```
 */
export class JournalWriteError extends Error {
  override name = 'JournalWriteError';
}

/** A record line, or undefined when the line is not one. */
function parseLine(text: string): DocumentRecord | { forget: string } | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    if (typeof (value as { forget?: unknown }).forget === 'string') return value as { forget: string };
    return typeof (value as DocumentRecord).key === 'string' ? (value as DocumentRecord) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A record as kept in memory: an older journal's inline result is left on disk (its line is
 * remembered in `inlineResults`), so that memory holds small facts only, whatever the results weigh.
 */
function slim(record: DocumentRecord, journal: string, line: RawLine): DocumentRecord {
  if (record.execution === undefined) return record;
  const { execution: _, ...rest } = record;
  inlineResults.set(rest, { journal, start: line.start, end: line.end });
  return rest;
}

/**
 * The journal file's records, latest per key, and where its whole lines end. Only the last line may
 * be torn (a crash during the append): it is left out, and `goodBytes` says where to cut. A line that
 * is not a record anywhere else is damage, not a crash: dropping it and what follows would forget
 * uploads already paid for, so reading stops with an error that names the line.
 */
async function parseJournal(path: string, shown = path) {
  const latest = new Map<string, DocumentRecord>();
  let good = 0;
  let bad: RawLine | undefined;
  for await (const line of fileLines(path)) {
    if (bad) {
      throw new JournalCorruptError(
        `${shown}, line ${bad.number}: not a journal record, and more lines follow it. ` +
          'The file was left as it is: restore it from a copy, or remove that line by hand (the documents on it may then be submitted again), and rerun.',
      );
    }
    const record = line.text.trim() === '' && line.terminated ? undefined : parseLine(line.text);
    if (!record) {
      if (line.text.trim() === '' && line.terminated) {
        good = line.end; // an empty line harms nothing
        continue;
      }
      bad = line;
      continue;
    }
    if (!line.terminated) {
      bad = line; // whole JSON, but the newline never made it: the append was cut
      continue;
    }
    if ('forget' in record) latest.delete(record.forget);
    else latest.set(record.key, slim(record, path, line));
    good = line.end;
  }
  return { latest, goodBytes: good, tornBytes: bad ? bad.end - bad.start : 0 };
}

/**
 * A batch folder's records without opening it for writing: for a status while a run goes on.
 * `undefined` when the folder holds no journal. The records carry no results: read each with
 * `fileResults(dir).readResult(record)` (an older journal's inline result is read from its line).
 *
 * @example
 * ```ts
 * const records = await readJournal('batch-out');
 * ```
 */
export async function readJournal(
  dir: string,
  options: Pick<FileJournalOptions, 'shownAs'> = {},
): Promise<DocumentRecord[] | undefined> {
  const path = join(dir, JOURNAL_FILE);
  const exists = await stat(path).then(
    (info) => info.isFile(),
    () => false,
  );
  if (!exists) return undefined;
  return [...(await parseJournal(path, join(options.shownAs ?? dir, JOURNAL_FILE))).latest.values()];
}

/**
 * An older journal's inline results, copied once to `results/` (idempotent: the same execution id,
 * the same file) when it is opened for writing. The journal itself is not rewritten; the in-memory
 * record points at the file, so that any later line written for it does too.
 */
async function moveInlineResults(
  dir: string,
  latest: Map<string, DocumentRecord>,
  results: ResultStore,
): Promise<void> {
  for (const [key, record] of latest) {
    if (!inlineResults.has(record) || !record.executionId) continue;
    const moved = await storedResult(dir, record.executionId); // by an earlier open
    if (moved) {
      latest.set(key, { ...record, result: moved });
      continue;
    }
    const execution = await results.readResult(record);
    if (execution === undefined) continue;
    latest.set(key, { ...record, result: await results.putResult(record.executionId, execution) });
  }
}

/**
 * The part of a file handle the journal writes through: a seam for tests that play a full disk.
 */
export interface JournalFile {
  write(data: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
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
export async function openFileJournal(dir: string, options: FileJournalOptions = {}): Promise<JournalStore> {
  return openFileJournalWith(dir, async (path) => (await open(path, 'a')) as FileHandle, options);
}

/**
 * `openFileJournal()` with the file opened by `openFile` (tests: a handle that writes short).
 * Not exported from the package.
 */
export async function openFileJournalWith(
  dir: string,
  openFile: (path: string) => Promise<JournalFile>,
  options: FileJournalOptions = {},
): Promise<JournalStore> {
  await mkdir(dir, { recursive: true });
  const unlock = await lockFolder(dir, options);
  const path = join(dir, JOURNAL_FILE);
  const shown = join(options.shownAs ?? dir, JOURNAL_FILE);
  const results = fileResults(dir);
  let file: JournalFile;
  let size: number;
  let latest: Map<string, DocumentRecord>;
  try {
    const { latest: read, goodBytes, tornBytes } = await parseJournal(path, shown);
    if (tornBytes > 0) await truncate(path, goodBytes);
    file = await openFile(path);
    size = goodBytes;
    latest = read;
    await removeLeftovers(dir);
    await moveInlineResults(dir, latest, results);
  } catch (error) {
    unlock();
    throw error;
  }
  let pending: {
    lines: string;
    records: DocumentRecord[];
    forget: string[];
    resolve: () => void;
    reject: (e: unknown) => void;
  }[] = [];
  let flushing: Promise<void> | undefined;
  /** Set when the file could not be put back to whole lines: nothing more may be appended. */
  let broken: JournalWriteError | undefined;

  /** Writes every byte, or throws: `write(2)` may write less than asked on a full disk and succeed. */
  async function writeAll(data: Buffer): Promise<void> {
    for (let done = 0; done < data.length; ) {
      const { bytesWritten } = await file.write(data, done, data.length - done);
      if (bytesWritten <= 0) {
        throw Object.assign(new Error('no space left on device (a write stored 0 bytes)'), {
          code: 'ENOSPC',
        });
      }
      done += bytesWritten;
    }
  }

  async function flush(): Promise<void> {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      try {
        if (broken) throw broken;
        const data = Buffer.from(batch.map((p) => p.lines).join(''));
        try {
          await writeAll(data);
          await file.datasync();
        } catch (error) {
          // Cut back to the last whole line, so that the next put does not follow half a line.
          await file.truncate(size).catch(() => {
            broken = new JournalWriteError(
              `the journal ${shown} could not be repaired after a failed write; rerun once the disk has space`,
            );
          });
          const code = (error as NodeJS.ErrnoException).code;
          throw new JournalWriteError(
            `cannot write the batch journal ${shown}${code ? ` (${code})` : ''}: ${(error as Error).message}. ` +
              'Nothing was submitted that depends on it: free some disk space and rerun the same command to resume.',
            { cause: error },
          );
        }
        size += data.length;
        for (const p of batch) {
          for (const key of p.forget) latest.delete(key);
          for (const record of p.records) latest.set(record.key, record);
          p.resolve();
        }
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    flushing = undefined;
  }

  function enqueue(lines: string, records: DocumentRecord[], forget: string[]): Promise<void> {
    const done = new Promise<void>((resolve, reject) =>
      pending.push({ lines, records, forget, resolve, reject }),
    );
    flushing ??= flush();
    return done;
  }

  return {
    putResult: results.putResult,
    readResult: results.readResult,
    putReviewResult: results.putReviewResult,
    readReviewResult: results.readReviewResult,
    async load() {
      return [...latest.values()];
    },
    put(records) {
      const list = Array.isArray(records) ? records : [records];
      return enqueue(list.map((r) => `${JSON.stringify(r)}\n`).join(''), list, []);
    },
    forget(keys) {
      return enqueue(keys.map((key) => `${JSON.stringify({ forget: key })}\n`).join(''), [], keys);
    },
    async close() {
      await flushing;
      await file.close();
      unlock();
    },
  };
}
