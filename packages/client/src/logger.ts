/**
 * Where the client reports what it does: one `debug` line per HTTP attempt, `warn` for retries and
 * clamped poll intervals. `console` fits. The Authorization header is never logged.
 *
 * @example
 * ```ts
 * createIdpClient({ organizationId, auth, logger: console });
 * ```
 */
export interface Logger {
  debug?(message: string, details?: Record<string, unknown>): void;
  info?(message: string, details?: Record<string, unknown>): void;
  warn?(message: string, details?: Record<string, unknown>): void;
  error?(message: string, details?: Record<string, unknown>): void;
}
