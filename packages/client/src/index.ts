export {
  AuthError,
  type ClientCredentialsOptions,
  clientCredentials,
  redactSecret,
  type TokenCache,
  type TokenProvider,
  tokenCycle,
} from '@idp-kit/auth';
export type { Admit, AdmitRequest } from './admit.js';
export { DEFAULT_MAX_RESPONSE_BYTES } from './body-limit.js';
export { createIdpClient, type IdpClient } from './client.js';
export { type ConfidenceScale, confidenceScaleOf, normalizeConfidence } from './confidence.js';
export {
  type ApiErrorDetails,
  IdpAbortError,
  IdpApiError,
  IdpAuthError,
  IdpConnectionError,
  IdpError,
  IdpForbiddenError,
  IdpNotFoundError,
  IdpPagingError,
  IdpRateLimitError,
  IdpRedirectError,
  IdpRequestTimeoutError,
  IdpResponseTooLargeError,
  IdpServerError,
  IdpTimeoutError,
  IdpUnauthorizedError,
  IdpValidationError,
  IdpWaitTimeoutError,
} from './errors.js';
export { type ExecutionNaming, executionTarget, parseExecutionUrl } from './execution-url.js';
export { type ExtractedField, extractFields } from './fields.js';
export type { AttemptInfo, IdpHooks, OperationInfo, Outcome } from './hooks.js';
export { MAX_JSON_DEPTH } from './json-depth.js';
export type { Logger } from './logger.js';
export { isLoopbackHost } from './loopback.js';
export {
  type ActionSort,
  type IterateActionsOptions,
  type ListActionsOptions,
  runtimeBaseUrl,
} from './operations/actions.js';
export type { GetExecutionOptions, WaitForExecutionOptions } from './operations/execution.js';
export { correctReview, type ReviewRef } from './operations/reviews.js';
export {
  type BasicAuth,
  type ClientCredentialsAuth,
  CONTROL_PLANE_URLS,
  type IdpClientOptions,
  type IdpRegion,
  REGION_BASE_URLS,
  REGION_CONTROL_PLANES,
} from './options.js';
export { DEFAULT_MAX_PAGES, type IterateOptions, type PageOptions } from './pages.js';
export type { CallOptions, RetryOptions } from './pipeline.js';
export type { PollOptions } from './poll.js';
export {
  countPdfPages,
  countTiffPages,
  type DocumentFormat,
  type DocumentInspection,
  IdpPreflightError,
  inspectDocument,
  MAX_PAGES,
  preflight,
} from './preflight.js';
export { createRedactor, REDACTED, type Redactor } from './redactor.js';
export { IDP_SETTINGS, type IdpSetting, type IdpSettingsRead, readIdpSettings } from './settings.js';
export {
  EXECUTION_STATUSES,
  type FinalStatus,
  isFinal,
  isKnownStatus,
  isSettled,
  type SettledStatus,
} from './status.js';
export { explainStatusMessage } from './status-message.js';
export { CONTENT_TYPES, MAX_FILE_BYTES, type SubmitInput, type SubmitResult } from './submit.js';
export type {
  Action,
  ActionList,
  ActionVersion,
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
  JsonValue,
  OutputSchema,
  operations,
  Page,
  Problem,
  Prompt,
  paths,
  Results,
  Review,
  Reviewer,
  ReviewItem,
  ReviewTask,
  RunningExecution,
  SubmittedExecution,
  TableRow,
  ValueOnlyField,
} from './types.js';
