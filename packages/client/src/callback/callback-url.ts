import { IdpValidationError } from '../errors.js';
import { assertUuid, assertVersion, secureUrl } from '../validate.js';

/**
 * Query parameters the receiver reads; they travel in the URL we give IDP, not in IDP's body.
 *
 * @example
 * ```ts
 * new URL(request.url).searchParams.has(NONCE_PARAM);
 * ```
 */
export const NONCE_PARAM = 'idp_nonce';
/**
 * Query parameter of the callback URL that carries the action id.
 *
 * @example
 * ```ts
 * new URL(callbackUrl(base, secret, { actionId, actionVersion })).searchParams.get(ACTION_PARAM); // actionId
 * ```
 */
export const ACTION_PARAM = 'idp_action';
/**
 * Query parameter of the callback URL that carries the action version.
 *
 * @example
 * ```ts
 * new URL(callbackUrl(base, secret, { actionId, actionVersion })).searchParams.get(VERSION_PARAM); // actionVersion
 * ```
 */
export const VERSION_PARAM = 'idp_version';

/**
 * The URL to pass as `callbackUrl` at submit. IDP cannot authenticate its callbacks, so (as MuleSoft
 * advises) a secret nonce rides in the query string; the receiver checks it in constant time. The action
 * and version ride along too, so the receiver never has to trust the callback body for them.
 *
 * @example
 * ```ts
 * const secret = process.env.IDP_CALLBACK_SECRET!; // at least 16 characters, random
 * await idp.submitExecution({ ...doc, callbackUrl: callbackUrl('https://hooks.acme.com/idp', secret, { actionId, actionVersion }) });
 * ```
 */
export function callbackUrl(
  base: string,
  secret: string,
  action?: { actionId: string; actionVersion: string },
): string {
  const url = secureUrl('callback base URL', base);
  if (typeof secret !== 'string' || secret.length < 16) {
    throw new IdpValidationError('the callback secret must be at least 16 characters of random text');
  }
  url.searchParams.set(NONCE_PARAM, secret);
  if (action) {
    assertUuid('actionId', action.actionId);
    assertVersion('actionVersion', action.actionVersion);
    url.searchParams.set(ACTION_PARAM, action.actionId);
    url.searchParams.set(VERSION_PARAM, action.actionVersion);
  }
  return url.href;
}
