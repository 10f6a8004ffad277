import { AuthError, type TokenProvider } from '@idp-kit/auth';
import { IdpAuthError, IdpError } from '../errors.js';
import { describeError } from './classify.js';

/** What one attempt sends as `Authorization`, and the bearer token in it (for the 401 replay). */
export interface Authorization {
  header: string;
  bearer?: string;
}

/**
 * The token stage: the `Authorization` of one attempt. Basic where the operation allows it and it is
 * configured, else a bearer token from the provider (asked again for every attempt, so that a replay
 * after a 401 gets a fresh one). A provider's failure becomes an `IdpAuthError`.
 */
export async function authorize(
  operation: { name: string; auth: boolean; basic?: boolean },
  source: { tokens?: TokenProvider; basic?: { header(): string } },
  signal: AbortSignal | undefined,
): Promise<Authorization | undefined> {
  // Stryker disable next-line ConditionalExpression: the pipeline calls authorize for auth operations only
  if (!operation.auth) return undefined;
  if (operation.basic && source.basic) return { header: source.basic.header() };
  const { tokens } = source;
  // Stryker disable next-line ConditionalExpression,StringLiteral: the client sets a provider before any call
  if (!tokens) throw new IdpAuthError(`${operation.name}: no token provider`);
  let bearer: string;
  try {
    // Awaited here, not in a helper: one promise fewer on every attempt.
    bearer = await tokens.getToken(signal ? { signal } : undefined);
  } catch (error) {
    throw tokenFailure(operation.name, error, signal);
  }
  return { header: `Bearer ${bearer}`, bearer };
}

/** What a provider's failure becomes: an `IdpAuthError` (an abort, or an `IdpError`, as it is). */
function tokenFailure(name: string, error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted || error instanceof IdpError) return error;
  if (error instanceof AuthError) {
    return new IdpAuthError(error.message, {
      // Stryker disable next-line ConditionalExpression: IdpAuthError skips an undefined detail
      ...(error.status !== undefined ? { status: error.status } : {}),
      // Stryker disable next-line ConditionalExpression: IdpAuthError skips an undefined detail
      ...(error.oauthError !== undefined ? { oauthError: error.oauthError } : {}),
      cause: error,
    });
  }
  return new IdpAuthError(`${name}: the token provider failed: ${describeError(error)}`, { cause: error });
}
