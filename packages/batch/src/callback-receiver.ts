import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_CALLBACK_BYTES, NONCE_PARAM } from '@idp-kit/client/callback';

/**
 * What the receiver makes of one callback whose nonce it knows: `foreign` (the nonce belongs to another
 * execution than the body names: 403), or `accepted` (204; `after` runs once IDP has been answered).
 */
export type CallbackVerdict =
  | { verdict: 'foreign' }
  | { verdict: 'accepted'; after?: () => Promise<void> | void };

/**
 * Judges a callback: its nonce (from the query string), looked up once, then the execution id its body
 * names against what the nonce was given for.
 */
export interface CallbackJudge<Known> {
  /** Before the body is read: what the nonce was given for, or undefined (401, the body unread). */
  find(nonce: string): Promise<Known | undefined>;
  judge(known: Known, executionId: string): CallbackVerdict;
}

/**
 * Where the receiver listens: `host:port`, `[v6]:port`, or a port alone (on 127.0.0.1).
 *
 * @example
 * ```ts
 * parseListen('0.0.0.0:8787'); // { host: '0.0.0.0', port: 8787 }
 * ```
 */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text) ?? /^()()(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port > 65_535) {
    throw new Error(
      `the callback listener address must be host:port (say 127.0.0.1:8787, or 0.0.0.0:8787 to listen on every interface), got "${text}"`,
    );
  }
  return { host: match[1] || match[2] || '127.0.0.1', port };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function answer(res: ServerResponse, status: number, title?: string, detail?: string): void {
  if (res.headersSent) return;
  if (!title) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/problem+json' });
  res.end(JSON.stringify({ status, title, detail }));
}

/** The body, at most `MAX_CALLBACK_BYTES`; `undefined` when it is larger. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_CALLBACK_BYTES) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The execution id a callback body names, or why it names none. */
function executionIdOf(text: string): string | { error: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { error: 'the body is not JSON' };
  }
  const id = (body as { executionId?: unknown } | null)?.executionId;
  return typeof id === 'string' && UUID.test(id) ? id : { error: 'the body names no executionId (a UUID)' };
}

async function handle<Known>(
  judge: CallbackJudge<Known>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== 'PATCH' && req.method !== 'POST') {
    res.setHeader('allow', 'PATCH, POST');
    return answer(res, 405, 'Method Not Allowed', 'IDP callbacks are PATCH (or POST)');
  }
  const nonce = new URL(req.url ?? '/', 'http://callback').searchParams.get(NONCE_PARAM) ?? '';
  // The nonce first: a sender without one learns nothing, and its body is not read.
  const known = nonce === '' ? undefined : await judge.find(nonce);
  if (known === undefined) return answer(res, 401, 'Unauthorized', 'missing or unknown nonce');
  const text = await readBody(req);
  if (text === undefined) return answer(res, 413, 'Content Too Large', `at most ${MAX_CALLBACK_BYTES} bytes`);
  const id = executionIdOf(text);
  if (typeof id !== 'string') return answer(res, 400, 'Bad Request', id.error);
  const verdict = judge.judge(known, id);
  if (verdict.verdict === 'foreign') {
    return answer(res, 403, 'Forbidden', 'this callback URL belongs to another execution');
  }
  // IDP does not retry a callback and must not wait on us: answered first, acted on after.
  answer(res, 204);
  await verdict.after?.();
}

/**
 * The batch's callback listener: a node:http server that answers each callback at once (204, 401, 403,
 * 400, 405 or 413) and leaves the fetch to the batch. Resolves once it listens.
 *
 * @example
 * ```ts
 * const receiver = await listenForCallbacks({ host: '127.0.0.1', port: 8787 }, judge);
 * await receiver.close();
 * ```
 */
export async function listenForCallbacks<Known>(
  at: { host: string; port: number },
  judge: CallbackJudge<Known>,
): Promise<{ address: { host: string; port: number }; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    handle(judge, req, res).catch(() => answer(res, 500));
  });
  // A slow sender must not hold a socket: IDP sends a few hundred bytes.
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'EADDRINUSE'
          ? 'the address is in use (another batch, or another program)'
          : error.code === 'EACCES'
            ? 'permission denied (ports below 1024 need privileges)'
            : error.message;
      reject(
        new Error(
          `cannot listen for IDP callbacks on ${at.host}:${at.port}: ${why}. Choose another address with --callback-listen host:port.`,
        ),
      );
    };
    server.once('error', failed);
    server.listen(at.port, at.host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  return {
    address: { host: at.host, port: bound.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
