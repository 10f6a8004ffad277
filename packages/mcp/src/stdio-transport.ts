import process from 'node:process';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { type JSONRPCMessage, JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';

/**
 * The longest message a client may send, in bytes. Tools take paths and ids, never documents, so a
 * request this long is a mistake or an attack; the SDK's own stdio transport uses the same limit.
 */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

type Id = string | number | null;

const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;

/** How much of the start and the end of an oversized line is kept, to find its id. */
const KEPT_FOR_ID = 512;
const ID_VALUE = '(-?\\d+|"(?:[^"\\\\]|\\\\.){0,256}")';
/** `{"jsonrpc":"2.0","id":7,…` or `{"id":7,…`: the first member of the outer object is the id. */
const ID_FIRST = new RegExp(
  `^\\s*\\{\\s*(?:"jsonrpc"\\s*:\\s*"2\\.0"\\s*,\\s*)?"id"\\s*:\\s*${ID_VALUE}\\s*[,}]`,
);
/** `…,"id":7}`: the last member of the outer object is the id (the SDK's clients write it last). */
const ID_LAST = new RegExp(`"id"\\s*:\\s*${ID_VALUE}\\s*\\}\\s*$`);

function idIn(text: string, pattern: RegExp): Id | undefined {
  const match = pattern.exec(text)?.[1];
  if (match === undefined) return undefined;
  try {
    return JSON.parse(match) as Id;
  } catch {
    return undefined;
  }
}

/** The id of a message that could not be read whole, if its start or end shows one; else null. */
function idOfCut(head: string, tail: string): Id {
  return idIn(head, ID_FIRST) ?? idIn(tail, ID_LAST) ?? null;
}

/** The id of a parsed message that is not valid JSON-RPC, if it has a usable one; else null. */
function idOfInvalid(value: unknown): Id {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

/** A response (to a request of ours) gets no answer, even a malformed one: JSON-RPC never answers a response. */
function isResponse(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !('method' in value) &&
    ('result' in value || 'error' in value)
  );
}

/**
 * The MCP stdio transport, one JSON-RPC message per line, that answers what it cannot read, as JSON-RPC
 * 2.0 says, and keeps serving:
 * - a line that is not JSON: a parse error (-32700, id null);
 * - JSON that is not a JSON-RPC message: an invalid request (-32600) with the message's id if it has
 *   one, else null;
 * - a line over `maxMessageBytes`: an invalid request with the id found at its start or end, else null.
 *   It is skipped as it streams in, never held whole.
 *
 * The SDK's StdioServerTransport drops the first two without a reply (a client waiting on that id hangs)
 * and closes on the third, and the process then exits silently.
 *
 * @example
 * ```ts
 * await createIdpMcpServer({ client }).connect(new LineStdioTransport());
 * ```
 */
export class LineStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private chunks: Buffer[] = [];
  private bytes = 0;
  /** Set while the rest of an oversized line is skipped: what was kept of its start and end. */
  private skipping: { head: string; tail: Buffer } | undefined;
  private started = false;

  constructor(
    private readonly stdin: NodeJS.ReadableStream = process.stdin,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    private readonly maxMessageBytes: number = MAX_MESSAGE_BYTES,
  ) {}

  private readonly ondata = (chunk: Buffer) => {
    try {
      this.take(chunk);
    } catch (error) {
      this.onerror?.(error as Error);
    }
  };

  private readonly onstreamerror = (error: Error) => this.onerror?.(error);

  async start(): Promise<void> {
    if (this.started) throw new Error('LineStdioTransport already started');
    this.started = true;
    this.stdin.on('data', this.ondata);
    this.stdin.on('error', this.onstreamerror);
  }

  /** Splits a chunk into lines; each whole line is handled, the rest kept (or skipped) until its end. */
  private take(chunk: Buffer): void {
    let from = 0;
    while (from < chunk.length) {
      const end = chunk.indexOf(0x0a, from);
      const piece = chunk.subarray(from, end === -1 ? chunk.length : end);
      this.keep(piece);
      if (end === -1) return;
      this.endOfLine();
      from = end + 1;
    }
  }

  private keep(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.skipping) {
      this.skipping.tail = Buffer.concat([this.skipping.tail, piece]).subarray(-KEPT_FOR_ID);
      return;
    }
    if (this.bytes + piece.length <= this.maxMessageBytes) {
      this.chunks.push(piece);
      this.bytes += piece.length;
      return;
    }
    const sofar = Buffer.concat([...this.chunks, piece]);
    this.skipping = {
      head: sofar.subarray(0, KEPT_FOR_ID).toString('utf8'),
      tail: sofar.subarray(-KEPT_FOR_ID),
    };
    this.chunks = [];
    this.bytes = 0;
  }

  private endOfLine(): void {
    if (this.skipping) {
      const { head, tail } = this.skipping;
      this.skipping = undefined;
      this.reply(
        idOfCut(head, tail.toString('utf8')),
        INVALID_REQUEST,
        `Invalid Request: the message is longer than ${this.maxMessageBytes} bytes, the most this server reads. Tools take file paths and ids, not file contents.`,
      );
      return;
    }
    const line = Buffer.concat(this.chunks).toString('utf8');
    this.chunks = [];
    this.bytes = 0;
    this.handle(line.replace(/^\uFEFF/, '').replace(/\r$/, ''));
  }

  private handle(line: string): void {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      this.reply(null, PARSE_ERROR, `Parse error: ${(error as Error).message}`);
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(value);
    if (parsed.success) {
      this.onmessage?.(parsed.data);
      return;
    }
    this.onerror?.(new Error(`not a JSON-RPC message: ${parsed.error.message.slice(0, 500)}`));
    if (isResponse(value)) return;
    this.reply(
      idOfInvalid(value),
      INVALID_REQUEST,
      'Invalid Request: not a JSON-RPC 2.0 message (it needs "jsonrpc": "2.0", a string "method", and an "id" for a request)',
    );
  }

  private reply(id: Id, code: number, message: string): void {
    this.write(`${JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } })}\n`).catch(
      (error: Error) => this.onerror?.(error),
    );
  }

  private write(text: string): Promise<void> {
    return new Promise((resolve) => {
      if (this.stdout.write(text)) resolve();
      else this.stdout.once('drain', resolve);
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return this.write(`${JSON.stringify(message)}\n`);
  }

  async close(): Promise<void> {
    this.stdin.off('data', this.ondata);
    this.stdin.off('error', this.onstreamerror);
    if (this.stdin.listenerCount('data') === 0) this.stdin.pause();
    this.chunks = [];
    this.bytes = 0;
    this.skipping = undefined;
    this.onclose?.();
  }
}
