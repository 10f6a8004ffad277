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

/**
 * An execution named as a user names it: by its URL, or by its three ids (one way, not both).
 *
 * @example
 * ```ts
 * const naming: ExecutionNaming = { actionId: flags.action, actionVersion: flags.version, executionId: flags.execution };
 * const { target } = executionTarget(naming);
 * ```
 */
export interface ExecutionNaming {
  url?: string | undefined;
  actionId?: string | undefined;
  actionVersion?: string | undefined;
  executionId?: string | undefined;
}

/**
 * The one rule for "an execution URL, or its ids": either the URL or the ids, never both; every id named
 * when there is no URL (the version only when `needsVersion`, as a review does without it). `target` is
 * what to hand the client: the URL itself when one was given, so that the client's own host rule runs.
 * `names` are the words the caller's users type (CLI flags, tool arguments), for the messages.
 *
 * @example
 * ```ts
 * const { target } = executionTarget({ url: pasted }, { names: { url: 'url', actionId: '--action', actionVersion: '--version', executionId: '--execution' } });
 * await idp.getExecution(target);
 * ```
 */
export function executionTarget(
  naming: ExecutionNaming,
  options: {
    names?: { url: string; actionId: string; actionVersion: string; executionId: string };
    needsVersion?: boolean;
    noun?: string;
  } = {},
): {
  ref: ExecutionRef;
  target: ExecutionRef | string;
  fromUrl?: { organizationId: string; baseUrl: string };
} {
  const names = options.names ?? {
    url: 'an execution URL',
    actionId: 'actionId',
    actionVersion: 'actionVersion',
    executionId: 'executionId',
  };
  const keys: (keyof Omit<ExecutionNaming, 'url'>)[] =
    options.needsVersion === false
      ? ['actionId', 'executionId']
      : ['actionId', 'actionVersion', 'executionId'];
  if (naming.url !== undefined) {
    if (keys.some((key) => naming[key] !== undefined)) {
      throw new IdpValidationError(
        `give either ${names.url} or ${keys.map((key) => names[key]).join('/')}, not both`,
      );
    }
    const { organizationId, baseUrl, ...ref } = parseExecutionUrl(naming.url);
    return { ref, target: naming.url, fromUrl: { organizationId, baseUrl } };
  }
  const missing = keys.filter((key) => !naming[key]);
  if (missing.length > 0) {
    throw new IdpValidationError(
      `name the ${options.noun ?? 'execution'}: ${names.url}, or ${missing.map((key) => names[key]).join(', ')}`,
    );
  }
  const ref = {
    actionId: naming.actionId ?? '',
    actionVersion: naming.actionVersion ?? '',
    executionId: naming.executionId ?? '',
  };
  return { ref, target: ref };
}
