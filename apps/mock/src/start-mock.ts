import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { resolveSpecPath } from './spec-path.js';

/**
 * Options of `startMock()`.
 *
 * @example
 * ```ts
 * await startMock({ port: 4010, log: process.stderr });
 * ```
 */
export interface StartMockOptions {
  /** Port to listen on; default a free one. */
  port?: number;
  /** Host to bind; default `127.0.0.1`. */
  host?: string;
  /** Spec to mock; default the idp-kit spec. */
  specPath?: string;
  /** How long to wait for Prism to answer; default 30 s. */
  readyTimeoutMs?: number;
  /** Forward Prism's own log lines (each request, each violation) to this stream. */
  log?: NodeJS.WritableStream;
}

/**
 * A running Prism mock; see `startMock()`.
 *
 * @example
 * ```ts
 * const mock: RunningMock = await startMock();
 * await mock.stop();
 * ```
 */
export interface RunningMock {
  /** Base URL of both the runtime API and the token endpoint, e.g. `http://127.0.0.1:4010`. */
  readonly baseUrl: string;
  /** Token URL to give `clientCredentials({ tokenUrl })`. */
  readonly tokenUrl: string;
  readonly port: number;
  /** Stops Prism; resolves once the process has exited. Safe to call twice. */
  stop(): Promise<void>;
}

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

async function waitUntilAnswering(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Prism exited before it was ready (code ${child.exitCode ?? child.signalCode})`);
    }
    try {
      // Any HTTP answer (Prism's own 404 for `/`) means it is listening.
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await res.body?.cancel();
      return;
    } catch {
      await delay(100);
    }
  }
  throw new Error(`Prism did not answer on ${url} within ${timeoutMs} ms`);
}

/**
 * Starts Prism 5 over the idp-kit spec and resolves once it answers.
 *
 * @example
 * ```ts
 * const mock = await startMock();
 * // … point clients at mock.baseUrl and mock.tokenUrl …
 * await mock.stop();
 * ```
 */
export async function startMock(options: StartMockOptions = {}): Promise<RunningMock> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort(host));
  const specPath = options.specPath ?? resolveSpecPath();
  const child = spawn(
    process.execPath,
    [prismBin(), 'mock', '--host', host, '--port', String(port), specPath],
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

  const baseUrl = `http://${host}:${port}`;
  try {
    await waitUntilAnswering(`${baseUrl}/`, child, options.readyTimeoutMs ?? 30_000);
  } catch (error) {
    await stop();
    const detail = output.join('').trim().split('\n').slice(-10).join('\n');
    throw new Error(`${(error as Error).message}${detail ? `\nPrism said:\n${detail}` : ''}`);
  }
  return { baseUrl, tokenUrl: `${baseUrl}/accounts/api/v2/oauth2/token`, port, stop };
}
