import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CONTROL_PATH, TOKEN_PATH } from './fake-idp.js';
import type { FakeIdpStats } from './fake-idp-options.js';

/** tsx as testkit resolves it: the child runs TypeScript from any working folder. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** A fake IDP running in a child process; see `startFakeIdpProcess`. */
export interface FakeIdpProcess {
  baseUrl: string;
  tokenUrl: string;
  stats(): Promise<FakeIdpStats>;
  /** Requests (all but token requests) per consecutive window of `windowMs`. */
  perWindow(windowMs: number): Promise<number[]>;
  /** When each request came, token requests included (ms, the fake's clock). */
  arrivals(): Promise<number[]>;
  reset(): Promise<void>;
  stop(): void;
}

export interface FakeIdpProcessOptions {
  /** Environment of the child (added to this process's), for options modules that read settings. */
  env?: Record<string, string>;
  /** Node flags of the child; default `--import tsx` (testkit's own tsx, whatever the working folder). */
  execArgv?: string[];
}

/**
 * Starts the fake IDP in a child process, with the options that `config` (a module path or URL)
 * exports by default, and resolves once it listens. A bench uses it so that the fake's CPU and memory
 * are not the measured side's.
 *
 * @example
 * ```ts
 * // batch-fake.ts: export default { latencyMs: 50, polls: 3 } satisfies FakeIdpOptions;
 * const fake = await startFakeIdpProcess(new URL('./batch-fake.ts', import.meta.url));
 * // … run the batch against fake.baseUrl, then:
 * const { requests } = await fake.stats();
 * fake.stop();
 * ```
 */
export async function startFakeIdpProcess(
  config: string | URL,
  options: FakeIdpProcessOptions = {},
): Promise<FakeIdpProcess> {
  const entry = fileURLToPath(new URL('./fake-idp-process.ts', import.meta.url));
  const child = fork(entry, [String(config)], {
    execArgv: options.execArgv ?? ['--import', TSX],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    env: { ...process.env, ...options.env },
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`the fake IDP's process exited (${code}) before it listened`)),
    );
    child.stdout?.once('data', (chunk) => resolve(Number(String(chunk).trim())));
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const control = async (what: string) => {
    const res = await fetch(`${baseUrl}${CONTROL_PATH}${what}`);
    if (!res.ok) throw new Error(`the fake IDP's ${what} answered ${res.status}`);
    return res.status === 204 ? undefined : res.json();
  };
  return {
    baseUrl,
    tokenUrl: `${baseUrl}${TOKEN_PATH}`,
    stats: async () => (await control('stats')) as FakeIdpStats,
    perWindow: async (windowMs: number) => (await control(`windows?ms=${windowMs}`)) as number[],
    arrivals: async () => (await control('arrivals')) as number[],
    reset: async () => {
      await control('reset');
    },
    stop: () => {
      if (child.connected) child.disconnect();
      child.kill();
    },
  };
}
