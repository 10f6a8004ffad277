import { defineConfig } from 'vitest/config';
import { testDefaults } from '../../vitest.shared.js';

export default defineConfig({
  test: {
    ...testDefaults,
    // One Prism for the run (test/global-setup.ts); each file puts its own front over it.
    globalSetup: ['./test/global-setup.ts'],
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
  },
});
