export {
  type ClientCredentialsOptions,
  CONTROL_PLANE_TOKEN_URLS,
  type ControlPlane,
  clientCredentials,
} from './client-credentials.js';
export { AuthError } from './errors.js';
export { authMiddleware, retryOn401 } from './middleware.js';
export { redactSecret } from './redact.js';
export { type BackoffOptions, backoffDelay, parseRetryAfter, RETRYABLE_STATUSES, sleep } from './retry.js';
export { type CachedToken, memoryTokenCache, type TokenCache } from './token-cache.js';
export type { TokenProvider } from './token-provider.js';
export { checkSecureUrl, isLoopbackHost } from './urls.js';
