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

/**
 * Starts Prism on a loopback port of the system's choosing and resolves once it answers as Prism over
 * `specPath`. Prism is given port 0 and says which port it took ("Prism is listening on …"): a port
 * picked here and handed over could be taken by another program in between (seen with many tests
 * starting servers at once), and Prism would then exit before it was ready.
 */
export async function startPrism(options: {
  specPath: string;
  readyTimeoutMs: number;
  log?: NodeJS.WritableStream | undefined;
}): Promise<RunningPrism> {
  const child = spawn(
    process.execPath,
    [prismBin(), 'mock', '--host', '127.0.0.1', '--port', '0', options.specPath],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0' },
    },
  );
  const output: string[] = [];
  let listening: string | undefined;
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    output.push(text);
    if (output.length > 50) output.shift();
    listening ??= LISTENING.exec(output.slice(-2).join(''))?.[1];
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

  let url: string;
  try {
    url = await waitForPrism(() => listening, child, options.readyTimeoutMs);
  } catch (error) {
    await stop();
    const detail = output.join('').trim().split('\n').slice(-10).join('\n');
    throw new Error(`${(error as Error).message}${detail ? `\nPrism said:\n${detail}` : ''}`);
  }
  return { url, stop };
}

/** The line Prism writes once it listens, with the address it took. */
const LISTENING = /Prism is listening on (http:\/\/127\.0\.0\.1:\d+)/;

/** Resolves with Prism's URL once it has said where it listens and answers there as Prism. */
async function waitForPrism(
  listening: () => string | undefined,
  child: ChildProcess,
  timeoutMs: number,
): Promise<string> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`startMock: Prism exited before it was ready (${child.exitCode ?? child.signalCode})`);
    }
    const url = listening();
    if (url !== undefined && (await answersAsPrism(url))) return url;
    await delay(200);
  }
  const url = listening();
  throw new Error(
    `startMock: waited ${timeoutMs} ms for Prism to answer ${url ? `at ${url}${PROBE}` : '(it never said where it listens)'} and it did not; ` +
      'the machine may be overloaded (raise readyTimeoutMs) or Prism failed to start',
  );
}
