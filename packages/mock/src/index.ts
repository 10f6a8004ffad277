export type { MockCallbackEvent, MockCallbackOptions } from './callbacks.js';
export { asVersion, CANDIDATE_CHANGES, MOCK_VERSIONS } from './candidate-version.js';
export { EXAMPLE_EXECUTION } from './example.js';
export { createMockFront, type FrontOptions, MAX_UPLOAD_BYTES, type MockFront } from './front.js';
export { freePort } from './prism.js';
export { MOCK_EXECUTIONS } from './scenarios.js';
export { exportLines, mockSettings } from './settings.js';
export { resolveSpecPath } from './spec-path.js';
export { MockStartError, type RunningMock, type StartMockOptions, startMock } from './start-mock.js';
