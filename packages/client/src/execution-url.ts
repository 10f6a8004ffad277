import { IdpValidationError } from './errors.js';
import type { ExecutionRef } from './types.js';
import { assertUuid, assertVersion, secureUrl } from './validate.js';

const SHAPE =
  '/api/v1/organizations/{organizationId}/actions/{actionId}/versions/{actionVersion}/executions/{executionId}';

/**
 * Splits an execution URL, as shown in Anypoint or logged by a flow, into its parts.
 *
 * @example
 * ```ts
 * const { baseUrl, organizationId, ...ref } = parseExecutionUrl(
 *   'https://idp-rt.us-east-1.anypoint.mulesoft.com/api/v1/organizations/01f79c97-9a83-4194-b922-15b64fd7305e/actions/c333413d-6593-4423-b3d4-f8ff4bf88917/versions/1.2.0/executions/ba9c0735-c95c-4d92-84f1-d72599900552',
 * );
 * ```
 */
export function parseExecutionUrl(url: string): ExecutionRef & { organizationId: string; baseUrl: string } {
  const parsed = secureUrl('execution URL', url);
  const segments = parsed.pathname.split('/');
  if (segments.at(-1) === '') segments.pop();
  const at = segments.lastIndexOf('api');
  const tail = at >= 0 ? segments.slice(at) : [];
  const expected = [
    'api',
    'v1',
    'organizations',
    null,
    'actions',
    null,
    'versions',
    null,
    'executions',
    null,
  ];
  const matches =
    tail.length === expected.length &&
    expected.every((literal, i) => literal === null || tail[i] === literal);
  if (!matches) {
    throw new IdpValidationError(
      `execution URL path must look like ${SHAPE}, got ${JSON.stringify(parsed.pathname)}`,
    );
  }
  const part = (i: number) => {
    try {
      return decodeURIComponent(tail[i] ?? '');
    } catch {
      throw new IdpValidationError(`execution URL has a malformed escape in ${JSON.stringify(tail[i])}`);
    }
  };
  const [organizationId, actionId, actionVersion, executionId] = [part(3), part(5), part(7), part(9)];
  assertUuid('organizationId (in the execution URL)', organizationId);
  assertUuid('actionId (in the execution URL)', actionId);
  assertVersion('actionVersion (in the execution URL)', actionVersion);
  assertUuid('executionId (in the execution URL)', executionId);
  const prefix = segments.slice(0, at).join('/');
  return { baseUrl: `${parsed.origin}${prefix}`, organizationId, actionId, actionVersion, executionId };
}
