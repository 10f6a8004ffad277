import { isLoopbackHost as loopback } from '@idp-kit/http';

/**
 * The one loopback rule of idp-kit: true for hosts that never leave this machine (localhost,
 * `*.localhost`, 127.0.0.0/8, ::1). The CLI, `idp doctor` and the MCP server use it.
 *
 * @example
 * ```ts
 * isLoopbackHost('127.0.0.1'); // true
 * isLoopbackHost('api.localhost'); // true
 * isLoopbackHost('localhost.example.com'); // false
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  return loopback(hostname);
}
