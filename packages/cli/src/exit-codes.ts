import type { Execution } from '@idp-kit/client';

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
  6  timed out (wait --timeout)
  7  not settled yet (get, while ACKNOWLEDGED, IN_PROGRESS, RESULTS_PENDING or an unknown status)
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
