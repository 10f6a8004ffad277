import type { ExecutionStatus } from './types.js';

/**
 * Every status the service documents, in lifecycle order.
 *
 * @example
 * ```ts
 * EXECUTION_STATUSES.includes(execution.status as ExecutionStatus);
 * ```
 */
export const EXECUTION_STATUSES = [
  'ACKNOWLEDGED',
  'IN_PROGRESS',
  'RESULTS_PENDING',
  'MANUAL_VALIDATION_REQUIRED',
  'FAILED',
  'PARTIAL_SUCCESS',
  'SUCCEEDED',
] as const satisfies readonly ExecutionStatus[];

// Fails to compile if the spec gains a status this list lacks.
type Missing = Exclude<ExecutionStatus, (typeof EXECUTION_STATUSES)[number]>;
const complete: [Missing] extends [never] ? true : Missing = true;
void complete;

/**
 * Statuses after which the execution will not change by itself.
 *
 * @example
 * ```ts
 * if (isFinal(execution.status)) archive(execution.status satisfies FinalStatus);
 * ```
 */
export type FinalStatus = 'SUCCEEDED' | 'PARTIAL_SUCCESS' | 'FAILED';
/**
 * Final statuses, plus MANUAL_VALIDATION_REQUIRED: work stopped until a person acts.
 *
 * @example
 * ```ts
 * if (isSettled(execution.status)) notify(execution.status satisfies SettledStatus);
 * ```
 */
export type SettledStatus = FinalStatus | 'MANUAL_VALIDATION_REQUIRED';

const FINAL: ReadonlySet<string> = new Set<FinalStatus>(['SUCCEEDED', 'PARTIAL_SUCCESS', 'FAILED']);
const SETTLED: ReadonlySet<string> = new Set<SettledStatus>([
  ...(FINAL as Set<FinalStatus>),
  'MANUAL_VALIDATION_REQUIRED',
]);

/**
 * True when processing stopped: a final status or MANUAL_VALIDATION_REQUIRED. Unknown statuses are not settled.
 *
 * @example
 * ```ts
 * if (isSettled(execution.status)) stopPolling();
 * ```
 */
export function isSettled(status: string): status is SettledStatus {
  return SETTLED.has(status);
}

/**
 * True when the execution will never change again: SUCCEEDED, PARTIAL_SUCCESS or FAILED.
 *
 * @example
 * ```ts
 * if (!isFinal(execution.status)) console.log('a reviewer may still change it');
 * ```
 */
export function isFinal(status: string): status is FinalStatus {
  return FINAL.has(status);
}

/**
 * True for one of the seven documented statuses.
 *
 * @example
 * ```ts
 * if (!isKnownStatus(execution.status)) console.warn(`new status ${execution.status}`);
 * ```
 */
export function isKnownStatus(status: string): status is ExecutionStatus {
  return (EXECUTION_STATUSES as readonly string[]).includes(status);
}
