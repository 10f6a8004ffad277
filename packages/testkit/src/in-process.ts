import type { Ran } from './processes.js';

/** A CLI's `main(argv, io)`: the shape of `@idp-kit/cli`'s, which its bin calls. */
export type CliMain = (
  argv: string[],
  io: {
    stdout: NodeJS.WriteStream;
    stderr: NodeJS.WriteStream;
    env: Record<string, string | undefined>;
    cwd: string;
    signal?: AbortSignal;
  },
) => Promise<number>;

/** What `runMain` hands `main()`. */
export interface InProcessOptions {
  /** The whole environment `main()` sees (nothing of this process's is added). */
  env: Record<string, string | undefined>;
  /** Default this process's folder. */
  cwd?: string;
  /** Aborting it is what Ctrl-C does in the bin. */
  signal?: AbortSignal;
  /** stdout is a terminal this wide (default: a pipe). Colours still follow `env` (NO_COLOR). */
  terminalColumns?: number;
}

/**
 * A stdout or stderr that keeps what is written, as a pipe would (no TTY unless `columns` is given).
 * Writes land at once, so the text is whole when `main()` resolves.
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
 * Runs a CLI's `main(argv, io)` in this process and returns what a spawned run would: the exit code and
 * what it printed. A cold Node child costs about half a second of CPU, many seconds on a busy 2-core
 * machine; this costs milliseconds. What only a process shows (the bin's signal handlers, EPIPE, exit
 * through `process.exitCode`) still needs the bin, spawned.
 *
 * @example
 * ```ts
 * import { main } from '../src/program.js';
 * const run = await runMain(main, ['get', '--help'], { env: { NO_COLOR: '1' } });
 * expect(run.code).toBe(0);
 * ```
 */
export async function runMain(main: CliMain, argv: string[], options: InProcessOptions): Promise<Ran> {
  const stdout = captured(options.terminalColumns);
  const stderr = captured();
  const code = await main(argv, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: options.env,
    cwd: options.cwd ?? process.cwd(),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
