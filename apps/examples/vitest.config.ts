import { defineConfig } from 'vitest/config';
import { testDefaults } from '../../vitest.shared.js';

export default defineConfig({
  test: {
    ...testDefaults,
    // One Prism for the run (src/global-setup.ts); each example's mock is a front over it.
    globalSetup: ['./src/global-setup.ts'],
    include: ['src/**/*.test.ts'],
    // Both files at once (vitest's default on 2 cores is one): each test waits on an example child
    // process and the mock more than it computes. Each file in its own worker, as before.
    maxWorkers: 2,
  },
});
