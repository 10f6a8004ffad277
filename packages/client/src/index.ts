export type { TokenProvider } from '@idp-kit/auth';
export {
  createIdpClient,
  type IdpClient,
  type IdpClientOptions,
  type IdpRegion,
  REGION_BASE_URLS,
} from './client.js';
export { IdpApiError, IdpError } from './errors.js';
export type {
  components,
  ExecutionBody,
  ExecutionRef,
  ExecutionStatus,
  Field,
  Geometry,
  operations,
  Page,
  Problem,
  Prompt,
  paths,
  SubmittedExecution,
  TableRow,
} from './types.js';
