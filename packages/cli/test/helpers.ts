import { fileURLToPath } from 'node:url';
import { type RunningMock, startMock } from '@idp-kit/mock';
import { IDS, type InProcessOptions, type Ran, runMain } from '@idp-kit/testkit';
import { inject } from 'vitest';
import { main } from '../src/program.js';

/** The built CLI, as users run it: for what only a process shows (exit through the bin, signals, pipes). */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/**
 * What a package manager sets when it runs a script (`npm_package_name`, `npm_package_json`,
 * `npm_config_user_agent`, … and `INIT_CWD`). The CLI reads them to tell `pnpm idp` from `idp` in the
 * commands it prints, so a test that inherited them would pass or fail by how it was launched (`pnpm
 * test`, `pnpm exec vitest`, `pnpm mutation`). A test that is about them sets them itself.
 */
const isScriptVariable = (name: string) => name.startsWith('npm_') || name === 'INIT_CWD';

/**
 * This process's environment without any IDP_* setting and without the package manager's script
 * variables: each test says what it sets, and runs the same however it was launched.
 */
export const cleanEnv: Record<string, string> = Object.fromEntries(
  Object.entries(process.env).filter(
    (entry): entry is [string, string] =>
      !entry[0].startsWith('IDP_') && !isScriptVariable(entry[0]) && entry[1] !== undefined,
  ),
);

/** The settings that point idp at a runtime and token endpoint (a mock, a fake), with a client secret. */
export function settingsFor(
  target: { baseUrl: string; tokenUrl: string },
  secret = 'cli-secret-1234',
): Record<string, string> {
  return {
    IDP_BASE_URL: target.baseUrl,
    IDP_TOKEN_URL: target.tokenUrl,
    IDP_ORG_ID: IDS.organizationId,
    IDP_CLIENT_ID: 'cli-client',
    IDP_CLIENT_SECRET: secret,
  };
}

/** What `runIdp` gives `main()`: the environment (default `cleanEnv`), the folder, Ctrl-C, a terminal. */
export type RunIdpOptions = Partial<InProcessOptions>;

/**
 * `idp …argv` in this process, through the same `main(argv, io)` the bin calls: the exit code and what
 * it printed. Much cheaper than a cold Node child; the bin's own part (SIGINT, EPIPE, `process.exitCode`)
 * is tested by spawning it.
 *
 * @example
 * ```ts
 * const run = await runIdp(['get', ...REF_FLAGS], { env: { ...cleanEnv, ...settingsFor(mock) } });
 * expect(run.code).toBe(0);
 * ```
 */
export function runIdp(argv: string[], options: RunIdpOptions = {}): Promise<Ran> {
  return runMain(main, argv, { ...options, env: options.env ?? cleanEnv });
}

/**
 * The mock as users run it (the front: well-known ids, lifecycles, uploads), over the one Prism that
 * test/global-setup.ts started for the whole run. A front is cheap and keeps its own clock and
 * submitted documents, so each test file gets its own; a Prism start costs a process and seconds of CPU.
 *
 * @example
 * ```ts
 * const mock = await mockFront({ lifecycleMs: 1_000 });
 * // … settingsFor(mock) …
 * await mock.stop();
 * ```
 */
export function mockFront(options: { lifecycleMs?: number } = {}): Promise<RunningMock> {
  return startMock({ ...options, prismUrl: inject('prismUrl') });
}
