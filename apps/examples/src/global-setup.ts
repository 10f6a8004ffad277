import { startMock } from '@idp-kit/mock';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's one Prism: each example run puts its own mock front over it (IDP_MOCK_PRISM_URL). */
    prismUrl: string;
  }
}

/**
 * One Prism for the whole examples run. Each example run used to start a Prism of its own: a second
 * Node process and seconds of CPU per run, the largest part of this suite's time on 2 cores.
 */
export default async function setup(project: TestProject) {
  const mock = await startMock();
  project.provide('prismUrl', mock.prismUrl);
  return async () => {
    await mock.stop();
  };
}
