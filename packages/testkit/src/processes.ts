import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

export interface NodeOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Only a hang guard, sized for a busy 2-core machine; default 90 s. */
  timeoutMs?: number;
  /** Bytes of stdout or stderr kept before the child is killed; default 1 MiB (execFile's). */
  maxBuffer?: number;
}

/** A cold Node child with tsx can take many seconds on a loaded machine; this only catches hangs. */
const HANG_GUARD_MS = 90_000;

/** Runs `node …args` to the end; never rejects on a non-zero exit (the code is the point). */
export function runNode(args: string[], options: NodeOptions = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      {
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? HANG_GUARD_MS,
        killSignal: 'SIGKILL',
        ...(options.maxBuffer ? { maxBuffer: options.maxBuffer } : {}),
        ...(options.cwd ? { cwd: options.cwd } : {}),
      },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

export interface Started {
  child: ChildProcessWithoutNullStreams;
  /** What `readyWhen` matched in stdout. */
  ready: RegExpExecArray;
  /** All stdout so far. */
  output(): string;
  /** All stderr so far. */
  errors(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/**
 * Starts `node …args` and resolves once its stdout matches `readyWhen` (a server printing its URL, say).
 * Kill the child when done: `started.child.kill()`.
 */
export async function startNode(
  args: string[],
  readyWhen: RegExp,
  options: NodeOptions = {},
): Promise<Started> {
  const child = spawn(process.execPath, args, {
    env: options.env ?? process.env,
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  let output = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const ready = await new Promise<RegExpExecArray>((resolve, reject) => {
    const limit = options.timeoutMs ?? HANG_GUARD_MS;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `setup: waited ${limit} ms for \`node ${args.join(' ')}\` to print ${readyWhen}; it printed:\n${output}${stderr}`,
        ),
      );
    }, limit);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `setup: \`node ${args.join(' ')}\` exited (${code ?? signal}) before printing ${readyWhen}:\n${output}${stderr}`,
        ),
      );
    });
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = readyWhen.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
  });
  return { child, ready, output: () => output, errors: () => stderr, exited };
}
