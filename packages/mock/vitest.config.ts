import { defineConfig } from 'vitest/config';
import { testDefaults } from '../../vitest.shared.js';

export default defineConfig({
  test: {
    ...testDefaults,
    globalSetup: ['./test/global-setup.ts'],
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
  },
});
