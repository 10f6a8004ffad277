import type { TokenProvider } from '@idp-kit/auth';
import { IdpAuthError } from './errors.js';
import type { Logger } from './logger.js';
import type { Redactor } from './redactor.js';

/**
 * Redacts an error in place, its causes too: the message and stack, and every field a server may have
 * filled (an API error's problem, headers and request id; an OAuth description). `util.inspect`, JSON
 * and `String()` of it then show no secret. Returns the same error.
 */
export function scrubError<E>(error: E, redactor: Redactor): E {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 6; e = e.cause, depth++) {
    const fields = e as unknown as Record<string, unknown>;
    assign(fields, 'message', redactor.redact(e.message));
    if (typeof e.stack === 'string') assign(fields, 'stack', redactor.redact(e.stack));
    for (const [key, value] of Object.entries(fields)) {
      if (key === 'cause' || key === 'reason') continue;
      if (value instanceof Headers) {
        assign(
          fields,
          key,
          new Headers([...value.entries()].map(([name, v]) => [redactor.redact(name), redactor.redact(v)])),
        );
      } else if (typeof value === 'string' || (typeof value === 'object' && value !== null)) {
        // Plain data only (a problem+json, a string): class instances are someone else's to keep.
        if (typeof value === 'object' && !isPlainData(value)) continue;
        const redacted = redactor.redactValue(value);
        // Unchanged data keeps its identity.
        if (JSON.stringify(redacted) !== JSON.stringify(value)) assign(fields, key, redacted);
      }
    }
  }
  return error;
}

/** Sets a field that changed; some errors' fields are getters (DOMException's message). */
function assign(target: Record<string, unknown>, key: string, value: unknown): void {
  if (target[key] === value) return;
  try {
    target[key] = value;
  } catch {
    try {
      Object.defineProperty(target, key, { value, configurable: true, writable: true });
    } catch {
      // frozen: nothing of ours, nothing we can change
    }
  }
}

function isPlainData(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return Array.isArray(value) || proto === Object.prototype || proto === null;
}

/** A logger whose every line and detail passes through the redactor (a server's words end up in warnings). */
export function redactingLogger(logger: Logger | undefined, redactor: Redactor): Logger | undefined {
  if (!logger) return undefined;
  const wrapped: Logger = {};
  for (const level of ['debug', 'info', 'warn', 'error'] as const) {
    const write = logger[level];
    if (typeof write !== 'function') continue;
    wrapped[level] = (message, details) =>
      details === undefined
        ? write.call(logger, redactor.redact(message))
        : write.call(logger, redactor.redact(message), redactor.redactValue(details));
  }
  return wrapped;
}

/** Visible ASCII only: anything else cannot travel in an HTTP header (and undici would print it whole). */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

/**
 * The client's token provider, with every token it hands out registered with the redactor before any
 * use (old tokens stay registered: an echo of an expired one is still a leak). A token that cannot be
 * sent in a header is refused here, without its value, and never retried: asking again gives the same.
 */
export function registeringTokens(tokens: TokenProvider, redactor: Redactor): TokenProvider {
  return {
    async getToken(options) {
      const token = await tokens.getToken(options);
      redactor.add(token);
      if (typeof token !== 'string' || !HEADER_SAFE.test(token)) {
        // Dropped, so that a later call asks again; this one fails at once rather than retrying.
        tokens.invalidate(token);
        throw new IdpAuthError(
          'the token endpoint issued a token that cannot be sent in an HTTP header (it is empty or holds spaces or control characters); ' +
            'check that the token URL is the Anypoint token endpoint',
        );
      }
      return token;
    },
    invalidate: (token) => tokens.invalidate(token),
  };
}
