export { ACTION_PARAM, callbackUrl, NONCE_PARAM, VERSION_PARAM } from './callback-url.js';
export {
  type CallbackHandler,
  type CallbackHandlerOptions,
  createCallbackHandler,
  MAX_CALLBACK_BYTES,
} from './handler.js';
export { toNodeHandler } from './node.js';
