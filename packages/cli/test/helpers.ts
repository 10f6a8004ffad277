import { fileURLToPath } from 'node:url';
import { type RunningMock, startMock } from '@idp-kit/mock';
import { IDS, type Ran } from '@idp-kit/testkit';
import { inject } from 'vitest';
import { main } from '../src/program.js';

/** The built CLI, as users run it: for what only a process shows (exit through the bin, signals, pipes). */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** This process's environment without any IDP_* setting: each test says what it sets. */
export const cleanEnv: Record<string, string> = Object.fromEntries(
  Object.entries(process.env).filter(
    (entry): entry is [string, string] => !entry[0].startsWith('IDP_') && entry[1] !== undefined,
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

/** What `runIdp` gives `main()`: the environment (default `cleanEnv`), the folder, Ctrl-C. */
export interface RunIdpOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Aborting it is what Ctrl-C does in the bin. */
  signal?: AbortSignal;
  /** stdout is a terminal this wide (default: a pipe). Colours still follow `env` (NO_COLOR). */
  terminalColumns?: number;
}

/**
 * A stdout or stderr that keeps what is written, as a pipe would (no TTY: no colours, no spinner).
 * Writes land at once, so the text is complete when `main()` resolves.
 */
function captured(columns?: number): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = {
    isTTY: columns !== undefined,
    columns,
    write(chunk: string | Uint8Array, ...rest: unknown[]): boolean {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const done = rest.find((arg): arg is () => void => typeof arg === 'function');
      done?.();
      return true;
    },
    on: () => stream,
    once: () => stream,
    off: () => stream,
    removeListener: () => stream,
    emit: () => false,
    end: () => stream,
  };
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
}

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
export async function runIdp(argv: string[], options: RunIdpOptions = {}): Promise<Ran> {
  const stdout = captured(options.terminalColumns);
  const stderr = captured();
  const code = await main(argv, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: options.env ?? cleanEnv,
    cwd: options.cwd ?? process.cwd(),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
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
