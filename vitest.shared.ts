import { fileURLToPath } from 'node:url';

/**
 * Settings every package's vitest config starts from.
 *
 * The time limits here only catch a hang; no test relies on them to pass. `pnpm test` runs on 2-core
 * machines that are busy with other work too, where a cold Node child or a Prism start can take many
 * seconds, so the limits are generous. Tests whose subject is time use the fake clock instead.
 */
export const testDefaults = {
  testTimeout: 120_000,
  hookTimeout: 240_000,
  teardownTimeout: 60_000,
  // A failing run prints the whole reason, never a truncated diff.
  chaiConfig: { truncateThreshold: 0 },
  // A test during which the process emits a warning fails (with an allow-list that says why).
  setupFiles: [fileURLToPath(new URL('./test-setup/fail-on-warnings.ts', import.meta.url))] as string[],
} as const;
