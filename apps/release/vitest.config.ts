import { defineConfig } from 'vitest/config';
import { sharedWorkers, testDefaults } from '../../vitest.shared.js';

export default defineConfig({
  test: {
    ...testDefaults,
    ...sharedWorkers,
    // The tarballs, packed once for the run (test/global-setup.ts).
    globalSetup: ['./test/global-setup.ts'],
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
  },
});
