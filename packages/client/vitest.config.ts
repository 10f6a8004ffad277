import { defineConfig } from 'vitest/config';
import { sharedWorkers, testDefaults } from '../../vitest.shared.js';

export default defineConfig({
  test: {
    ...testDefaults,
    ...sharedWorkers,
    // test/*.test-d.ts (type tests) are checked by this package's `typecheck` task: its tsconfig
    // includes test/, so a type that stops narrowing is a tsc error there. Running them again through
    // vitest's typecheck mode was a second tsc over the whole client in every test run.
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
  },
});
