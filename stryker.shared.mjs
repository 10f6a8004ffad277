// Settings every package's stryker.config.mjs starts from (as vitest.shared.ts is for vitest).
// `pnpm mutation` runs them; docs/mutation.md says how and what the scores are.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A Stryker config for the package in the current directory, mutating `mutate` and testing with the
 * package's own vitest suite.
 *
 * @example
 * ```js
 * export default strykerConfig({ mutate: ['src/**\/*.ts', '!src/index.ts'], target: 85 });
 * ```
 *
 * @param {{ mutate: string[], target?: number, testFiles?: string[], coverageAnalysis?: 'perTest' | 'all' | 'off' }} options
 */
export function strykerConfig({ mutate, target, testFiles, coverageAnalysis = 'perTest' }) {
  return {
    testRunner: 'vitest',
    // pnpm's strict node_modules hide the runner from Stryker's own plugin lookup: name it by its path.
    plugins: [require.resolve('@stryker-mutator/vitest-runner')],
    vitest: { configFile: 'vitest.config.ts' },
    // The sandbox copy would break each tsconfig's relative `extends`.
    inPlace: true,
    // Two cores shared by many: one test runner. `pnpm mutation --concurrency N` raises it.
    concurrency: 1,
    coverageAnalysis,
    mutate,
    ...(testFiles ? { testFiles } : {}),
    // A busy machine slows the loopback tests; a mutant is a timeout only well past the usual time.
    timeoutMS: 10_000,
    reporters: ['html', 'json', 'progress', 'clear-text'],
    htmlReporter: { fileName: 'reports/mutation/mutation.html' },
    jsonReporter: { fileName: 'reports/mutation/mutation.json' },
    clearTextReporter: { reportTests: false, reportMutants: true, reportScoreTable: true },
    incrementalFile: 'reports/stryker-incremental.json',
    tempDirName: 'reports/.stryker-tmp',
    thresholds: { high: target ?? 80, low: 60, break: null },
  };
}
