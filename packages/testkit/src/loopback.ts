import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * Answers one request. `bytes` is the body as it arrived (binary-safe), for handlers that hash or parse
 * uploads; `req.body` is the same body decoded as UTF-8.
 */
export type Handler = (
  req: Recorded,
  res: ServerResponse,
  index: number,
  bytes: Buffer,
) => void | Promise<void>;

export interface LoopbackOptions {
  /**
   * Keep every request in `requests` (default true). A long-running server (a bench's fake) turns it
   * off, or it would hold every body it was ever sent.
   */
  record?: boolean;
  /** How long an idle keep-alive connection stays open, in ms (default Node's 5 s). */
  keepAliveMs?: number;
}

export interface Loopback {
  url: string;
  requests: Recorded[];
  /** Most requests being handled at the same time. */
  maxConcurrent: number;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 that records every request. */
export async function loopback(handler: Handler, options: LoopbackOptions = {}): Promise<Loopback> {
  const requests: Recorded[] = [];
  const record = options.record ?? true;
  let received = 0;
  let active = 0;
  const state = { maxConcurrent: 0 };
  const server = createServer(async (req, res) => {
    active++;
    state.maxConcurrent = Math.max(state.maxConcurrent, active);
    res.on('close', () => active--);
    res.on('error', () => {}); // a client that went away (a test killed it) is not the server's error
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      // The client hung up before its request was whole: nothing arrived to act on, nothing recorded.
      res.destroy();
      return;
    }
    const bytes = Buffer.concat(chunks);
    const recorded = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: bytes.toString(),
    };
    if (record) requests.push(recorded);
    await handler(recorded, res, received++, bytes);
  });
  if (options.keepAliveMs !== undefined) server.keepAliveTimeout = options.keepAliveMs;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get maxConcurrent() {
      return state.maxConcurrent;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
