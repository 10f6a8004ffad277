export {
  BUDGET_REASON,
  type BudgetLimits,
  creditsFor,
  maxPagesOf,
  pagesSubmitted,
} from './budget.js';
export { parseListen } from './callback-receiver.js';
export {
  type CallbackOptions,
  DEFAULT_CALLBACK_LISTEN,
  DEFAULT_SWEEP_MS,
  nonceHash,
  scrubNonces,
} from './callbacks.js';
export { type BatchEvent, type BatchOptions, runBatch } from './engine.js';
export {
  collectDocuments,
  collectInputs,
  type InputDocument,
  InputError,
  readDocument,
  readRegularFile,
  type SkippedInput,
} from './inputs.js';
export {
  type DocumentRecord,
  type DocumentState,
  type FileJournalOptions,
  type IntendRefusal,
  type IntendRules,
  JOURNAL_FILE,
  JournalCorruptError,
  JournalLockedError,
  type JournalStore,
  JournalWriteError,
  type Lease,
  LeaseLostError,
  openFileJournal,
  readJournal,
  type SharedJournalStore,
} from './journal.js';
export { AdaptiveLimit } from './limiter.js';
export { type BatchSummary, csvCell, OUTPUT_FILES, summarize, writeOutputs } from './outputs.js';
export {
  type BatchPlan,
  type PlannedDocument,
  type PlanOptions,
  type PlanVerdict,
  planBatch,
} from './plan.js';
export { RateBudget, type RateBudgetOptions, type RequestKind } from './rate-budget.js';
export { localRateSource, type RateSource } from './rate-source.js';
export { parseRate, RateSpecError } from './rate-spec.js';
export { fileResults, RESULTS_DIR, type ResultStore } from './results.js';
export {
  allows,
  DOCUMENT_EVENTS,
  DOCUMENT_STATES,
  type DocumentEvent,
  type DocumentEventType,
  fromStates,
  TRANSITIONS,
  TransitionRefusedError,
  type TransitionRow,
  transition,
  UNCERTAIN_AFTER_CRASH,
  uploadFailure,
  WORKING_STATES,
} from './state-machine.js';
export { type BucketConfig, bucketConfig } from './token-bucket.js';
