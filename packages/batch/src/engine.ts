import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  IdpAbortError,
  type IdpClient,
  IdpNotFoundError,
  IdpRateLimitError,
  IdpWaitTimeoutError,
  isFinal,
  isSettled,
} from '@idp-kit/client';
import { backoffDelay, sleep } from '@idp-kit/http';
import {
  type BudgetLimits,
  heldMessage,
  isPaidHere,
  maxPagesOf,
  PageBudget,
  pagesSubmitted,
} from './budget.js';
import { type BatchCallbacks, type CallbackOptions, scrubNonces, startCallbacks } from './callbacks.js';
import { checkContent } from './content-check.js';
import { collectInputs, type InputDocument, readDocument, readRegularFile } from './inputs.js';
import {
  type DocumentRecord,
  type DocumentState,
  type IntendRefusal,
  type IntendRules,
  type JournalStore,
  JournalWriteError,
  type Lease,
  LeaseLostError,
  openFileJournal,
  type SharedJournalStore,
} from './journal.js';
import { AdaptiveLimit } from './limiter.js';
import { localLeases } from './local-leases.js';
import { type BatchSummary, writeOutputs } from './outputs.js';
import { redactedClient } from './redacted-client.js';
import { DEFAULT_RESULT_BYTES_IN_FLIGHT, ResultBudget } from './result-budget.js';
import { keepReviewResult } from './review-keeper.js';
import { sharedSignal } from './shared-signal.js';
import { type DocumentEvent, transition, uploadFailure } from './state-machine.js';

/**
 * What the engine reports as it goes: one event per journaled transition, and the counts.
 *
 * @example
 * ```ts
 * runBatch({ ...options, onEvent: (e: BatchEvent) => e.type === 'state' && console.log(e.fileName, e.state) });
 * ```
 */
export type BatchEvent =
  | { type: 'start'; documents: number; resumed: number }
  | {
      type: 'state';
      fileName: string;
      path: string;
      state: DocumentRecord['state'];
      status?: string;
      executionId?: string;
      error?: string;
      /** Another batch of the store had this document: the batch whose execution is reused (or awaited). */
      duplicateOf?: string;
    }
  /** A file of an input folder the batch does not take, and why. */
  | { type: 'skipped'; path: string; reason: string }
  /**
   * A 429 on an upload: the limit now, the server's `Retry-After` if it sent a usable one, and the
   * pause the engine chose (capped; backoff with jitter when no usable `Retry-After` came).
   */
  | { type: 'throttled'; limit: number; retryAfterMs?: number; waitMs: number }
  /** A shared store, about once a second: the whole batch's documents per state (every worker's). */
  | { type: 'counts'; states: Partial<Record<DocumentRecord['state'], number>> }
  /** Callbacks are on: the listener's address, and the public base URL IDP is given (without nonce). */
  | { type: 'callbacks'; listening: string; url: string }
  /** The batch folder's lock was left by a run that ended on this host: this run took it over. */
  | { type: 'takeover'; message: string }
  | { type: 'end'; summary: BatchSummary };

/**
 * Options of `runBatch()`.
 *
 * @example
 * ```ts
 * await runBatch({ client, inputs: ['invoices/'], actionId, actionVersion: '1.1.0', outDir: 'out/' });
 * ```
 */
export interface BatchOptions extends BudgetLimits {
  client: IdpClient;
  /** Files, folders (recursive), globs, or manifests (`.csv` with a `path` column, `.jsonl`). */
  inputs: string[];
  /** Where relative inputs and a relative `outDir` are read from; default `process.cwd()`. */
  cwd?: string;
  actionId: string;
  actionVersion: string;
  /** The batch's folder: journal and outputs. Rerunning with the same folder resumes. */
  outDir: string;
  /** `settled` (default): stop at MANUAL_VALIDATION_REQUIRED; `final`: wait for the reviewer. */
  until?: 'settled' | 'final';
  /** Uploads at once (adapts down on 429); default 4. */
  uploadConcurrency?: number;
  /** Executions waited on at once; default 500 (each costs a few kB and a poll every 10–60 s). */
  waitConcurrency?: number;
  /**
   * Polls in flight at once, over all waits (default 8): what bounds the memory of a batch whose
   * results are large (a 150-page result with scores is ~2.6 MB of JSON, ~15 MB once parsed), however
   * many executions are waited on. Each poll still comes when its wait's interval says.
   */
  pollConcurrency?: number;
  /**
   * Bytes of results in flight (default 8 MiB): polls are admitted while the results they may bring
   * fit, sized by the largest answer seen lately (its `Content-Length`). Small answers still go
   * `pollConcurrency` at a time; 2.6 MB results three at a time, which keeps a batch's peak RSS under
   * 400 MiB. One poll always goes.
   */
  resultBytesInFlight?: number;
  /** First poll interval of each wait (the 10 s floor against MuleSoft hosts holds). */
  pollIntervalMs?: number;
  /** Longest poll interval. */
  maxPollIntervalMs?: number;
  /** Give up waiting after this long per document (the document stays submitted; a rerun waits again). */
  waitTimeoutMs?: number;
  /**
   * Waits after a 429 without a usable `Retry-After`, and after a 404 on a fresh execution: full-jitter
   * exponential backoff from `baseDelayMs` (default 1 s), and no wait longer than `maxDelayMs`
   * (default 60 s), a server's `Retry-After` included.
   */
  backoff?: { baseDelayMs?: number; maxDelayMs?: number };
  /**
   * 429s in a row for one document before it is given up as `error` for this run (a rerun tries it
   * again); default 10. Nothing is created by a 429, so nothing is paid.
   */
  maxRateLimitedSubmits?: number;
  /** Submit `uncertain` documents again: they may have been submitted already (credits). Default false. */
  resubmitUncertain?: boolean;
  /**
   * A shared store: upload a document even when another batch of the same store has accepted it, or
   * is uploading it (credits). Default false: its execution is reused, and reported as a duplicate.
   */
  resubmitDuplicates?: boolean;
  /**
   * Judge each document by its bytes before its upload (default true): one IDP would refuse (not a PDF,
   * PNG, JPEG or TIFF, or not what its name says; encrypted; over 150 pages) becomes `rejected`, unsent.
   */
  preflight?: boolean;
  /**
   * Budgets (`maxPages`; `maxCredits` with `creditsPerPage`): documents are submitted in input order
   * while the pages (credits) submitted in this batch, earlier runs included, stay within it; the rest
   * stay `queued` with `reason: 'budget'` (a rerun with a larger budget sends them). `creditsPerPage`
   * alone only prices the summary (`credits`).
   */
  maxPages?: number;
  /** `false` adds confidence scores and geometry to the results. Default true. */
  valueOnly?: boolean;
  /** Stops the batch: in-flight submits finish or are marked uncertain; a rerun resumes. */
  signal?: AbortSignal;
  onEvent?: (event: BatchEvent) => void;
  /**
   * Callbacks in place of polls: each upload carries a callback URL with its own secret nonce (its
   * hash journaled before the POST), a listener receives IDP's PATCH, and the execution is fetched
   * then, once; a sweep fetches what had no callback after `sweepMs` (default 2× the service's P99).
   * With a shared store any worker may receive any callback of the batch.
   */
  callbacks?: CallbackOptions;
  /**
   * A journal other than the file in `outDir`. A shared one (`openPostgresStore()`) lets any number of
   * workers, on any number of machines, run the same batch: each takes documents from the store.
   */
  journal?: JournalStore;
}

/** How a transition is written: through this loop's lease on the document. */
interface Hand {
  /** Writes `next`, decided from a record in state `from`. */
  put(next: DocumentRecord, from: DocumentState): Promise<void>;
  /**
   * Shared stores: the intent to upload, unless another batch has the document (then its record) or
   * the batch's shared budget is spent.
   */
  intend?(record: DocumentRecord, rules: IntendRules): Promise<IntendRefusal | undefined>;
  /** Let go of a document until the next run (a wait that failed, a review still pending). */
  park(): Promise<void>;
}

function isShared(journal: JournalStore): journal is SharedJournalStore {
  return (journal as Partial<SharedJournalStore>).shared === true;
}

const now = () => new Date().toISOString();

/** A `Retry-After` above this is not a rate limit but a broken or hostile server: treated as absent. */
const ABSURD_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;
/** How long IDP keeps an execution: 24 hours after success, 7 days once a review is asked for. */
const RETENTION_MS = { submitted: 24 * 60 * 60 * 1000, settled: 7 * 24 * 60 * 60 * 1000 };
/** Polls in one run of a fresh execution that answered 404 (it may not be visible yet). */
const NOT_FOUND_TRIES = 3;

/** The server's `Retry-After`, if it is one to honour. */
function usableRetryAfter(ms: number | undefined): number | undefined {
  return ms !== undefined && Number.isFinite(ms) && ms >= 0 && ms <= ABSURD_RETRY_AFTER_MS ? ms : undefined;
}

/**
 * Takes documents through IDP into results files, crash-safe: every transition is journaled (durably)
 * before it is acted on, so the same call after a crash or kill -9 resumes. No document is submitted
 * twice: one whose POST may have reached IDP with no execution id journaled is `uncertain`, reported,
 * and submitted again only with `resubmitUncertain`. Each result is stored once beside the journal
 * (`results/<executionId>.json.gz`, or the PostgreSQL store's results table); the journal keeps small
 * facts. Outputs (`results.jsonl`, `fields.csv`, `summary.json`) are rebuilt at the end, reading one
 * result at a time. Every transition is one of the state machine's (`transition()`, `TRANSITIONS`).
 *
 * @example
 * ```ts
 * const summary = await runBatch({ client: idp, inputs: ['invoices/'], actionId, actionVersion: '1.1.0', outDir: 'out' });
 * console.log(summary.succeeded, 'of', summary.documents);
 * ```
 */
export async function runBatch(options: BatchOptions): Promise<BatchSummary> {
  const { actionId, actionVersion } = options;
  // The one redaction point: records, outputs and events are built from what this client answers.
  const client = redactedClient(options.client);
  const emit = options.onEvent ?? (() => {});
  const cwd = options.cwd ?? process.cwd();
  const { documents: found, skipped } = await collectInputs(options.inputs, cwd, options.outDir);
  // The files live at `outDir` against `cwd`; messages still name it as given.
  const outDir = resolve(cwd, options.outDir);
  const backoff = {
    baseDelayMs: Math.max(0, options.backoff?.baseDelayMs ?? 1_000),
    maxDelayMs: Math.max(0, options.backoff?.maxDelayMs ?? 60_000),
  };
  const maxRateLimited = Math.max(1, options.maxRateLimitedSubmits ?? 10);
  const maxPages = maxPagesOf(options); // a credit budget without its rate throws here, before anything
  /** Set once a journal write failed: no document starts after it, and the run ends with it. */
  let journalFailure: JournalWriteError | undefined;
  const journal =
    options.journal ??
    (await openFileJournal(outDir, {
      shownAs: options.outDir,
      onTakeover: (message) => emit({ type: 'takeover', message }),
    }));
  const uploads = new AdaptiveLimit(Math.max(1, options.uploadConcurrency ?? 4));
  const waitConcurrency = Math.max(1, options.waitConcurrency ?? 500);
  const polls = new AdaptiveLimit(Math.max(1, options.pollConcurrency ?? 8));
  const resultBytes = new ResultBudget(
    Math.max(1, options.resultBytesInFlight ?? DEFAULT_RESULT_BYTES_IN_FLIGHT),
  );
  // A store keeps the journal elsewhere; the outputs still go to this worker's folder.
  if (options.journal) await mkdir(outDir, { recursive: true });
  const stop = sharedSignal(options.signal);
  const signal = stop.signal;
  let callbacks: BatchCallbacks | undefined;
  try {
    // One loop for every store: the file journal is given the shared store's claims and leases, in memory.
    const store = isShared(journal) ? journal : await localLeases(journal);
    const known = new Map((await store.load()).map((r) => [r.key, r]));
    callbacks = options.callbacks
      ? await startCallbacks(options.callbacks, { client, store, action: { actionId, actionVersion } })
      : undefined;
    if (callbacks) emit({ type: 'callbacks', listening: callbacks.listening, url: callbacks.url });
    const resumed = known.size;
    const { planned } = await plan(found, known, options, store);
    // Pages submitted in this batch, earlier runs included: what the budget is measured against. A
    // shared store's workers spend one budget, counted in the store as each intent is written.
    const budget = new PageBudget(isShared(journal) ? undefined : maxPages, pagesSubmitted(known.values()));
    emit({ type: 'start', documents: known.size, resumed });
    for (const s of skipped) emit({ type: 'skipped', path: s.path, reason: s.reason });
    // What planning decided for itself (a rejected file) is said too.
    for (const r of known.values()) {
      if (r.state === 'rejected' || r.state === 'uncertain') {
        if (!planned.has(r.key)) continue;
        emit({
          type: 'state',
          fileName: r.fileName,
          path: r.path,
          state: r.state,
          ...(r.error ? { error: r.error } : {}),
        });
      }
    }

    async function durably<T>(write: () => Promise<T>): Promise<T> {
      try {
        return await write();
      } catch (error) {
        // Not durable: whatever would follow this transition (a POST, above all) must not happen.
        if (error instanceof JournalWriteError) journalFailure ??= error;
        throw error;
      }
    }
    /** The state machine's next record for `event`, written durably, then told. */
    async function record(doc: DocumentRecord, event: DocumentEvent, hand: Hand): Promise<DocumentRecord> {
      const next = transition(doc, event);
      await durably(() => hand.put(next, doc.state));
      return recorded(next);
    }
    /** A durable transition, told. */
    function recorded(next: DocumentRecord): DocumentRecord {
      known.set(next.key, next);
      emit({
        type: 'state',
        fileName: next.fileName,
        path: next.path,
        state: next.state,
        ...(next.status ? { status: next.status } : {}),
        ...(next.executionId ? { executionId: next.executionId } : {}),
        ...(next.error ? { error: next.error } : {}),
        ...(next.duplicateOf ? { duplicateOf: next.duplicateOf.batch } : {}),
      });
      return next;
    }

    /**
     * The intent to upload, journaled; or, when another batch of the same store has the document,
     * what it comes to without an upload (`reused`: its execution, or uncertain and parked).
     */
    async function intend(
      doc: DocumentRecord,
      hand: Hand,
      nonceHash?: string,
    ): Promise<{ doc: DocumentRecord; reused: boolean }> {
      const next = transition(doc, { type: 'intend', ...(nonceHash ? { nonceHash } : {}) });
      const rules: IntendRules = {
        lookElsewhere: options.resubmitDuplicates !== true,
        ...(maxPages !== undefined ? { maxPages } : {}),
      };
      const check = rules.lookElsewhere || rules.maxPages !== undefined ? hand.intend : undefined;
      if (!check) {
        await durably(() => hand.put(next, doc.state));
        return { doc: recorded(next), reused: false };
      }
      const elsewhere = await durably(() => check(next, rules));
      if (!elsewhere) return { doc: recorded(next), reused: false };
      if ('budget' in elsewhere) {
        await holdBack(doc, hand, new PageBudget(elsewhere.budget.max, elsewhere.budget.spent));
        return { doc: known.get(doc.key) ?? doc, reused: true };
      }
      const reused = await record(
        doc,
        { type: 'duplicate', batch: elsewhere.batch, theirs: elsewhere.record },
        hand,
      );
      // Not claimed again this run (a rerun looks again): its upload is another batch's business.
      if (reused.state === 'uncertain') await hand.park();
      return { doc: reused, reused: true };
    }

    async function submit(doc: DocumentRecord, hand: Hand, held?: () => void): Promise<DocumentRecord> {
      let limited = 0; // 429s in a row for this document
      for (;;) {
        const release = held ?? (await uploads.acquire(signal));
        held = undefined;
        try {
          if (journalFailure) throw journalFailure;
          const read = await readRegularFile(doc.path);
          const bytes = 'bytes' in read ? read.bytes : undefined;
          if (!bytes || createHash('sha256').update(bytes).digest('hex') !== doc.hash) {
            return await record(
              doc,
              { type: 'invalid', error: 'the file changed or vanished since the batch began' },
              hand,
            );
          }
          // The intent first: a crash after this line and before the id is journaled is "uncertain".
          // Callbacks: this upload's own nonce, its hash journaled with the intent (before the POST).
          const nonce = callbacks?.nonce();
          const intent = await intend(doc, hand, nonce?.hash);
          if (intent.reused) return intent.doc;
          doc = intent.doc;
          try {
            const created = await client.submitExecution({
              actionId,
              actionVersion,
              file: bytes,
              fileName: doc.fileName,
              ...(nonce ? { callbackUrl: nonce.url } : {}),
              ...(options.preflight === false ? { preflight: false } : {}),
              // The batch owns the 429 policy for uploads (slow down, honour Retry-After).
              retry: { maxRetries: 0 },
              // No signal: a stop lets an upload in flight finish, so that its id is journaled and
              // nothing is left uncertain. (A second Ctrl-C in the CLI leaves at once.)
            });
            uploads.succeeded();
            return await record(doc, { type: 'accepted', executionId: created.executionId }, hand);
          } catch (error) {
            // A server that echoes the callback URL must not get its nonce into the journal.
            if (nonce && error instanceof Error) error.message = scrubNonces(error.message);
            if (error instanceof IdpRateLimitError) limited++;
            const failure = uploadFailure(error, { inARow: limited, max: maxRateLimited });
            if (error instanceof IdpRateLimitError) {
              // Retry-After is honoured when sent and sane (capped as every wait); without it (the
              // service documents none), backoff with jitter, so that a fleet does not hammer in step.
              const asked = usableRetryAfter(error.retryAfterMs);
              const waitMs = Math.min(asked ?? backoffDelay(limited - 1, backoff), backoff.maxDelayMs);
              uploads.rateLimited(waitMs);
              emit({
                type: 'throttled',
                limit: uploads.limit,
                ...(asked !== undefined ? { retryAfterMs: asked } : {}),
                waitMs,
              });
            }
            doc = await record(doc, failure, hand);
            // Queued again after a 429 (nothing was created): try again once the limit lets us.
            if (doc.state !== 'queued') return doc;
          }
        } finally {
          release();
        }
      }
    }

    async function wait(doc: DocumentRecord, hand: Hand, fresh = false): Promise<DocumentRecord> {
      for (let attempt = 0; ; attempt++) {
        const outcome = await waitOnce(doc, hand, attempt, fresh && attempt === 0);
        if (outcome !== 'again') return outcome;
        await sleep(backoffDelay(attempt, backoff), signal);
      }
    }

    /** One wait; `again` when a fresh execution answered 404 and may yet appear. */
    async function waitOnce(
      doc: DocumentRecord,
      hand: Hand,
      attempt: number,
      fresh: boolean,
    ): Promise<DocumentRecord | 'again'> {
      // A final poll's slot is kept until its result is stored: polls go on only as fast as results
      // are written, so that large results never pile up in memory.
      let keep: (() => void) | undefined;
      // Two bounds: polls at once, and the bytes of the results they bring (result-budget.ts).
      const gate = async (pollSignal: AbortSignal) => {
        const sized = await resultBytes.acquire(pollSignal);
        let slot: () => void;
        try {
          slot = await polls.acquire(pollSignal);
        } catch (error) {
          sized();
          throw error;
        }
        const release = () => {
          slot();
          sized();
        };
        return (polled?: { status: string }, answer?: { bytes: number | undefined }) => {
          resultBytes.learn(answer?.bytes);
          if (polled && (options.until === 'final' ? isFinal : isSettled)(polled.status)) keep = release;
          else release();
        };
      };
      try {
        const ref = { actionId, actionVersion, executionId: doc.executionId as string };
        // --until final: the result seen at MANUAL_VALIDATION_REQUIRED is kept too (idp eval harvest).
        const review = options.until === 'final' ? keepReviewResult(journal, ref.executionId) : undefined;
        const execution = await (callbacks
          ? callbacks.wait(ref, {
              until: options.until ?? 'settled',
              valueOnly: options.valueOnly ?? true,
              signal,
              timeoutMs: options.waitTimeoutMs,
              maxPollIntervalMs: options.maxPollIntervalMs,
              gate,
              onProgress: review?.onProgress,
              fresh,
            })
          : client.waitForExecution(ref, {
              until: options.until ?? 'settled',
              valueOnly: options.valueOnly ?? true,
              ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
              ...(options.maxPollIntervalMs !== undefined
                ? { maxPollIntervalMs: options.maxPollIntervalMs }
                : {}),
              ...(options.waitTimeoutMs !== undefined ? { timeoutMs: options.waitTimeoutMs } : {}),
              ...(signal ? { signal } : {}),
              gate,
              ...(review ? { onProgress: review.onProgress } : {}),
            }));
        if (execution.status === 'MANUAL_VALIDATION_REQUIRED') {
          const settled = await record(doc, { type: 'settled', status: execution.status }, hand);
          // Looked at once this run; a rerun looks again (the reviewer may be done by then).
          await hand.park();
          return settled;
        }
        // The result first, beside the journal (idempotent: a run that dies before the transition
        // below is journaled waits again and writes the same file); the journal keeps the pointer.
        await review?.stored();
        const result = await store.putResult(ref.executionId, execution);
        const said = execution.statusMessage;
        return await record(
          doc,
          {
            type: 'retrieved',
            status: execution.status,
            result,
            // The model's reason (MAX_TOKENS, length, …), kept small: summary.json counts them.
            ...(typeof said === 'string' && said.trim() !== ''
              ? { statusMessage: said.trim().slice(0, 200) }
              : {}),
          },
          hand,
        );
      } catch (error) {
        if (error instanceof IdpNotFoundError) {
          // A 404 means "expired" only once the retention has passed; before that it is a service that
          // does not show a new execution yet, or a passing fault: ask again, never give it up early.
          const since = Date.parse(doc.submittedAt ?? doc.updatedAt);
          const keep = doc.state === 'settled' ? RETENTION_MS.settled : RETENTION_MS.submitted;
          const until = Number.isFinite(since) ? since + keep : 0;
          if (Date.now() >= until) {
            return await record(
              doc,
              {
                type: 'expired',
                error: `the results are no longer available (IDP keeps a successful result 24 hours): ${error.message}`,
              },
              hand,
            );
          }
          if (attempt + 1 < NOT_FOUND_TRIES) return 'again';
          const kept = await record(
            doc,
            {
              type: 'wait-failed',
              // The anchor is kept: an older record's updatedAt moves with this very write.
              submittedAt: new Date(since).toISOString(),
              error:
                `IDP answered 404 for execution ${doc.executionId} ${NOT_FOUND_TRIES} times, within its retention: it is kept as submitted, ` +
                `and a rerun asks again until ${new Date(until).toISOString()} (${Math.ceil((until - Date.now()) / 3_600_000)} h from now); only after that is it counted expired. ${error.message}`,
            },
            hand,
          );
          await hand.park();
          return kept;
        }
        if (error instanceof IdpAbortError || error instanceof IdpWaitTimeoutError) throw error;
        // Anything else (network, auth, 5xx after retries): still submitted; a rerun waits again.
        const kept = await record(
          doc,
          { type: 'wait-failed', error: error instanceof Error ? error.message : String(error) },
          hand,
        );
        await hand.park();
        return kept;
      } finally {
        keep?.();
      }
    }

    /** A claimed document, taken as far as this run can: upload, then wait. */
    async function advance(doc: DocumentRecord, hand: Hand, held?: () => void): Promise<void> {
      let fresh = false;
      if (doc.state === 'queued') {
        // Decided before the first await: documents are admitted in the order they are claimed.
        if (!budget.admit(doc.pages)) {
          held?.();
          return holdBack(doc, hand);
        }
        const pages = doc.pages;
        doc = await submit(doc, hand, held);
        // Uploaded just now: with callbacks, its first fetch waits for the callback (or the sweep).
        fresh = doc.state === 'submitted' && !doc.duplicateOf;
        if (!isPaidHere(doc)) budget.refund(pages); // nothing reached IDP, or another batch paid
        // An upload of unknown fate is not sent again this run, even with the user's word for the
        // ones a run starts with: parked, it waits for the next run.
        if (doc.state === 'uncertain') await hand.park();
      } else held?.();
      if (doc.state === 'submitted' || doc.state === 'settled') await wait(doc, hand, fresh);
    }

    /** Over the budget: stays queued with the reason, not claimed again this run (a rerun looks again). */
    async function holdBack(doc: DocumentRecord, hand: Hand, spent = budget): Promise<void> {
      const error = heldMessage(doc.pages, spent);
      if (doc.reason !== 'budget' || doc.error !== error) await record(doc, { type: 'held', error }, hand);
      await hand.park();
    }

    const failures: unknown[] = [];
    await work(store);

    /**
     * The one loop, for every store: each of this worker's loops claims a document (waits first; an
     * upload only once it has an upload slot, so that no worker hoards documents it cannot start), and
     * when nothing is free, waits while other workers still hold unfinished documents (a dead worker's
     * leases lapse and its documents become free). The loops are what bound the documents in flight
     * (and the memory they hold), not the size of the batch.
     */
    async function work(store: SharedJournalStore): Promise<void> {
      const resubmit = options.resubmitUncertain === true;
      const intendSubmit = store.intendSubmit?.bind(store);
      // Documents waiting for a review are looked at again by every run (`settled`), and parked once
      // looked at; `submitting` without a holder is an upload a crash cut (uncertain, or the user's word).
      const waitStates: DocumentState[] = [
        'submitted',
        'settled',
        ...(resubmit ? [] : (['submitting'] as const)),
      ];
      const uploadStates: DocumentState[] = [
        'queued',
        ...(resubmit ? (['uncertain', 'submitting'] as const) : []),
      ];
      // Once per tick, for the whole worker: how many documents a dead worker left mid-wait (loops
      // look for those only then, not before every upload), and, for the loops with nothing to do,
      // whether to look again (as many wake as there are free documents) or to finish.
      const tickMs = Math.min(1_000, store.leaseMs / 4);
      const idleMs = store.idleCheckMs ?? tickMs;
      const sleepers: ((wake: 'retry' | 'done') => void)[] = [];
      let takeovers = Number.POSITIVE_INFINITY; // a worker that starts looks first
      let finished = false;
      let due = Date.now() + tickMs;
      let ticking = false;
      async function tick(): Promise<void> {
        timer = undefined;
        ticking = true;
        try {
          const census = await store.census();
          const sum = (states: DocumentState[], key: 'free' | 'elsewhere') =>
            states.reduce((n, state) => n + (census[state]?.[key] ?? 0), 0);
          emit({
            type: 'counts',
            states: Object.fromEntries(Object.entries(census).map(([state, c]) => [state, c.total])),
          });
          takeovers = sum(waitStates, 'free');
          const all = [...waitStates, ...uploadStates];
          const left = { free: sum(all, 'free'), elsewhere: sum(all, 'elsewhere') };
          if (left.free === 0 && left.elsewhere === 0) {
            for (const wake of sleepers.splice(0)) wake('done');
          } else {
            for (const wake of sleepers.splice(0, left.free)) wake('retry');
          }
        } catch {
          for (const wake of sleepers.splice(0)) wake('retry'); // the loops meet the error themselves
        }
        ticking = false;
        schedule(tickMs);
      }
      let timer: NodeJS.Timeout | undefined;
      /** The next census in `ms`, unless one is due sooner (or under way). */
      function schedule(ms: number): void {
        if (finished || ticking || (timer && due <= Date.now() + ms)) return;
        clearTimeout(timer);
        due = Date.now() + ms;
        timer = setTimeout(tick, ms);
      }
      schedule(tickMs);
      const loops = uploads.max + waitConcurrency;
      // Set when a loop is done with a document; read when every loop has run out of work.
      let progressed = false;
      const idle = () =>
        new Promise<'retry' | 'done'>((resolve) => {
          sleepers.push(resolve);
          // Every loop of this worker is out of work right after one finished a document: maybe the
          // batch is done, so look now rather than a tick later (a run on PostgreSQL ended up to a
          // second after its last document). Once per document finished: never a spin.
          if (progressed && sleepers.length === loops) {
            progressed = false;
            schedule(0);
          } else {
            schedule(idleMs);
          }
        });
      async function next(): Promise<
        { record: DocumentRecord; lease: Lease; held?: () => void } | undefined
      > {
        for (;;) {
          if (signal?.aborted || journalFailure) return undefined;
          if (takeovers > 0) {
            const waiting = await store.claim(waitStates);
            if (waiting) {
              takeovers--;
              return waiting;
            }
            takeovers = 0;
          }
          const release = await uploads.acquire(signal);
          let upload: Awaited<ReturnType<typeof store.claim>>;
          try {
            upload = await store.claim(uploadStates);
          } catch (error) {
            release();
            throw error;
          }
          if (upload) return { ...upload, held: release };
          release();
          if ((await idle()) === 'done') return undefined;
        }
      }
      try {
        await Promise.all(
          Array.from({ length: loops }, async () => {
            for (;;) {
              let claimed: Awaited<ReturnType<typeof next>>;
              try {
                claimed = await next();
              } catch (error) {
                if (!signal?.aborted) failures.push(error);
                return;
              }
              if (!claimed) return;
              const { lease, held } = claimed;
              const hand: Hand = {
                put: (r, from) => store.putLeased(r, lease, from),
                park: () => store.park(lease),
                ...(intendSubmit ? { intend: (r, rules) => intendSubmit(r, lease, rules) } : {}),
              };
              let doc = claimed.record;
              try {
                if (doc.state === 'submitting' && !resubmit) {
                  held?.();
                  // Its run or worker died during the upload: IDP may have it.
                  await record(doc, { type: 'orphaned' }, hand);
                  continue;
                }
                // The user's word: an upload of unknown fate is queued again (journaled, then sent).
                if (doc.state === 'uncertain' || doc.state === 'submitting') {
                  doc = await record(doc, { type: 'resubmit' }, hand);
                }
                await advance(doc, hand, held);
              } catch (error) {
                if (error instanceof LeaseLostError) continue; // another worker has it now
                if (error instanceof IdpWaitTimeoutError) {
                  await hand.park().catch(() => {});
                  continue;
                }
                if (!signal?.aborted) failures.push(error);
              } finally {
                // Done with it, whatever came of it: its lease is renewed no more.
                store.release?.(lease);
                progressed = true;
              }
            }
          }),
        );
      } finally {
        finished = true;
        clearTimeout(timer);
      }
    }

    const failure = journalFailure
      ? { reason: journalFailure }
      : failures.length > 0
        ? { reason: failures[0] }
        : undefined;
    let summary: BatchSummary;
    try {
      summary = await writeOutputs(outDir, await store.load(), undefined, store, {
        ...(options.creditsPerPage !== undefined ? { creditsPerPage: options.creditsPerPage } : {}),
      });
    } catch (error) {
      // Stopped (Ctrl-C) while the store was away: the stop is the news, and a rerun resumes.
      if (signal?.aborted) throw new IdpAbortError('runBatch', signal.reason);
      // A full disk stops the journal first: that error says more than the outputs' own.
      if (failure) throw failure.reason;
      const code = (error as NodeJS.ErrnoException).code;
      throw Object.assign(
        new Error(
          `cannot write the outputs in ${options.outDir}: ${(error as Error).message}. ` +
            'The batch store holds every result: free some space, then run the same command again (or idp batch export).',
          { cause: error },
        ),
        code ? { code } : {},
      );
    }
    emit({ type: 'end', summary });
    if (signal?.aborted) throw new IdpAbortError('runBatch', signal.reason);
    if (failure) throw failure.reason;
    return summary;
  } finally {
    await callbacks?.close();
    uploads.dispose();
    polls.dispose();
    stop.dispose();
    if (!options.journal) await journal.close();
  }
}

/**
 * Reads and hashes every input and merges it with what the store knows: new documents are added
 * (`queued`, or `rejected`; a document another worker added first is left as it is), and what a rerun
 * retries is made available again (`reopen`). What a crash or a dead worker left half-done is taken
 * over document by document, as the loops claim it.
 */
async function plan(
  found: InputDocument[],
  known: Map<string, DocumentRecord>,
  options: BatchOptions,
  store: SharedJournalStore,
): Promise<{ planned: Set<string> }> {
  const { fresh, forget } = await planInputsRechecked(found, known, options);
  if (forget.length > 0) await store.forget(forget);
  // A path seen twice in one plan is one record (with its duplicates).
  const added = [...new Map(fresh.map((r) => [r.key, known.get(r.key) as DocumentRecord])).values()];
  if (added.length > 0) await store.add(added);
  await store.reopen();
  return { planned: new Set(added.map((r) => r.key)) };
}

/**
 * `planInputs()`, with every rejected document among the inputs read again: a file that was empty, or
 * changed during the last run, may be fine now. A rejected record that reads the same is kept as it
 * is; one that reads otherwise is forgotten (`forget`: its keys) and replaced by what the file is now.
 * Nothing rejected was ever sent, so nothing can be paid twice.
 */
async function planInputsRechecked(
  found: InputDocument[],
  known: Map<string, DocumentRecord>,
  options: BatchOptions,
): Promise<{ fresh: DocumentRecord[]; forget: string[] }> {
  const paths = new Set(found.map((f) => f.path));
  const rechecked = [...known.values()].filter(
    (r) =>
      r.state === 'rejected' && !r.executionId && [r.path, ...(r.duplicates ?? [])].some((p) => paths.has(p)),
  );
  for (const r of rechecked) known.delete(r.key);
  const planned = await planInputs(found, known, options);
  const fresh = new Map(planned.map((r) => [r.key, r]));
  const forget: string[] = [];
  for (const old of rechecked) {
    const now = known.get(old.key);
    if (now && now.state === 'rejected' && now.error === old.error && now.path === old.path) {
      known.set(old.key, old); // the same verdict: nothing to write
      fresh.delete(old.key);
    } else {
      forget.push(old.key);
    }
  }
  return { fresh: [...fresh.values()], forget };
}

/** Reads and hashes the inputs the journal does not know yet; returns the new and changed records. */
async function planInputs(
  found: InputDocument[],
  known: Map<string, DocumentRecord>,
  options: BatchOptions,
): Promise<DocumentRecord[]> {
  const fresh: DocumentRecord[] = [];
  const seenPaths = new Set([...known.values()].flatMap((r) => [r.path, ...(r.duplicates ?? [])]));
  const rejectedKey = (path: string) => `rejected:${path}`;
  for (const input of found) {
    if (seenPaths.has(input.path)) continue;
    seenPaths.add(input.path);
    const read = await readDocument(input);
    // Judged by its bytes now, as the submit would: what IDP would refuse is rejected here, and the
    // pages are counted once (budgets, summary.json).
    const checked = read.bytes
      ? await checkContent(read.bytes, read.fileName, options.preflight !== false)
      : undefined;
    if (checked?.refusal) read.rejected = checked.refusal;
    const key = read.rejected
      ? rejectedKey(input.path)
      : `${read.hash}:${options.actionId}:${options.actionVersion}`;
    const existing = known.get(key);
    if (existing) {
      // The same content under another path: one document, never submitted twice.
      const duplicate = {
        ...existing,
        duplicates: [...(existing.duplicates ?? []), input.path],
        updatedAt: now(),
      };
      known.set(key, duplicate);
      fresh.push(duplicate);
      continue;
    }
    const record: DocumentRecord = {
      key,
      hash: read.hash,
      path: input.path,
      fileName: read.fileName,
      ...(input.metadata ? { metadata: input.metadata } : {}),
      state: read.rejected ? 'rejected' : 'queued',
      ...(read.rejected ? { error: read.rejected } : {}),
      ...(checked?.pages !== undefined ? { pages: checked.pages } : {}),
      updatedAt: now(),
    };
    known.set(key, record);
    fresh.push(record);
  }
  return fresh;
}
