export { type BatchEvent, type BatchOptions, runBatch } from './engine.js';
export { collectDocuments, type InputDocument, InputError, readDocument } from './inputs.js';
export {
  type DocumentRecord,
  type DocumentState,
  JOURNAL_FILE,
  JournalLockedError,
  type JournalStore,
  type Lease,
  LeaseLostError,
  openFileJournal,
  readJournal,
  type SharedJournalStore,
} from './journal.js';
export { AdaptiveLimit } from './limiter.js';
export { type BatchSummary, csvCell, OUTPUT_FILES, summarize, writeOutputs } from './outputs.js';
