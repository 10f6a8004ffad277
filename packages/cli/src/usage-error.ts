/** A usage problem: bad or missing input. Exit code 2, one line, no stack. */
export class UsageError extends Error {
  override name = 'UsageError';
}
