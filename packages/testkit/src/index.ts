export { closeAfterTest } from './cleanup.js';
export { JPEG_BYTES, PNG_BYTES, pdfBytes, tiffBytes } from './documents.js';
export { CONTROL_PATH, execution, type FakeIdp, fakeIdp, IDS, REF, TOKEN_PATH } from './fake-idp.js';
export { type FakeIdpProcess, type FakeIdpProcessOptions, startFakeIdpProcess } from './fake-idp-child.js';
export type {
  FakeCallbackEvent,
  FakeCallbackOptions,
  FakeDocument,
  FakeFault,
  FakeIdpOptions,
  FakeIdpStats,
  FakeRequest,
  FakeRequestKind,
} from './fake-idp-options.js';
export type { FakeLogEntry } from './fake-stats.js';
export { type CliMain, type InProcessOptions, runMain } from './in-process.js';
export {
  type Handler,
  json,
  type Loopback,
  type LoopbackOptions,
  loopback,
  type Recorded,
} from './loopback.js';
export { postgresBin, startPostgres, type TestPostgres } from './postgres.js';
export {
  chromiumLaunchOptions,
  chromiumMissing,
  chromiumPath,
  postgresBinSync,
  postgresMissing,
} from './prerequisites.js';
export { type NodeOptions, type Ran, runNode, type Started, startNode } from './processes.js';
export { recordSkip, SKIPS_DIR } from './skips.js';
export { until } from './until.js';
