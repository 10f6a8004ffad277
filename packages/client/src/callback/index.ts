export { ACTION_PARAM, callbackUrl, NONCE_PARAM, VERSION_PARAM } from './callback-url.js';
export {
  CALLBACK_BODY_TIMEOUT_MS,
  type CallbackHandler,
  type CallbackHandlerOptions,
  createCallbackHandler,
  MAX_CALLBACK_BYTES,
} from './handler.js';
export { toNodeHandler } from './node.js';
