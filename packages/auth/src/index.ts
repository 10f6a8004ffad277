export {
  type ClientCredentialsGrant,
  type ClientCredentialsGrantOptions,
  type ClientCredentialsOptions,
  CONTROL_PLANE_TOKEN_URLS,
  type ControlPlane,
  clientCredentials,
  clientCredentialsGrant,
  SEND_THROUGH,
} from './client-credentials.js';
export { AuthError } from './errors.js';
export { redactSecret } from './redact.js';
export { type CachedToken, memoryTokenCache, type TokenCache } from './token-cache.js';
export { type IssuedToken, type TokenCycleOptions, tokenCycle } from './token-cycle.js';
export type { TokenProvider } from './token-provider.js';
