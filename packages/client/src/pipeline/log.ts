/** The log stage: one debug line per attempt, one warning per retry, each naming its operation. */
import type { Logger } from '../logger.js';

/** What a log line names: the operation, and which call of it (`getExecution#12`). */
export interface LoggedOperation {
  name: string;
  method: string;
  url: string;
}

export interface PipelineLog {
  /** Whether `attempt()` writes a line (and so needs the attempt's start time). */
  readonly timed: boolean;
  /** Numbers one call (a no-op without a logger: the hot path stays free of it). */
  begin(operation: LoggedOperation): void;
  /** `getExecution#12 GET /api/… → 200 (attempt 1, 14 ms)`: how one attempt ended. */
  attempt(operation: LoggedOperation, attempt: number, startedAt: number, outcome: number | string): void;
  /** `getExecution#12 GET /api/…: HTTP 503; retrying in 400 ms (1/3)`. */
  retrying(operation: LoggedOperation, why: string, retry: number, of: number): void;
}

/**
 * Log lines for the pipeline. Every line names its operation and a number for the call
 * (`getExecution#12`), so that the attempts of concurrent calls can be told apart.
 */
export function pipelineLog(logger: Logger | undefined): PipelineLog {
  let calls = 0;
  const ids = new WeakMap<LoggedOperation, number>();
  const label = (op: LoggedOperation) => `${op.name}#${ids.get(op) ?? 0}`;
  return {
    // Stryker disable next-line ConditionalExpression: only a debug logger reads the clock
    timed: typeof logger?.debug === 'function',
    begin(op) {
      // Stryker disable next-line ConditionalExpression: only a logger reads the number
      if (logger) ids.set(op, ++calls);
    },
    attempt(op, attempt, startedAt, outcome) {
      if (!logger?.debug) return;
      const durationMs = Math.round(performance.now() - startedAt);
      const path = new URL(op.url).pathname;
      logger.debug(`${label(op)} ${op.method} ${path} → ${outcome} (attempt ${attempt}, ${durationMs} ms)`, {
        operation: op.name,
        operationId: ids.get(op) ?? 0,
        method: op.method,
        path,
        status: typeof outcome === 'number' ? outcome : undefined,
        attempt,
        durationMs,
      });
    },
    retrying(op, why, retry, of) {
      logger?.warn?.(`${label(op)} ${op.method} ${new URL(op.url).pathname}: ${why} (${retry}/${of})`);
    },
  };
}
