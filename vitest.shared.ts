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

/**
 * For a package whose test files keep no state in modules and mock no module: two files at a time
 * (vitest's default on 2 cores is one: cores - 1), in workers that keep their loaded modules from file
 * to file instead of a fresh process and a fresh import per file. Most of these suites' time is spent
 * waiting on loopback servers and child processes, not on their own CPU; measured per package (quiet
 * beside a mutation run): client 85 → 38 s, mcp 114 → 64 s, mock 77 → 53 s, eval 23 → 16 s, faults
 * 49 → 32 s, and less CPU (no re-import). A file that needs `vi.mock` goes in a project of its own, as
 * the CLI's `cli-mocks` does.
 */
export const sharedWorkers = { maxWorkers: 2, isolate: false } as const;
