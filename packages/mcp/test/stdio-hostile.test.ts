import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeAfterTest, fakeIdp, IDS, json } from '@idp-kit/testkit';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MAX_RESULT_CHARS } from '../src/index.js';

const SERVER = fileURLToPath(new URL('./stdio-server.ts', import.meta.url));
const SECRET = 'mcp-hostile-S3cret-41';
const REF = { actionId: IDS.actionId, actionVersion: '1.1.0', executionId: IDS.executionId };
const MB = 1024 * 1024;

const settings = (idp: { baseUrl: string; tokenUrl: string }) => ({
  IDP_BASE_URL: idp.baseUrl,
  IDP_CONTROL_PLANE_URL: idp.baseUrl,
  IDP_TOKEN_URL: idp.tokenUrl,
  IDP_ORG_ID: IDS.organizationId,
  IDP_CLIENT_ID: 'mcp-client',
  IDP_CLIENT_SECRET: SECRET,
});

interface Raw {
  child: ChildProcessWithoutNullStreams;
  /** Writes raw bytes to the server's stdin. */
  send(text: string): void;
  /** The next line the server writes, parsed; waits for it. */
  next(): Promise<Record<string, unknown>>;
}

/** The stdio server as a child, spoken to in raw lines (to send what no SDK client would). */
function raw(env: Record<string, string>): Raw {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    env: { ...(process.env as Record<string, string>), ...env },
  });
  onTestFinished(() => {
    child.kill();
  });
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    partial += chunk;
    let at = partial.indexOf('\n');
    while (at !== -1) {
      const line = partial.slice(0, at);
      partial = partial.slice(at + 1);
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else lines.push(line);
      at = partial.indexOf('\n');
    }
  });
  child.stderr.resume();
  return {
    child,
    send: (text) => child.stdin.write(text),
    next: () =>
      new Promise((resolve, reject) => {
        const line = lines.shift();
        if (line !== undefined) return resolve(JSON.parse(line));
        const exited = (code: number | null) => reject(new Error(`the server exited (${code})`));
        child.once('exit', exited);
        waiting.push((l) => {
          child.off('exit', exited);
          resolve(JSON.parse(l));
        });
      }),
  };
}

const INITIALIZE = `${JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '0' } },
})}\n`;

async function initialized(server: Raw): Promise<void> {
  server.send(INITIALIZE);
  expect(await server.next()).toMatchObject({ id: 1, result: { serverInfo: { name: 'idp-kit' } } });
  server.send('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
}

const listTools = (id: number) => `${JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/list' })}\n`;

describe('MCP over stdio: what it cannot read gets a JSON-RPC error, and it keeps serving', () => {
  it('a line that is not JSON: parse error -32700 with id null', async () => {
    const idp = closeAfterTest(await fakeIdp((_q, r) => json(r, 404, {})));
    const server = raw(settings(idp));
    await initialized(server);
    server.send('this is not json\n');
    expect(await server.next()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    server.send(listTools(2));
    expect(await server.next()).toMatchObject({ id: 2, result: { tools: expect.any(Array) } });
  });

  it('JSON that is not JSON-RPC: invalid request -32600, with its id when it has one, else null', async () => {
    const idp = closeAfterTest(await fakeIdp((_q, r) => json(r, 404, {})));
    const server = raw(settings(idp));
    await initialized(server);
    server.send('{"hello":"world"}\n');
    expect(await server.next()).toMatchObject({ id: null, error: { code: -32600 } });
    server.send('{"jsonrpc":"2.0","id":5,"method":7}\n');
    expect(await server.next()).toMatchObject({ id: 5, error: { code: -32600 } });
    server.send('[]\n');
    expect(await server.next()).toMatchObject({ id: null, error: { code: -32600 } });
    server.send(listTools(6));
    expect(await server.next()).toMatchObject({ id: 6, result: { tools: expect.any(Array) } });
  });

  it('a request over 10 MB: an invalid-request error with its id, and the next request is answered', async () => {
    const idp = closeAfterTest(await fakeIdp((_q, r) => json(r, 404, {})));
    const server = raw(settings(idp));
    await initialized(server);
    const huge = 'x'.repeat(11 * MB);
    // the SDK's clients write the id last; others write it first
    server.send(
      `{"method":"tools/call","params":{"name":"get_execution","arguments":{"url":"${huge}"}},"jsonrpc":"2.0","id":7}\n`,
    );
    const last = await server.next();
    expect(last).toMatchObject({ id: 7, error: { code: -32600 } });
    expect(String((last.error as { message: string }).message)).toMatch(/longer than 10485760 bytes/);
    server.send(`{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"x":"${huge}"}}\n`);
    expect(await server.next()).toMatchObject({ id: 8, error: { code: -32600 } });
    server.send(listTools(9));
    expect(await server.next()).toMatchObject({ id: 9, result: { tools: expect.any(Array) } });
    expect(server.child.exitCode).toBeNull();
  });
});

type Result = { isError?: boolean; content: { type: string; text?: string }[] };

async function connect(env: Record<string, string>): Promise<Client> {
  const client = new Client({ name: 'idp-kit-test', version: '0.0.0' });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', SERVER],
    env: { ...(process.env as Record<string, string>), ...env },
    stderr: 'pipe',
  });
  await client.connect(transport);
  onTestFinished(() => client.close());
  return client;
}

describe('MCP over stdio: no tool result is longer than promised', () => {
  it('1 MB values, names and file names: every tool answers within MAX_RESULT_CHARS', async () => {
    const huge = 'v'.repeat(MB);
    // one 1 MB value (the review's case), and 49 of 2,000 characters under 1,000-character names
    const fields = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [
        `${i}-${'n'.repeat(1000)}`,
        { value: i === 0 ? huge : huge.slice(0, 2000), confidenceScore: 40 },
      ]),
    );
    const execution = { id: IDS.executionId, documentName: `${huge}.pdf`, status: 'SUCCEEDED', fields };
    const review = {
      analyzersResults: [{ id: 'a1', name: 'total', result: huge, confidenceScore: 10 }],
      queriesResults: {},
      results: {},
      signaturesResults: {},
    };
    const idp = closeAfterTest(
      await fakeIdp((req, res) => {
        if (/\/reviews\?/.test(req.url)) return json(res, 200, [{ docOperationId: huge, docFileName: huge }]);
        if (/\/reviews\//.test(req.url)) return json(res, 200, review);
        if (/\/executions\//.test(req.url)) return json(res, 200, execution);
        return json(res, 404, { status: 404, title: 'Not Found', detail: huge });
      }),
    );
    const client = await connect(settings(idp));
    const calls: [string, Record<string, unknown>][] = [
      ['get_execution', { ...REF, valueOnly: false }],
      ['get_execution', REF],
      ['wait_for_execution', REF],
      ['extract_fields', REF],
      ['extract_fields', { ...REF, belowConfidence: 50 }],
      ['get_review', { actionId: IDS.actionId, executionId: IDS.executionId }],
      ['list_reviews', {}],
      ['get_action', { actionId: IDS.actionId }],
    ];
    for (const [name, args] of calls) {
      const result = (await client.callTool({ name, arguments: args })) as Result;
      const text = result.content.map((c) => c.text ?? '').join('');
      expect(text.length, `${name} ${JSON.stringify(args)}`).toBeLessThanOrEqual(MAX_RESULT_CHARS);
      expect(text.length, name).toBeGreaterThan(0);
    }
    const summary = (await client.callTool({ name: 'get_execution', arguments: REF })) as Result;
    const parsed = JSON.parse(summary.content[0]?.text ?? '');
    expect(parsed).toMatchObject({ status: 'SUCCEEDED', values: 50 });
    expect(parsed.lowConfidence.length).toBeGreaterThan(0);
    expect(parsed.lowConfidence[0].value).toMatch(/…\[cut: 1048576 characters in all\]$/);
    const listed = (await client.callTool({ name: 'extract_fields', arguments: REF })) as Result;
    expect(JSON.parse(listed.content[0]?.text ?? '')).toMatchObject({ count: 50, shown: expect.any(Number) });
  });
});

describe('MCP over stdio: submit_document reads only a regular file', () => {
  it('a named pipe called scan.pdf: a tool error at once, nothing sent, and the server keeps serving', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idp-mcp-fifo-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    execFileSync('mkfifo', [join(dir, 'scan.pdf')]);
    const idp = closeAfterTest(await fakeIdp((_q, r) => json(r, 201, { id: IDS.executionId })));
    const client = await connect({ ...settings(idp), ALLOW_WRITES: '1', MCP_CWD: dir });
    const result = (await client.callTool({
      name: 'submit_document',
      arguments: { path: 'scan.pdf', actionId: IDS.actionId, actionVersion: '1.1.0' },
    })) as Result;
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toMatch(/cannot read ".*scan\.pdf": it is a named pipe \(FIFO\)/);
    expect(idp.runtimeRequests()).toHaveLength(0);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
  });
});
