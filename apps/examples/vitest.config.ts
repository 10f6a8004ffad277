import { defineConfig } from 'vitest/config';
import { testDefaults } from '../../vitest.shared.js';

export default defineConfig({
  test: {
    ...testDefaults,
    // One Prism for the run (src/global-setup.ts); each example's mock is a front over it.
    globalSetup: ['./src/global-setup.ts'],
    include: ['src/**/*.test.ts'],
  },
});
