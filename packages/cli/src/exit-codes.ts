import { type Execution, IdpAbortError, IdpValidationError, IdpWaitTimeoutError } from '@idp-kit/client';
import { CommanderError } from 'commander';
import { UsageError } from './usage-error.js';

/** Exit codes, by meaning. Documented in `idp --help`. */
export const EXIT = {
  SUCCEEDED: 0,
  ERROR: 1,
  USAGE: 2,
  FAILED: 3,
  PARTIAL_SUCCESS: 4,
  MANUAL_VALIDATION_REQUIRED: 5,
  TIMED_OUT: 6,
  NOT_SETTLED: 7,
  /** `idp batch run`: not every document SUCCEEDED (see summary.json). */
  BATCH_INCOMPLETE: 8,
  /** `idp batch run`: the budget (`--max-pages`, `--max-credits`) left documents queued. */
  BUDGET_SPENT: 9,
  /** `idp diff --fail-on`: a rule of the gate was broken (the JSON's `gate` names the rules and fields). */
  DIFF_GATE: 10,
  /** 128 + SIGINT, as shells report it. */
  INTERRUPTED: 130,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0  SUCCEEDED (or: submitted, without --wait)
  1  any other error (network, auth, service)
  2  usage error: bad or missing option, id or setting
  3  FAILED
  4  PARTIAL_SUCCESS
  5  MANUAL_VALIDATION_REQUIRED
  6  the wait timed out (wait/submit --wait --timeout); a request that timed out is 1
  7  not settled yet (get, while ACKNOWLEDGED, IN_PROGRESS, RESULTS_PENDING or an unknown status)
  8  batch run: not every document SUCCEEDED (5 if the only others wait for a review)
  9  batch run, diff --run: the budget (--max-pages, --max-credits) left documents queued
 10  diff: a --fail-on rule was broken (--json's "gate" names the rules and the fields)
130  interrupted (Ctrl-C); nothing is cancelled at IDP`;

export function exitCodeFor(execution: Execution<boolean>): number {
  switch (execution.status) {
    case 'SUCCEEDED':
      return EXIT.SUCCEEDED;
    case 'FAILED':
      return EXIT.FAILED;
    case 'PARTIAL_SUCCESS':
      return EXIT.PARTIAL_SUCCESS;
    case 'MANUAL_VALIDATION_REQUIRED':
      return EXIT.MANUAL_VALIDATION_REQUIRED;
    default:
      return EXIT.NOT_SETTLED;
  }
}

/**
 * The exit code for an error that ended a command. One table, tested without spawning a process:
 * bad input 2, a wait that timed out 6, Ctrl-C 130, anything else (network, auth, service, a request
 * that timed out) 1.
 */
export function exitCodeForError(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.SUCCEEDED : EXIT.USAGE;
  if (error instanceof IdpAbortError) return EXIT.INTERRUPTED;
  if (error instanceof UsageError || error instanceof IdpValidationError) return EXIT.USAGE;
  if (error instanceof IdpWaitTimeoutError) return EXIT.TIMED_OUT;
  return EXIT.ERROR;
}
