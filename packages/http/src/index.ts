export { linkedAbort, onAbort } from './abort.js';
export { type DispatchAbort, dispatchAbort } from './dispatch-abort.js';
export { type BackoffOptions, backoffDelay, parseRetryAfter, RETRYABLE_STATUSES, sleep } from './retry.js';
export { checkSecureUrl, isLoopbackHost } from './urls.js';
