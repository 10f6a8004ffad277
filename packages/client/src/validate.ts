import { checkSecureUrl } from '@idp-kit/http';
import { IdpValidationError } from './errors.js';
import type { ExecutionRef } from './types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// semver.org's grammar; the spec's pattern is the same.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

function shown(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** Throws `IdpValidationError` unless `value` is a UUID. */
export function assertUuid(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || !UUID.test(value)) {
    throw new IdpValidationError(
      `${name} must be a UUID such as 01f79c97-9a83-4194-b922-15b64fd7305e, got ${shown(value)}`,
    );
  }
}

/** Throws `IdpValidationError` unless `value` is a semantic version. */
export function assertVersion(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || !SEMVER.test(value)) {
    throw new IdpValidationError(
      `${name} must be the published version of the document action, a semantic version such as 1.1.0 ` +
        `(there is no "latest"), got ${shown(value)}`,
    );
  }
}

/** Throws `IdpValidationError` unless `ref` names an execution completely and correctly. */
export function assertExecutionRef(ref: unknown): asserts ref is ExecutionRef {
  if (typeof ref !== 'object' || ref === null) {
    throw new IdpValidationError('expected { actionId, actionVersion, executionId }');
  }
  const { actionId, actionVersion, executionId } = ref as Record<string, unknown>;
  assertUuid('actionId', actionId);
  assertVersion('actionVersion', actionVersion);
  assertUuid('executionId', executionId);
}

/** The URL, if https (or http to a loopback host); else `IdpValidationError` naming `name`. */
export function secureUrl(name: string, value: unknown): URL {
  if (typeof value !== 'string')
    throw new IdpValidationError(`${name} must be a URL string, got ${shown(value)}`);
  const checked = checkSecureUrl(value);
  if (typeof checked === 'string') throw new IdpValidationError(`${name}: ${checked}`);
  return checked;
}
