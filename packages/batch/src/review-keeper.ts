import type { ResultStore } from './results.js';

/**
 * With `until: 'final'`, what one wait does with the result it sees at MANUAL_VALIDATION_REQUIRED: keeps
 * it (the values before the review, for `idp eval harvest`) as soon as a poll shows it, and lets the
 * final result be stored only after it, so that a batch that has the final result has the review-time
 * one too. A crash between the two writes leaves the review-time one, whole; the run that resumes
 * writes the final one beside it.
 *
 * @example
 * ```ts
 * const review = keepReviewResult(journal, executionId);
 * const execution = await client.waitForExecution(ref, { until: 'final', onProgress: review.onProgress });
 * await review.stored();
 * await journal.putResult(executionId, execution);
 * ```
 */
export function keepReviewResult(
  store: Pick<ResultStore, 'putReviewResult'>,
  executionId: string,
): { onProgress: (execution: { status: string }) => void; stored: () => Promise<void> } {
  let write: Promise<void> | undefined;
  return {
    onProgress(execution) {
      // The first poll in review is the one kept: later ones show the same values, or a reviewer's edits.
      if (execution.status !== 'MANUAL_VALIDATION_REQUIRED' || write) return;
      write = store.putReviewResult(executionId, execution);
      // Heard by stored(); a wait that ends otherwise (stopped, timed out) leaves it to a rerun.
      write.catch(() => {});
    },
    stored: () => write ?? Promise.resolve(),
  };
}
