import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { EXAMPLE_EXECUTION } from './example.js';

const EXIT_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function prismBin(): string {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('@stoplight/prism-cli/package.json');
  return join(dirname(pkgPath), 'dist', 'index.js');
}

/**
 * A port the OS says is free right now.
 *
 * @example
 * ```ts
 * const mock = await startMock({ port: await freePort() });
 * ```
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not determine a free port'));
      });
    });
  });
}

const { organizationId, actionId, actionVersion, executionId } = EXAMPLE_EXECUTION;
const PROBE = `/api/v1/organizations/${organizationId}/actions/${actionId}/versions/${actionVersion}/executions/${executionId}`;

/**
 * True once *this* Prism answers from *our* spec: a request without a token gets the spec's 401 with
 * Prism's `sl-violations` header. Any other program on the port would not say that.
 */
async function answersAsPrism(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}${PROBE}`, { signal: AbortSignal.timeout(5_000) });
    await res.body?.cancel();
    return res.status === 401 && res.headers.has('sl-violations');
  } catch {
    return false;
  }
}

export interface RunningPrism {
  url: string;
  stop(): Promise<void>;
}

/** Starts Prism on a free loopback port and resolves once it answers as Prism over `specPath`. */
export async function startPrism(options: {
  specPath: string;
  readyTimeoutMs: number;
  log?: NodeJS.WritableStream | undefined;
}): Promise<RunningPrism> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [prismBin(), 'mock', '--host', '127.0.0.1', '--port', String(port), options.specPath],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0' },
    },
  );
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 50) output.shift();
    options.log?.write(chunk);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  // Prism must not outlive this process: not on exit, and not when a signal ends it.
  const killOnExit = () => child.kill('SIGKILL');
  const onSignal = (signal: NodeJS.Signals) => {
    killOnExit();
    forget();
    // Keep the signal's usual effect unless the program handles it itself.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const forget = () => {
    process.removeListener('exit', killOnExit);
    for (const signal of EXIT_SIGNALS) process.removeListener(signal, onSignal);
  };
  process.once('exit', killOnExit);
  for (const signal of EXIT_SIGNALS) process.once(signal, onSignal);

  const stop = async () => {
    forget();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };

  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForPrism(url, child, options.readyTimeoutMs);
  } catch (error) {
    await stop();
    const detail = output.join('').trim().split('\n').slice(-10).join('\n');
    throw new Error(`${(error as Error).message}${detail ? `\nPrism said:\n${detail}` : ''}`);
  }
  return { url, stop };
}

async function waitForPrism(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`startMock: Prism exited before it was ready (${child.exitCode ?? child.signalCode})`);
    }
    if (await answersAsPrism(url)) return;
    await delay(200);
  }
  throw new Error(
    `startMock: waited ${timeoutMs} ms for Prism to answer at ${url}${PROBE} and it did not; ` +
      'the machine may be overloaded (raise readyTimeoutMs) or Prism failed to start',
  );
}
