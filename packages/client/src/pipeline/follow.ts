/**
 * Redirects, as the pipeline takes them: fetch never follows one itself (it would re-send an upload,
 * and to any origin). A GET follows a redirect within the trusted origins, up to MAX_REDIRECTS hops;
 * anything else (an upload, another method, a foreign origin, no Location) is the error, and nothing
 * is sent to the target.
 */
import type { IdpRedirectError } from '../errors.js';
import { isRedirect, isTrustedUrl, MAX_REDIRECTS, redirectError, redirectTarget } from '../redirects.js';
import { withoutQuery } from './observe.js';

/** The first answer that is not a redirect, or the error for a redirect that must not be followed. */
export async function followRedirects(
  request: { name: string; method: string; url: string; idempotent: boolean },
  first: Response,
  send: (url: string) => Promise<Response>,
  trustedOrigins: ReadonlySet<string>,
): Promise<Response | IdpRedirectError> {
  let response = first;
  let from = request.url;
  for (let hops = 0; isRedirect(response.status); hops++) {
    const target = redirectTarget(response, from);
    // Stryker disable next-line OptionalChaining: a 3xx always has a body stream
    await response.body?.cancel();
    const refusal =
      request.method !== 'GET'
        ? request.idempotent
          ? 'method'
          : 'upload'
        : target === undefined || !isTrustedUrl(target, trustedOrigins)
          ? 'untrusted'
          : hops >= MAX_REDIRECTS
            ? 'too many'
            : undefined;
    if (refusal !== undefined || target === undefined) {
      // Stryker disable next-line StringLiteral: refusal is undefined only with a target, which is never here
      return redirectError(request.name, response, withoutQuery(request.url), target, refusal ?? 'untrusted');
    }
    from = target.href;
    response = await send(from);
  }
  return response;
}
