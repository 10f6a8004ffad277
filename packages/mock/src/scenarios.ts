/**
 * Well-known execution ids of the mock: each shows one status, one lifecycle or one error, so that every
 * answer of the API can be tried without credentials. Any other id gets the SUCCEEDED example.
 * The last digits say what an id does: 1–7 a status, 20/21 a lifecycle, 401/404/429/500 an HTTP error.
 *
 * @example
 * ```ts
 * await idp.getExecution({ ...ref, executionId: MOCK_EXECUTIONS.FAILED }); // status FAILED
 * await idp.waitForExecution({ ...ref, executionId: MOCK_EXECUTIONS.lifecycle }); // ~20 s of progress
 * ```
 */
export const MOCK_EXECUTIONS = {
  ACKNOWLEDGED: '00000000-0000-4000-8000-000000000001',
  IN_PROGRESS: '00000000-0000-4000-8000-000000000002',
  RESULTS_PENDING: '00000000-0000-4000-8000-000000000003',
  MANUAL_VALIDATION_REQUIRED: '00000000-0000-4000-8000-000000000004',
  FAILED: '00000000-0000-4000-8000-000000000005',
  PARTIAL_SUCCESS: '00000000-0000-4000-8000-000000000006',
  SUCCEEDED: '00000000-0000-4000-8000-000000000007',
  /** FAILED with `statusMessage: MAX_TOKENS` (the model's answer was cut at its token limit). */
  failedMaxTokens: '00000000-0000-4000-8000-000000000051',
  /** FAILED with `statusMessage: length` (more input tokens than the model takes). */
  failedLength: '00000000-0000-4000-8000-000000000052',
  /** ACKNOWLEDGED → IN_PROGRESS → RESULTS_PENDING → SUCCEEDED over one lifecycle (20 s by default). */
  lifecycle: '00000000-0000-4000-8000-000000000020',
  /** ACKNOWLEDGED → IN_PROGRESS → MANUAL_VALIDATION_REQUIRED → SUCCEEDED, when its review is approved (DELETE) or after 1.5 lifecycles. */
  reviewLifecycle: '00000000-0000-4000-8000-000000000021',
  /** 401: the token was refused. */
  unauthorized: '00000000-0000-4000-8000-000000000401',
  /** 404: unknown ids, or results past their retention. */
  notFound: '00000000-0000-4000-8000-000000000404',
  /** 429 with `Retry-After: 1`. */
  rateLimited: '00000000-0000-4000-8000-000000000429',
  /** 500. */
  serverError: '00000000-0000-4000-8000-000000000500',
} as const;

/** What the front asks Prism for: a named example of the 200, or an error status. */
export type Scenario = { example: string | undefined } | { code: 401 | 404 | 429 | 500 };

/**
 * `lifecycle` ends SUCCEEDED; `reviewLifecycle` waits in MANUAL_VALIDATION_REQUIRED until its review is
 * approved or the time runs out; `held` (a submitted document whose name contains "review") waits there
 * until its review is approved, however long that takes.
 */
export type Lifecycle = 'lifecycle' | 'reviewLifecycle' | 'held';

const STATUS_EXAMPLES: Record<string, { values: string; confidence: string }> = {
  ACKNOWLEDGED: { values: 'ACKNOWLEDGED', confidence: 'ACKNOWLEDGED' },
  IN_PROGRESS: { values: 'IN_PROGRESS', confidence: 'IN_PROGRESS' },
  RESULTS_PENDING: { values: 'RESULTS_PENDING', confidence: 'RESULTS_PENDING' },
  MANUAL_VALIDATION_REQUIRED: {
    values: 'MANUAL_VALIDATION_REQUIRED',
    confidence: 'manualValidationWithConfidence',
  },
  FAILED: { values: 'FAILED', confidence: 'FAILED' },
  PARTIAL_SUCCESS: { values: 'PARTIAL_SUCCESS', confidence: 'partialSuccessWithConfidence' },
  SUCCEEDED: { values: 'SUCCEEDED', confidence: 'withConfidence' },
};

const ERRORS: Record<string, 401 | 404 | 429 | 500> = {
  [MOCK_EXECUTIONS.unauthorized]: 401,
  [MOCK_EXECUTIONS.notFound]: 404,
  [MOCK_EXECUTIONS.rateLimited]: 429,
  [MOCK_EXECUTIONS.serverError]: 500,
};

/** Well-known id → the status it shows. */
const BY_ID = new Map<string, string>(
  Object.entries(MOCK_EXECUTIONS)
    .filter(([name]) => name in STATUS_EXAMPLES)
    .map(([name, id]) => [id, name]),
);
/** Well-known FAILED ids whose example carries the model's reason (`statusMessage`). */
const FAILED_WITH_REASON: Record<string, string> = {
  [MOCK_EXECUTIONS.failedMaxTokens]: 'failedMaxTokens',
  [MOCK_EXECUTIONS.failedLength]: 'failedLength',
};
const LIFECYCLE_IDS: Record<string, Lifecycle> = {
  [MOCK_EXECUTIONS.lifecycle]: 'lifecycle',
  [MOCK_EXECUTIONS.reviewLifecycle]: 'reviewLifecycle',
};

/**
 * The status of a lifecycle `elapsedMs` after it started, one lifecycle lasting `lifecycleMs`:
 * ACKNOWLEDGED for the first 15%, IN_PROGRESS to 50%, then RESULTS_PENDING and SUCCEEDED at 100%;
 * the review lifecycle is MANUAL_VALIDATION_REQUIRED from 50% to 150%, then SUCCEEDED.
 */
export function lifecycleStatus(kind: Lifecycle, elapsedMs: number, lifecycleMs: number): string {
  const at = elapsedMs / lifecycleMs;
  if (at < 0.15) return 'ACKNOWLEDGED';
  if (at < 0.5) return 'IN_PROGRESS';
  if (kind === 'held') return 'MANUAL_VALIDATION_REQUIRED';
  if (kind === 'reviewLifecycle') return at < 1.5 ? 'MANUAL_VALIDATION_REQUIRED' : 'SUCCEEDED';
  return at < 1 ? 'RESULTS_PENDING' : 'SUCCEEDED';
}

/** The example to serve for a status, in the shape `valueOnly` asks for. */
export function exampleFor(status: string, valueOnly: boolean): string | undefined {
  const examples = STATUS_EXAMPLES[status];
  return examples && (valueOnly ? examples.values : examples.confidence);
}

/** Which lifecycle an id follows, if any (well-known ids only; submitted ones are tracked by the front). */
export function lifecycleOf(executionId: string): Lifecycle | undefined {
  return LIFECYCLE_IDS[executionId.toLowerCase()];
}

/** The status a well-known id shows (not the errors, not the lifecycles). */
export function fixedStatus(executionId: string): string | undefined {
  const id = executionId.toLowerCase();
  return FAILED_WITH_REASON[id] ? 'FAILED' : BY_ID.get(id);
}

/** The error a well-known id answers with. */
export function fixedError(executionId: string): 401 | 404 | 429 | 500 | undefined {
  return ERRORS[executionId.toLowerCase()];
}

/** The fixed answer for a well-known id: an error, or a status. `undefined` for any other id. */
export function fixedScenario(executionId: string, valueOnly: boolean): Scenario | undefined {
  const id = executionId.toLowerCase();
  const code = ERRORS[id];
  if (code) return { code };
  const reasoned = FAILED_WITH_REASON[id];
  if (reasoned) return { example: reasoned };
  const status = BY_ID.get(id);
  return status === undefined ? undefined : { example: exampleFor(status, valueOnly) };
}
