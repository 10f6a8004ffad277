import type { TestProject } from 'vitest/node';
import { startMock } from '../src/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Prism alone: the contract tests hold the client to the spec here. */
    prismUrl: string;
    /** The mock as users run it: Prism behind the front (well-known ids, lifecycles). */
    mockBaseUrl: string;
  }
}

/** One mock (one Prism process) for the whole run. */
export default async function setup(project: TestProject) {
  const mock = await startMock({ lifecycleMs: 2_000 });
  project.provide('prismUrl', mock.prismUrl);
  project.provide('mockBaseUrl', mock.baseUrl);
  return async () => {
    await mock.stop();
  };
}
