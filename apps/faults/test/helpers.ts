import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { inspect } from 'node:util';
import { expect } from 'vitest';

export const SECRET = 'Fault-Secret-9f8e7d6c5b4a';
export const TOKEN = 'tok-0';
/** A live token a hostile token endpoint issues: '/', '+' and '=' spell differently in JSON and URLs. */
export const LIVE_TOKEN = 'eyJhbGciOi.Live+Token/7c6b5a49=';
/** Anypoint Basic credentials (IDP_USERNAME, IDP_PASSWORD). */
export const BASIC = { username: 'ap-reviewer', password: 'Basic-Pass/9a8b+7c=' } as const;
export const BASIC_PAIR = `${BASIC.username}:${BASIC.password}`;
export const BASIC_HEADER = `Basic ${Buffer.from(BASIC_PAIR).toString('base64')}`;

/** `secret` as is, JSON-escaped (also with `\/`), URL-encoded (component and form). */
export function spellings(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  return [
    secret,
    json,
    json.replaceAll('/', '\\/'),
    encodeURIComponent(secret),
    new URLSearchParams([['', secret]]).toString().slice(1),
  ];
}

/**
 * Every live credential of the suite in every spelling: the client secret, the live token, the Basic
 * header's value (base64 of user:pass), user:pass and the password.
 */
export const LIVE_SECRETS = [
  ...new Set(
    [SECRET, LIVE_TOKEN, BASIC_HEADER.slice('Basic '.length), BASIC_PAIR, BASIC.password].flatMap(spellings),
  ),
];

/**
 * The one check every fault shares: neither the client secret nor a token (nor the Basic credentials,
 * in any spelling) appears in what a user or a log could see: the message, String(), util.inspect
 * (hidden fields, causes), JSON.
 */
export function assertNoSecrets(value: unknown, secrets: string[] = [...LIVE_SECRETS, 'Bearer ']): void {
  const views = [String(value), inspect(value, { depth: 10, showHidden: true }), safeJson(value)];
  for (let e: unknown = value, depth = 0; e instanceof Error && depth < 6; e = e.cause, depth++) {
    views.push(e.message, e.stack ?? '');
  }
  for (const view of views) for (const secret of secrets) expect(view).not.toContain(secret);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

/** Active timers of this process (vitest's own included): compare before and after. */
export function timers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

/** Settles `promise`, then checks that it left no timer behind. */
export async function settledWithoutLeaks<T>(
  promise: Promise<T>,
  before: number,
): Promise<PromiseSettledResult<T>> {
  const [result] = await Promise.allSettled([promise]);
  await new Promise((resolve) => setImmediate(resolve));
  expect(timers(), 'a timer outlived the call').toBeLessThanOrEqual(before);
  return result as PromiseSettledResult<T>;
}

/** The rejection of a settled result (fails the test when it fulfilled). */
export function rejected(result: PromiseSettledResult<unknown>): unknown {
  expect(result.status, 'expected the call to fail').toBe('rejected');
  return (result as PromiseRejectedResult).reason;
}

export interface RawServer {
  url: string;
  connections: number;
  close(): Promise<void>;
}

/**
 * A TCP server speaking just enough HTTP to misbehave: `onRequest` gets the socket once a request head
 * has arrived and may answer, cut, stall or never answer.
 */
export async function rawServer(onRequest: (socket: Socket, index: number) => void): Promise<RawServer> {
  const sockets = new Set<Socket>();
  let requests = 0;
  const state = { connections: 0 };
  const server: Server = createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    // A request starts with its request line; a blank line inside a multipart body is not a request.
    const head = /(?:GET|POST|PUT|PATCH|DELETE|HEAD) \S+ HTTP\/1\.1\r\n[\s\S]*?\r\n\r\n/g;
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      head.lastIndex = 0;
      let seen = 0;
      while (head.exec(received)) seen++;
      for (; seen > 0; seen--) {
        const end = received.search(/\r\n\r\n/) + 4;
        received = received.slice(end);
        onRequest(socket, requests++);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export function httpHead(status: number, headers: Record<string, string | number> = {}): string {
  const lines = Object.entries({ 'Content-Type': 'application/json', ...headers }).map(
    ([k, v]) => `${k}: ${v}`,
  );
  return `HTTP/1.1 ${status} X\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/**
 * The CLI's `main(argv, io)`, from the workspace's source: the fault tests of what `idp` prints run it
 * in-process (testkit's `runMain`), as the CLI's own behaviour tests do. A cold Node child per command
 * made this suite the slowest of the run; what only a process shows is still tested with the bin.
 */
export { main as idpMain } from '../../../packages/cli/src/program.js';
