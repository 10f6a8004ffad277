const LOOPBACK_HOSTS = new Set(['localhost', '[::1]', '::1']);

/**
 * True for hosts that never leave this machine: localhost, 127.0.0.0/8, ::1.
 *
 * @example
 * ```ts
 * isLoopbackHost('127.0.0.1'); // true
 * isLoopbackHost('localhost.example.com'); // false
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return LOOPBACK_HOSTS.has(host) || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Parses `value` as an absolute URL that is https, or http to a loopback host only.
 * Returns the problem as text, or the URL.
 *
 * @example
 * ```ts
 * checkSecureUrl('http://example.com'); // 'http is allowed only to a loopback host …'
 * ```
 */
export function checkSecureUrl(value: string): URL | string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${JSON.stringify(value)} is not an absolute URL`;
  }
  if (url.username || url.password) return 'it must not carry credentials (user:password@)';
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  if (url.protocol === 'http:') {
    return `http is allowed only to a loopback host (localhost, 127.0.0.1, ::1), not ${url.hostname}; use https`;
  }
  return `the scheme must be https, not ${url.protocol.replace(':', '')}`;
}
