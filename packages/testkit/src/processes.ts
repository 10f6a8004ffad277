import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

export interface NodeOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

/** Runs `node …args` to the end; never rejects on a non-zero exit (the code is the point). */
export function runNode(args: string[], options: NodeOptions = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      {
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 30_000,
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
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const ready = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ${readyWhen} in stdout within ${options.timeoutMs ?? 30_000} ms:\n${output}`));
    }, options.timeoutMs ?? 30_000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = readyWhen.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
  });
  return { child, ready, output: () => output, exited };
}
