import { startMock } from '@idp-kit/mock';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's one Prism over the spec: test files put their own mock front over it (`mockFront()`). */
    prismUrl: string;
  }
}

/**
 * One Prism for the whole CLI run. Each Prism start costs a Node process and seconds of CPU on a busy
 * 2-core machine; the files used to start nine. Only the tests of `idp mock` itself start their own.
 */
export default async function setup(project: TestProject) {
  const mock = await startMock();
  project.provide('prismUrl', mock.prismUrl);
  return async () => {
    await mock.stop();
  };
}
