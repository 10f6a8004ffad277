import type { DocumentRecord } from './journal.js';

/** A change to a record; `undefined` removes a field. */
export type RecordChange = { [K in keyof DocumentRecord]?: DocumentRecord[K] | undefined };

/**
 * What a document becomes when another batch of the same store already has it (`found`: that batch's
 * name and record), instead of being uploaded again:
 * - accepted there (an execution id): the same execution, with its result if that batch retrieved it,
 *   else `submitted` (this batch waits for it, a GET, nothing paid);
 * - its upload under way there, or of unknown fate (`submitting`, `uncertain`): `uncertain` here with
 *   no POST, because sending it could pay twice; a rerun looks again.
 * The batch named is the one that paid: a record that is itself a duplicate points on to its origin.
 *
 * @example
 * ```ts
 * const change = duplicateChange({ batch: 'march', record: theirs });
 * ```
 */
export function duplicateChange(found: { batch: string; record: DocumentRecord }): RecordChange {
  const theirs = found.record;
  const batch = theirs.duplicateOf?.batch ?? found.batch;
  const id = theirs.executionId;
  if (!id) {
    return {
      state: 'uncertain',
      duplicateOf: { batch },
      error:
        `not sent: batch ${batch} of the same store is uploading this document, or may have (its upload's fate is unknown), ` +
        'and sending it again could pay twice. A rerun looks again; --resubmit-duplicates sends it anyway.',
    };
  }
  const reused: RecordChange = {
    executionId: id,
    duplicateOf: { batch, executionId: id },
    error: undefined,
    ...(theirs.submittedAt ? { submittedAt: theirs.submittedAt } : {}),
  };
  if (theirs.state === 'retrieved') {
    return { ...reused, state: 'retrieved', status: theirs.status, execution: theirs.execution };
  }
  return { ...reused, state: 'submitted' };
}
