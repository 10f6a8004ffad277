/**
 * The fake IDP's executions and their state over time: IN_PROGRESS until they settle (after a number of
 * polls, or a delay), then the status the options give, in review until approved.
 */
import type { FakeDocument, FakeIdpOptions } from './fake-idp-options.js';

export interface FakeExecution extends FakeDocument {
  createdAt: number;
  polls: number;
  /** Set once the callback fell due, so that it falls due once. */
  calledBack?: boolean;
}

/**
 * What a poll of `execution` answers now (a poll counts itself before asking): IN_PROGRESS until it
 * settles, then in review until approved, then the final status; results once settled and not FAILED.
 */
export function pollAnswer(
  execution: FakeExecution,
  options: FakeIdpOptions,
  now: number,
): { status: string; settled: boolean; text: string } {
  const settled = isSettled(execution, options, now);
  const review = settled && options.review?.(execution) === true && options.approved?.(execution) !== true;
  const status = !settled
    ? 'IN_PROGRESS'
    : review
      ? 'MANUAL_VALIDATION_REQUIRED'
      : (options.finalStatus?.(execution) ?? 'SUCCEEDED');
  return { status, settled, text: executionText(execution, { status, settled, review }, options) };
}

export function isSettled(execution: FakeExecution, options: FakeIdpOptions, now: number): boolean {
  const afterMs = options.settleAfterMs?.(execution);
  if (afterMs !== undefined) return now - execution.createdAt >= afterMs;
  return execution.polls >= (options.polls ?? 2);
}

function executionText(
  execution: FakeExecution,
  { status, settled, review }: { status: string; settled: boolean; review: boolean },
  options: FakeIdpOptions,
): string {
  const withResults = settled && status !== 'FAILED';
  const results = withResults
    ? {
        fields: options.fields?.(execution, review) ?? { total: { value: `=${execution.fileName}` } },
        // Geometry-like bulk outside the fields: in the stored result, not in a results line.
        ...(options.resultBytes && !options.resultPages
          ? { pages: [{ words: 'x'.repeat(options.resultBytes) }] }
          : {}),
      }
    : {};
  const said = settled ? options.statusMessage?.(execution) : undefined;
  const text = JSON.stringify({
    id: execution.id,
    documentName: execution.fileName,
    status,
    ...results,
    ...(said !== undefined ? { statusMessage: said } : {}),
  });
  // Spliced in as text: one copy of a long document's pages, however many executions are served.
  return withResults && options.resultPages ? `${text.slice(0, -1)},"pages":${options.resultPages}}` : text;
}
