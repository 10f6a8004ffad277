export { EXAMPLE_EXECUTION } from './example.js';
export { resolveSpecPath } from './spec-path.js';
export { freePort, type RunningMock, type StartMockOptions, startMock } from './start-mock.js';
