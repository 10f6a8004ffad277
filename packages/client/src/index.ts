export {
  AuthError,
  type ClientCredentialsOptions,
  clientCredentials,
  redactSecret,
  type TokenCache,
  type TokenProvider,
} from '@idp-kit/auth';
export {
  type ClientCredentialsAuth,
  createIdpClient,
  type GetExecutionOptions,
  type IdpClient,
  type IdpClientOptions,
  type IdpRegion,
  REGION_BASE_URLS,
  type WaitForExecutionOptions,
} from './client.js';
export { IdpApiError, IdpConnectionError, IdpError, IdpTimeoutError, IdpValidationError } from './errors.js';
export { parseExecutionUrl } from './execution-url.js';
export { type ExtractedField, extractFields } from './fields.js';
export type { Logger } from './logger.js';
export type { PollOptions } from './poll.js';
export {
  EXECUTION_STATUSES,
  type FinalStatus,
  isFinal,
  isKnownStatus,
  isSettled,
  type SettledStatus,
} from './status.js';
export { CONTENT_TYPES, MAX_FILE_BYTES, type SubmitInput, type SubmitResult } from './submit.js';
export type { RetryOptions } from './transport.js';
export type {
  CompletedExecution,
  components,
  Execution,
  ExecutionBody,
  ExecutionRef,
  ExecutionStatus,
  FailedExecution,
  Field,
  FieldFor,
  Geometry,
  operations,
  Page,
  Problem,
  Prompt,
  paths,
  Results,
  RunningExecution,
  SubmittedExecution,
  TableRow,
  ValueOnlyField,
} from './types.js';
