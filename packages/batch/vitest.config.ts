import { defineConfig } from 'vitest/config';
import { testDefaults } from '../../vitest.shared.js';

export default defineConfig({
  test: {
    ...testDefaults,
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // One PostgreSQL cluster and one compiled child batch for the whole run (test/global-setup.ts).
    globalSetup: ['./test/global-setup.ts'],
  },
});
