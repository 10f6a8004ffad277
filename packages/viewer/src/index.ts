export { type BatchItem, batchView, documentKind, executionView } from './build.js';
export type { BatchView, ExecutionView, ViewBox, ViewData, ViewField } from './model.js';
export {
  embedDocument,
  type RunningViewer,
  renderPage,
  startViewer,
  type ViewerOptions,
  writeStandalone,
} from './server.js';
