import { defineConfig } from 'vitest/config';
import { sharedWorkers, testDefaults } from '../../vitest.shared.js';

export default defineConfig({
  test: {
    ...testDefaults,
    ...sharedWorkers,
    include: ['test/**/*.test.ts'],
  },
});
