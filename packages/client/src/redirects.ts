import { IdpRedirectError } from './errors.js';

/** The statuses fetch would follow. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** At most this many hops within the trusted origins, for a GET. */
export const MAX_REDIRECTS = 5;

export function isRedirect(status: number): boolean {
  return REDIRECTS.has(status);
}

/** True when `url` is on one of the `trusted` origins (scheme, host and port all equal). */
export function isTrustedUrl(url: URL, trusted: ReadonlySet<string>): boolean {
  return trusted.has(url.origin);
}

/** The redirect's target, resolved against the URL that answered; undefined when it has none or a bad one. */
export function redirectTarget(response: Response, from: string): URL | undefined {
  const location = response.headers.get('location');
  if (location === null) return undefined;
  try {
    return new URL(location, from);
  } catch {
    return undefined;
  }
}

/**
 * The error for a redirect the client does not follow. It names the status and the target's origin
 * (never its path or query, which may carry a secret), and says what to do.
 */
export function redirectError(
  operation: string,
  response: Response,
  url: string,
  target: URL | undefined,
  why: 'upload' | 'untrusted' | 'too many' | 'method',
): IdpRedirectError {
  const where = target ? target.origin : 'no usable Location';
  const reason = {
    upload: 'an upload is never redirected: the document is not sent again, nor anywhere else',
    untrusted: `${where} is not one of the origins this client trusts, so nothing was sent there`,
    'too many': `more than ${MAX_REDIRECTS} redirects`,
    method: `only a GET follows a redirect, and only within the trusted origins`,
  }[why];
  const advice =
    why === 'upload'
      ? 'Nothing was created at the target; set baseUrl to the final URL of the service if you trust it.'
      : 'Set baseUrl (or controlPlaneUrl) to the final URL of the service if you trust it.';
  return new IdpRedirectError(
    `${operation} failed: HTTP ${response.status} redirect to ${where}, not followed (${reason}). ${advice}`,
    {
      status: response.status,
      operation,
      url,
      headers: new Headers(response.headers),
      ...(target ? { location: target.origin } : {}),
    },
  );
}
