import { createServer, type RequestListener, type Server } from 'node:http';
import { checkCallbackOptions, type MockCallbackOptions } from './callbacks.js';
import { createMockFront } from './front.js';
import { type RunningPrism, startPrism } from './prism.js';
import { resolveSpecPath } from './spec-path.js';
import { answerStarting } from './starting.js';

/**
 * Options of `startMock()`.
 *
 * @example
 * ```ts
 * await startMock({ port: 4010, lifecycleMs: 5_000, log: process.stderr });
 * // Another front over a Prism that runs already (a test run's shared one):
 * await startMock({ prismUrl: first.prismUrl, lifecycleMs: 1_000 });
 * ```
 */
export interface StartMockOptions {
  /** Port to listen on; default a free one. A port that is taken is refused with an error. */
  port?: number;
  /** Host to bind; default `127.0.0.1`. */
  host?: string;
  /** Spec to mock; default the idp-kit spec. */
  specPath?: string;
  /** How long to wait for Prism to answer; default 120 s (a busy machine can take long). */
  readyTimeoutMs?: number;
  /** How long one lifecycle (`MOCK_EXECUTIONS.lifecycle`, submitted documents) takes; default 20 s. */
  lifecycleMs?: number;
  /** Forward Prism's own log lines (each request, each violation) to this stream. */
  log?: NodeJS.WritableStream;
  /**
   * How a submit with a `callback` part is called back when its execution settles (a PATCH with
   * `{executionId, actionId, version}`, loopback URLs only): a delay, a share lost; default at once, none lost.
   */
  callbacks?: MockCallbackOptions;

  /**
   * A Prism that is already running over the spec (another mock's `prismUrl`): this mock puts its own
   * front (its own port, clock and submitted documents) over it instead of starting a Prism, which costs
   * a Node process and seconds of CPU. `stop()` leaves that Prism running. Test runs share one this way.
   */
  prismUrl?: string;
}

/**
 * A running mock; see `startMock()`.
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
  /** Prism itself, without the front: every request answered straight from the spec (contract tests). */
  readonly prismUrl: string;
  /** Stops the mock; resolves once Prism has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Thrown when the mock cannot start: the port is taken, or Prism did not come up.
 *
 * @example
 * ```ts
 * try { await startMock({ port: 4010 }); } catch (e) { if (e instanceof MockStartError) console.error(e.message); }
 * ```
 */
export class MockStartError extends Error {
  override readonly name = 'MockStartError';
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new MockStartError(
              `port ${port} on ${host} is already in use by another program; stop it, or choose another port (idp mock --port N, or PORT=N pnpm mock)`,
            )
          : new MockStartError(`cannot listen on ${host}:${port}: ${error.message}`),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/**
 * Starts the mock: Prism over the idp-kit spec, behind a small front that picks each answer from the
 * execution id (see `MOCK_EXECUTIONS`). The front takes the port first, so a taken port fails at once and
 * the printed settings never point at another program; until Prism answers, every request gets a 503
 * with `Retry-After: 1`. Resolves once Prism answers.
 *
 * @example
 * ```ts
 * const mock = await startMock();
 * // … point clients at mock.baseUrl and mock.tokenUrl …
 * await mock.stop();
 * ```
 */
export async function startMock(options: StartMockOptions = {}): Promise<RunningMock> {
  const { prismUrl } = options;
  if (prismUrl !== undefined) {
    // Someone else's Prism: theirs to stop.
    return startMockOver(options, async () => ({ url: prismUrl, stop: async () => {} }));
  }
  return startMockOver(options, () =>
    startPrism({
      specPath: options.specPath ?? resolveSpecPath(),
      readyTimeoutMs: options.readyTimeoutMs ?? 120_000,
      log: options.log,
    }),
  );
}

/**
 * `startMock()` with the Prism launcher given, so a test decides when Prism is ready. `launchPrism` is
 * called once the port is taken. Internal: not exported from the package.
 */
export async function startMockOver(
  options: Pick<StartMockOptions, 'port' | 'host' | 'lifecycleMs' | 'callbacks'>,
  launchPrism: () => Promise<RunningPrism>,
): Promise<RunningMock> {
  // A bad option fails before the port is taken or Prism is started.
  if (options.callbacks) checkCallbackOptions(options.callbacks);
  const host = options.host ?? '127.0.0.1';
  // A handler from the first connection on: nothing the port accepts is left unanswered.
  let handle: RequestListener = answerStarting;
  const server = createServer((req, res) => handle(req, res));
  const port = await listen(server, options.port ?? 0, host);
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  let prism: RunningPrism;
  try {
    prism = await launchPrism();
  } catch (error) {
    await close();
    throw new MockStartError((error as Error).message, { cause: error });
  }
  const front = createMockFront({
    prismUrl: prism.url,
    ...(options.lifecycleMs !== undefined ? { lifecycleMs: options.lifecycleMs } : {}),
    ...(options.callbacks !== undefined ? { callbacks: options.callbacks } : {}),
  });
  handle = front;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    // Callbacks not yet sent are dropped with the mock: no timer outlives it.
    front.close();
    stopped ??= Promise.all([close(), prism.stop()]).then(() => undefined);
    return stopped;
  };
  const baseUrl = `http://${host}:${port}`;
  return { baseUrl, tokenUrl: `${baseUrl}/accounts/api/v2/oauth2/token`, port, prismUrl: prism.url, stop };
}
