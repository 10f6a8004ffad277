import {
  IdpApiError,
  IdpAuthError,
  IdpConnectionError,
  IdpRateLimitError,
  IdpValidationError,
} from '@idp-kit/client';
import type { DocumentRecord, DocumentState } from './journal.js';

/**
 * What can happen to a document: each is an event that `transition()` turns into the next record, or
 * refuses. The engine decides *which* event happened (an answer, a crash found, the user's word); the
 * table below alone decides where that leads.
 *
 * @example
 * ```ts
 * const next = transition(record, { type: 'accepted', executionId: created.executionId });
 * ```
 */
export type DocumentEvent =
  /** The intent to upload, journaled before the POST: the only way into `submitting`. */
  | { type: 'intend'; nonceHash?: string }
  /** Over the batch's budget (`maxPages`, `maxCredits`): stays queued, with why, until a rerun with more. */
  | { type: 'held'; error: string }
  /** IDP answered the upload with an execution id (or a stalled upload's late answer, once recorded). */
  | { type: 'accepted'; executionId: string }
  /** A 429: nothing was created. `inARow` 429s so far for this document, of at most `max`. */
  | { type: 'rate-limited'; error: string; inARow: number; max: number }
  /** Surely not created: a 4xx, no token, a refused connection. A rerun tries again. */
  | { type: 'refused'; error: string }
  /** Refused before sending (validation), or a file that changed or vanished: never sent. */
  | { type: 'invalid'; error: string }
  /** The POST may have reached IDP with no id read (a 5xx, an unreadable 2xx, a cut connection). */
  | { type: 'unanswered'; error: string }
  /** A run found `submitting` with nobody uploading it (a crash, a dead worker): its fate is unknown. */
  | { type: 'orphaned' }
  /** The user's word (`resubmitUncertain`): an upload of unknown fate may be sent again. */
  | { type: 'resubmit' }
  /** A rerun: what nothing was created for is tried again. */
  | { type: 'reopen' }
  /** Another batch of the same store has this document: its record (`theirs`) and name. */
  | { type: 'duplicate'; batch: string; theirs: DocumentRecord }
  /** The execution waits for a reviewer (MANUAL_VALIDATION_REQUIRED). */
  | { type: 'settled'; status: string }
  /** The result is stored beside the journal (`result` says where and how big). */
  | {
      type: 'retrieved';
      status: string;
      result: NonNullable<DocumentRecord['result']>;
      /** The model's reason (`MAX_TOKENS`, `length`, …), kept small: summary.json counts them. */
      statusMessage?: string;
    }
  /** IDP no longer has the execution, past its retention. */
  | { type: 'expired'; error: string }
  /** A wait failed (IDP away, a 404 within retention): kept as it is, with why, for a rerun. */
  | { type: 'wait-failed'; error: string; submittedAt?: string };

/**
 * The name of an event: one column of the transition table.
 *
 * @example
 * ```ts
 * const name: DocumentEventType = 'intend';
 * ```
 */
export type DocumentEventType = DocumentEvent['type'];

/**
 * A condition a row of the table needs besides its state and event, by name (so that the table stays
 * data that a test, a diagram or a SQL statement can read).
 */
type Guard =
  | 'no-execution'
  | 'no-execution-duplicate'
  | 'under-limit'
  | 'at-limit'
  | 'theirs-retrieved'
  | 'theirs-accepted'
  | 'theirs-unknown';

/**
 * One allowed transition: from a state, on an event, to a state; `when` names a further condition.
 *
 * @example
 * ```ts
 * const row: TransitionRow = { from: 'queued', on: 'intend', to: 'submitting' };
 * ```
 */
export interface TransitionRow {
  from: DocumentState;
  on: DocumentEventType;
  to: DocumentState;
  when?: Guard;
}

/**
 * Every allowed transition, written once. Whatever is not here is refused. The engine and both stores
 * go through it: the file journal appends what `transition()` returns, and PostgreSQL writes it only
 * where the row is still in a state the table allows the event from (`fromStates()`).
 *
 * The money rules: a POST follows only a durable `submitting`, and `submitting` is reached only from
 * `queued` (`intend`). What leaves `submitting` without an id and without a sure refusal is `uncertain`,
 * and `uncertain` goes back to `queued` only on the user's word (`resubmit`), or on a rerun when this
 * batch sent nothing (another batch's upload it did not repeat).
 *
 * @example
 * ```ts
 * const fromQueued = TRANSITIONS.filter((row) => row.from === 'queued').map((row) => row.on);
 * ```
 */
export const TRANSITIONS: readonly TransitionRow[] = [
  { from: 'queued', on: 'intend', to: 'submitting' },
  { from: 'queued', on: 'held', to: 'queued' },
  { from: 'queued', on: 'invalid', to: 'rejected' },
  { from: 'queued', on: 'duplicate', to: 'retrieved', when: 'theirs-retrieved' },
  { from: 'queued', on: 'duplicate', to: 'submitted', when: 'theirs-accepted' },
  { from: 'queued', on: 'duplicate', to: 'uncertain', when: 'theirs-unknown' },
  { from: 'submitting', on: 'accepted', to: 'submitted' },
  { from: 'submitting', on: 'rate-limited', to: 'queued', when: 'under-limit' },
  { from: 'submitting', on: 'rate-limited', to: 'error', when: 'at-limit' },
  { from: 'submitting', on: 'refused', to: 'error' },
  { from: 'submitting', on: 'invalid', to: 'rejected' },
  { from: 'submitting', on: 'unanswered', to: 'uncertain' },
  { from: 'submitting', on: 'orphaned', to: 'uncertain' },
  { from: 'submitting', on: 'resubmit', to: 'queued' },
  { from: 'uncertain', on: 'accepted', to: 'submitted' },
  { from: 'uncertain', on: 'resubmit', to: 'queued' },
  { from: 'uncertain', on: 'reopen', to: 'queued', when: 'no-execution-duplicate' },
  { from: 'error', on: 'reopen', to: 'queued', when: 'no-execution' },
  { from: 'submitted', on: 'settled', to: 'settled' },
  { from: 'submitted', on: 'retrieved', to: 'retrieved' },
  { from: 'submitted', on: 'expired', to: 'expired' },
  { from: 'submitted', on: 'wait-failed', to: 'submitted' },
  { from: 'settled', on: 'settled', to: 'settled' },
  { from: 'settled', on: 'retrieved', to: 'retrieved' },
  { from: 'settled', on: 'expired', to: 'expired' },
  { from: 'settled', on: 'wait-failed', to: 'settled' },
];

/**
 * Every state, in the order a document usually meets them.
 *
 * @example
 * ```ts
 * for (const state of DOCUMENT_STATES) console.log(state);
 * ```
 */
export const DOCUMENT_STATES: readonly DocumentState[] = [
  'queued',
  'submitting',
  'submitted',
  'settled',
  'retrieved',
  'rejected',
  'error',
  'uncertain',
  'expired',
];

/**
 * Every event name.
 *
 * @example
 * ```ts
 * console.log(DOCUMENT_EVENTS.length, 'events');
 * ```
 */
export const DOCUMENT_EVENTS: readonly DocumentEventType[] = [
  'intend',
  'held',
  'accepted',
  'rate-limited',
  'refused',
  'invalid',
  'unanswered',
  'orphaned',
  'resubmit',
  'reopen',
  'duplicate',
  'settled',
  'retrieved',
  'expired',
  'wait-failed',
];

/**
 * The states a worker holds a lease in while it works on the document (the others need nothing more
 * this run): a write that leaves them lets go of the lease.
 *
 * @example
 * ```ts
 * const keepsLease = WORKING_STATES.includes(record.state);
 * ```
 */
export const WORKING_STATES: readonly DocumentState[] = ['queued', 'submitting', 'submitted', 'settled'];

/**
 * `transition()` refused: the event is not allowed from the record's state (or its condition does not
 * hold). The record is unchanged; nothing was written.
 *
 * @example
 * ```ts
 * try { transition(record, { type: 'intend' }); } catch (e) { if (e instanceof TransitionRefusedError) console.error(e.message); }
 * ```
 */
export class TransitionRefusedError extends Error {
  override name = 'TransitionRefusedError';
  constructor(
    readonly from: DocumentState,
    readonly event: DocumentEventType,
  ) {
    super(`a document in state ${from} cannot take the event ${event}`);
  }
}

/**
 * The words an `orphaned` document carries: found `submitting` with nobody uploading it.
 *
 * @example
 * ```ts
 * if (record.error === UNCERTAIN_AFTER_CRASH) console.log(record.fileName, 'may have been paid for');
 * ```
 */
export const UNCERTAIN_AFTER_CRASH =
  'the run stopped during the upload: IDP may or may not have created an execution';

// A guard is asked only on a row whose event is the one given (`rowFor`), so each reads its event as
// that kind without asking again.
type Of<T extends DocumentEventType> = Extract<DocumentEvent, { type: T }>;
const GUARDS: Record<Guard, (record: DocumentRecord, event: DocumentEvent) => boolean> = {
  'no-execution': (record) => !record.executionId,
  'no-execution-duplicate': (record) => !record.executionId && record.duplicateOf !== undefined,
  'under-limit': (_, event) => (event as Of<'rate-limited'>).inARow < (event as Of<'rate-limited'>).max,
  'at-limit': (_, event) => (event as Of<'rate-limited'>).inARow >= (event as Of<'rate-limited'>).max,
  'theirs-retrieved': (_, event) => theirs(event as Of<'duplicate'>) === 'retrieved',
  'theirs-accepted': (_, event) => theirs(event as Of<'duplicate'>) === 'accepted',
  'theirs-unknown': (_, event) => theirs(event as Of<'duplicate'>) === 'unknown',
};

/** How far the other batch got with the document: what this batch can reuse of it. */
function theirs(event: Of<'duplicate'>): 'retrieved' | 'accepted' | 'unknown' {
  if (event.theirs.executionId === undefined) return 'unknown';
  return event.theirs.state === 'retrieved' ? 'retrieved' : 'accepted';
}

/** The table's row for this record and event, if any. */
function rowFor(record: DocumentRecord, event: DocumentEvent): TransitionRow | undefined {
  return TRANSITIONS.find(
    (row) =>
      row.from === record.state && row.on === event.type && (!row.when || GUARDS[row.when](record, event)),
  );
}

/**
 * Whether `event` is allowed for `record` now (`transition()` would not refuse it).
 *
 * @example
 * ```ts
 * if (allows(record, { type: 'reopen' })) queue.push(record);
 * ```
 */
export function allows(record: DocumentRecord, event: DocumentEvent): boolean {
  return rowFor(record, event) !== undefined;
}

/**
 * The states an event may be taken from: what a conditional write checks (`WHERE state = ANY(…)`), so
 * that a store persists a transition only where the table allows it.
 *
 * @example
 * ```ts
 * fromStates('accepted'); // ['submitting', 'uncertain']
 * ```
 */
export function fromStates(event: DocumentEventType): DocumentState[] {
  return [...new Set(TRANSITIONS.filter((row) => row.on === event).map((row) => row.from))];
}

/** A change to a record; `undefined` removes the field (an old error, say). */
type Change = { [K in keyof DocumentRecord]?: DocumentRecord[K] | undefined };

/** The facts an event brings, besides the state. */
function changeOf(record: DocumentRecord, event: DocumentEvent, at: string): Change {
  switch (event.type) {
    case 'intend':
      return {
        submits: (record.submits ?? 0) + 1,
        // Each upload its own callback nonce (none without callbacks): an older one is forgotten.
        nonceHash: event.nonceHash,
        error: undefined,
        reason: undefined,
        duplicateOf: undefined,
      };
    case 'held':
      return { reason: 'budget', error: event.error };
    case 'accepted':
      return { executionId: event.executionId, submittedAt: at, error: undefined };
    case 'rate-limited':
      return {
        error:
          event.inARow >= event.max
            ? `IDP answered 429 Too Many Requests to ${event.inARow} uploads of this document in a row; nothing was created. ` +
              'Rerun the same command later to try it again, or lower --concurrency (other clients may share the rate limit).'
            : event.error,
      };
    case 'refused':
    case 'invalid':
    case 'unanswered':
    case 'expired':
      return { error: event.error };
    case 'orphaned':
      return { error: UNCERTAIN_AFTER_CRASH };
    case 'resubmit':
    case 'reopen':
      return {};
    case 'duplicate':
      return duplicateChange(event);
    case 'settled':
      return { status: event.status, error: undefined };
    case 'retrieved':
      return {
        status: event.status,
        result: event.result,
        execution: undefined,
        error: undefined,
        ...(event.statusMessage ? { statusMessage: event.statusMessage } : {}),
      };
    case 'wait-failed':
      return { error: event.error, ...(event.submittedAt ? { submittedAt: event.submittedAt } : {}) };
  }
}

/**
 * What a document becomes when another batch of the same store already has it, instead of being
 * uploaded again: accepted there, the same execution (with its result if that batch retrieved it);
 * its upload under way there or of unknown fate, nothing sent here (`uncertain`, a rerun looks again).
 * The batch named is the one that paid: a record that is itself a duplicate points on to its origin.
 */
function duplicateChange(event: Extract<DocumentEvent, { type: 'duplicate' }>): Change {
  const other = event.theirs;
  const batch = other.duplicateOf?.batch ?? event.batch;
  const id = other.executionId;
  if (!id) {
    return {
      duplicateOf: { batch },
      error:
        `not sent: batch ${batch} of the same store is uploading this document, or may have (its upload's fate is unknown), ` +
        'and sending it again could pay twice. A rerun looks again; --resubmit-duplicates sends it anyway.',
    };
  }
  return {
    executionId: id,
    duplicateOf: { batch, executionId: id },
    error: undefined,
    ...(other.submittedAt ? { submittedAt: other.submittedAt } : {}),
    // Retrieved there: its status and where its result is (stored once, read by execution id from any
    // batch of the store), or an older row's inline result. Without `result` the reused document read
    // as one with no values.
    ...(other.state === 'retrieved'
      ? {
          status: other.status,
          ...(other.execution !== undefined ? { execution: other.execution } : {}),
          ...(other.result ? { result: other.result } : {}),
        }
      : {}),
  };
}

/**
 * The record after `event`, as the table allows it; throws `TransitionRefusedError` (and changes
 * nothing) when the table has no row for the record's state and the event. Pure: the record given is
 * not touched, and `at` is the time written as `updatedAt` (and `submittedAt` on `accepted`).
 *
 * @example
 * ```ts
 * const intent = transition(record, { type: 'intend' }); // queued → submitting, submits + 1
 * await journal.put(intent); // durable before the POST
 * ```
 */
export function transition(
  record: DocumentRecord,
  event: DocumentEvent,
  at: string = new Date().toISOString(),
): DocumentRecord {
  const row = rowFor(record, event);
  if (!row) throw new TransitionRefusedError(record.state, event.type);
  const change: Change = { ...changeOf(record, event, at), state: row.to };
  const next = { ...record, ...change, updatedAt: at } as DocumentRecord;
  for (const key of Object.keys(change) as (keyof DocumentRecord)[]) {
    if (change[key] === undefined) delete next[key];
  }
  return next;
}

/**
 * The event an upload's failure is: whether IDP may have created an execution decides between a sure
 * refusal (`refused`, `invalid`: a rerun tries again) and `unanswered` (`uncertain`: sent again only on
 * the user's word). A 429 is `rate-limited` (nothing created). A 2xx the client could not read (no
 * id, a 202, a proxy's HTML page) reached something that answered "fine": `unanswered`.
 *
 * @example
 * ```ts
 * catch (error) { doc = transition(doc, uploadFailure(error, { inARow: 1, max: 10 })); }
 * ```
 */
export function uploadFailure(
  error: unknown,
  limit: { inARow: number; max: number },
): Extract<DocumentEvent, { type: 'rate-limited' | 'refused' | 'invalid' | 'unanswered' }> {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof IdpValidationError) return { type: 'invalid', error: message };
  // No token, no POST: the token is fetched before the upload is sent.
  if (error instanceof IdpAuthError) return { type: 'refused', error: message };
  if (error instanceof IdpRateLimitError) return { type: 'rate-limited', error: message, ...limit };
  // Any answer below 400 that the client could not read, and a 5xx: IDP may have created it.
  if (error instanceof IdpApiError && error.status >= 400 && error.status < 500) {
    return { type: 'refused', error: message }; // 4xx: nothing created
  }
  if (error instanceof IdpConnectionError && error.refused) return { type: 'refused', error: message };
  return { type: 'unanswered', error: message };
}
