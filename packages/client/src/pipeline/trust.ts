import { IdpValidationError } from '../errors.js';

/**
 * Refuses, before any token is fetched, a request to a host the token must not go to. The token goes
 * only to the configured base URL and control plane and the region's MuleSoft hosts, port included:
 * a loopback host is trusted when it was configured, not because it is loopback (another local
 * process on another port is another party).
 */
export function checkTrustedOrigin(url: string, trusted: ReadonlySet<string>, what: string): void {
  // Fast path (every request): an origin is followed by '/', '?' or the end; no parsing needed.
  for (const origin of trusted) {
    if (url.startsWith(origin)) {
      const next = url.charAt(origin.length);
      if (next === '/' || next === '?' || next === '') return;
    }
  }
  const target = new URL(url);
  if (trusted.has(target.origin)) return;
  throw new IdpValidationError(
    `${what}: refusing to send the IDP token to ${target.origin}; it goes only to ${[...trusted].join(', ')}. ` +
      'To reach IDP through another host (a proxy or a mock), configure it as baseUrl.',
  );
}
