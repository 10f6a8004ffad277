import { defineConfig } from 'vitest/config';
import { testDefaults } from '../../vitest.shared.js';

const MOCKS_MODULES = ['test/wide-values.test.ts'];

export default defineConfig({
  test: {
    ...testDefaults,
    // Two files at a time: vitest's default on 2 cores is one (cores - 1), and much of this package's
    // time is spent waiting on child processes, the mock and its lifecycles, not on its own CPU.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'cli',
          // One Prism for the run (test/global-setup.ts); each file puts its own front over it.
          globalSetup: ['./test/global-setup.ts'],
          include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
          exclude: MOCKS_MODULES,
          // The files share one worker process and its loaded modules: on 2 cores (one worker) each file
          // used to pay a fresh process and a fresh import of the whole CLI. The tests keep no state in
          // modules (the CLI's is per main() call), and none mocks a module, but see below.
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          // vi.mock() replaces a module for its file only if the file has a module cache of its own.
          name: 'cli-mocks',
          include: MOCKS_MODULES,
          isolate: true,
        },
      },
    ],
  },
});
