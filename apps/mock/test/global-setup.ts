import type { TestProject } from 'vitest/node';
import { startMock } from '../src/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mockBaseUrl: string;
  }
}

/** One Prism process for the whole contract run. */
export default async function setup(project: TestProject) {
  const mock = await startMock();
  project.provide('mockBaseUrl', mock.baseUrl);
  return async () => {
    await mock.stop();
  };
}
