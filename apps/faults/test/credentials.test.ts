import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { createIdpClient } from '@idp-kit/client';
import {
  closeAfterTest,
  IDS,
  json,
  type Loopback,
  loopback,
  pdfBytes,
  type Recorded,
  runMain,
  TOKEN_PATH,
} from '@idp-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIC, BASIC_HEADER, idpMain, LIVE_SECRETS, LIVE_TOKEN, SECRET } from './helpers.js';

const BIN = fileURLToPath(new URL('dist/bin.js', import.meta.resolve('@idp-kit/cli/package.json')));
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('IDP_')));
/** An execution the hostile server answers 200, echoing; and one it refuses, echoing. */
const OK = IDS.executionId;
const BAD = '0badbad0-9bfc-4a94-8a9c-43c5f8ac153e';
const refFlags = (execution: string) => [
  '--action',
  IDS.actionId,
  '--version',
  '1.1.0',
  '--execution',
  execution,
];

/**
 * What leaked into `text`: a live credential in any spelling, or 12 characters in a row of the token or
 * of the Basic header's value (an excerpt that halved one).
 */
function leaks(text: string): string[] {
  const found = LIVE_SECRETS.filter((s) => text.includes(s));
  for (const secret of [LIVE_TOKEN, BASIC_HEADER.slice('Basic '.length)]) {
    for (let i = 0; i + 12 <= secret.length; i++) {
      const part = secret.slice(i, i + 12);
      if (text.includes(part)) found.push(`part of a secret: ${part}`);
    }
  }
  return found;
}

function expectClean(where: string, text: string): void {
  expect(leaks(text), `${where} leaks a credential:\n${text.slice(0, 4000)}`).toEqual([]);
}

/** Everything a hostile server can make of a request's credentials: raw, JSON, URL-encoded, decoded. */
function echoes(req: Recorded): string[] {
  const auth = String(req.headers.authorization ?? '');
  const decoded = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString() : '';
  return [
    auth,
    JSON.stringify(req.headers),
    `https://elsewhere.example/?a=${encodeURIComponent(auth)}`,
    decoded,
    decoded.split(':')[1] ?? '',
    req.body.slice(0, 300),
  ];
}

function echoHeaders(req: Recorded): Record<string, string> {
  const auth = String(req.headers.authorization ?? 'none');
  return { 'x-request-id': auth, 'x-echo': encodeURIComponent(auth), 'www-authenticate': auth };
}

function problem(res: ServerResponse, req: Recorded): void {
  const [auth = '', ...rest] = echoes(req);
  res.writeHead(403, { 'Content-Type': 'application/problem+json', ...echoHeaders(req) });
  res.end(JSON.stringify({ status: 403, title: `denied for ${auth}`, detail: rest.join(' | '), [auth]: 1 }));
}

/**
 * A server that turns every credential it is sent back on the client: a token endpoint issuing
 * LIVE_TOKEN; a 200 execution whose names and values echo the request; a 403 problem+json whose
 * title, detail, keys and headers echo it; a submit that answers 201 or, for doc-b, such a problem.
 */
async function hostileServer(): Promise<Loopback> {
  return closeAfterTest(
    await loopback((req, res) => {
      if (req.url.startsWith(TOKEN_PATH)) {
        return json(res, 200, { access_token: LIVE_TOKEN, token_type: 'bearer', expires_in: 3600 });
      }
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      if (req.method === 'POST' && req.url.includes('/executions')) {
        if (req.body.includes('doc-b')) return problem(res, req);
        res.writeHead(201, { 'Content-Type': 'application/json', ...echoHeaders(req) });
        res.end(JSON.stringify({ id: OK, documentName: echoes(req)[0], status: 'ACKNOWLEDGED' }));
        return;
      }
      if (req.method === 'GET' && req.url.includes(`/executions/${OK}`)) {
        const [auth = '', headers = '', url = '', decoded = ''] = echoes(req);
        res.writeHead(200, { 'Content-Type': 'application/json', ...echoHeaders(req) });
        res.end(
          JSON.stringify({
            id: OK,
            documentName: auth,
            status: 'SUCCEEDED',
            [auth]: 'a key named after the token (drift notes name it)',
            results: {
              pages: [
                {
                  page: 1,
                  fields: {
                    [auth]: { value: auth },
                    headers: { value: headers },
                    url: { value: url },
                    decoded: { value: decoded },
                  },
                },
              ],
            },
          }),
        );
        return;
      }
      problem(res, req);
    }),
  );
}

const settings = (server: Loopback): Record<string, string> => ({
  IDP_BASE_URL: server.url,
  IDP_TOKEN_URL: `${server.url}${TOKEN_PATH}`,
  IDP_ORG_ID: IDS.organizationId,
  IDP_CLIENT_ID: 'fault-client',
  IDP_CLIENT_SECRET: SECRET,
});
const withBasic = { IDP_USERNAME: BASIC.username, IDP_PASSWORD: BASIC.password };

async function idp(args: string[], env: Record<string, string>, cwd?: string) {
  // In-process (main(argv, io)); \`idp mcp\` below is a process, as an agent's MCP client starts it.
  const run = await runMain(idpMain, args, {
    env: { ...cleanEnv, NO_COLOR: '1', ...env },
    ...(cwd ? { cwd } : {}),
  });
  return { ...run, all: `${run.stdout}\n${run.stderr}` };
}

/**
 * Runs `idp mcp`: initialize, then `requests` (numbered from 1) once it answered; stdin ends once every
 * request is answered, or at once when the server exits first. Resolves with the replies and stderr.
 */
function mcpSession(
  env: Record<string, string>,
  requests: { method: string; params: unknown }[],
  cwd?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'mcp'], {
    env: { ...cleanEnv, ...env },
    ...(cwd ? { cwd } : {}),
  });
  let stdout = '';
  let stderr = '';
  let buffered = '';
  const answered = new Set<number>();
  const send = (message: unknown) => child.stdin.write(`${JSON.stringify(message)}\n`);
  child.stdin.on('error', () => {}); // the server may exit before reading (refused settings)
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    buffered += chunk;
    for (let at = buffered.indexOf('\n'); at >= 0; at = buffered.indexOf('\n')) {
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
      const id = (JSON.parse(line) as { id?: number }).id;
      if (id === undefined) continue;
      answered.add(id);
      if (id === 0) {
        send({ jsonrpc: '2.0', method: 'notifications/initialized' });
        for (const [i, r] of requests.entries()) send({ jsonrpc: '2.0', id: i + 1, ...r });
      }
      if (answered.size === requests.length + 1) child.stdin.end();
    }
  });
  send({
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'faults', version: '0' } },
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const tool = (name: string, args: Record<string, unknown>) => ({
  method: 'tools/call',
  params: { name, arguments: args },
});
const ref = (executionId: string) => ({ actionId: IDS.actionId, actionVersion: '1.1.0', executionId });

describe('credentials echoed by a hostile server stay out of every output channel', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idp-creds-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const modes: [string, Record<string, string>][] = [
    ['client secret and token', {}],
    ['IDP_USERNAME/IDP_PASSWORD Basic', withBasic],
  ];

  it.each(modes)(
    '%s: idp get (text, --json, error) shows no token or Basic credentials',
    async (_m, extra) => {
      const server = await hostileServer();
      const env = { ...settings(server), ...extra };
      for (const args of [
        ['get', ...refFlags(OK)],
        ['get', ...refFlags(OK), '--json', '--confidence'],
        ['get', ...refFlags(BAD), '--verbose'],
        ['reviews', '--verbose'],
        ['actions', '--json', '--verbose'],
      ]) {
        const run = await idp(args, env);
        expectClean(args.join(' '), run.all);
      }
      // The server did see them: the check is not vacuous.
      const sent = server.requests.map((r) => String(r.headers.authorization));
      expect(sent).toContain(`Bearer ${LIVE_TOKEN}`);
      if (extra.IDP_USERNAME) expect(sent).toContain(BASIC_HEADER);
    },
  );

  it.each(modes)('%s: idp doctor (text and --json, drift notes included) shows none', async (_m, extra) => {
    const server = await hostileServer();
    const env = { ...settings(server), ...extra };
    for (const json of [false, true]) {
      const run = await idp(['doctor', ...refFlags(OK), ...(json ? ['--json'] : [])], env);
      expect(run.all).toMatch(/drift|note/);
      expectClean(`doctor${json ? ' --json' : ''}`, run.all);
    }
  });

  it.each(modes)(
    '%s: idp batch run: journal, results, outputs and --json events hold none',
    async (_m, extra) => {
      const server = await hostileServer();
      const inputs = join(dir, `in-${extra.IDP_USERNAME ? 'basic' : 'token'}`);
      const out = join(dir, `out-${extra.IDP_USERNAME ? 'basic' : 'token'}`);
      await mkdir(inputs, { recursive: true });
      await writeFile(join(inputs, 'a.pdf'), pdfBytes(1, { text: 'doc-a' }));
      await writeFile(join(inputs, 'b.pdf'), pdfBytes(1, { text: 'doc-b' }));
      const run = await idp(
        ['batch', 'run', inputs, '--action', IDS.actionId, '--version', '1.1.0', '--out', out, '--json'],
        { ...settings(server), ...extra },
      );
      expect(run.all).toMatch(/"state":"error"/);
      expect(run.all).toMatch(/"state":"retrieved"/);
      expectClean('batch --json events', run.all);
      for (const file of ['journal.jsonl', 'results.jsonl', 'fields.csv', 'summary.json']) {
        expectClean(file, await readFile(join(out, file), 'utf8'));
      }
    },
  );

  it.each(modes)('%s: idp mcp: tool results and resource errors hold none', async (_m, extra) => {
    const server = await hostileServer();
    const session = await mcpSession({ ...settings(server), ...extra }, [
      tool('get_execution', ref(OK)),
      tool('get_execution', ref(BAD)),
      tool('extract_fields', ref(OK)),
      tool('list_actions', {}),
      tool('list_reviews', {}),
      { method: 'resources/read', params: { uri: `idp://executions/${IDS.actionId}/1.1.0/${BAD}` } },
      { method: 'resources/read', params: { uri: `idp://executions/${IDS.actionId}/1.1.0/${OK}` } },
    ]);
    expect(session.stdout).toMatch(/"isError":true/);
    expect(session.stdout).toMatch(/"error":\{/);
    expectClean('mcp stdout', session.stdout);
    expectClean('mcp stderr', session.stderr);
  });

  it('util.inspect, String and JSON of the errors thrown show no token or Basic credentials', async () => {
    const server = await hostileServer();
    const logged: string[] = [];
    const client = createIdpClient({
      organizationId: IDS.organizationId,
      baseUrl: server.url,
      auth: { clientId: 'fault-client', clientSecret: SECRET, tokenUrl: `${server.url}${TOKEN_PATH}` },
      basicAuth: BASIC,
      retry: { maxRetries: 1, baseDelayMs: 1 },
      logger: {
        debug: (m, d) => logged.push(m, JSON.stringify(d)),
        warn: (m, d) => logged.push(m, JSON.stringify(d)),
      },
    });
    const errors = await Promise.all([
      client.getExecution({ ...ref(BAD) }).catch((e: unknown) => e),
      client.listActions().catch((e: unknown) => e),
      client.listReviews().catch((e: unknown) => e),
    ]);
    for (const error of errors) {
      expect(error).toBeInstanceOf(Error);
      const views = [String(error), inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error)];
      expectClean('a thrown error', views.join('\n'));
    }
    expectClean('log lines', logged.join('\n'));
    expect(client.redact(`x ${LIVE_TOKEN} ${BASIC_HEADER} ${encodeURIComponent(BASIC.password)}`)).toBe(
      'x [redacted] Basic [redacted] [redacted]',
    );
  });

  it('a token that cannot travel in a header: one clear error without it, not retried, nothing sent', async () => {
    const bad = `${LIVE_TOKEN}\r\nX-Injected: yes`;
    const server = closeAfterTest(
      await loopback((req, res) =>
        req.url.startsWith(TOKEN_PATH)
          ? json(res, 200, { access_token: bad, token_type: 'bearer', expires_in: 3600 })
          : json(res, 200, {}),
      ),
    );
    const client = createIdpClient({
      organizationId: IDS.organizationId,
      baseUrl: server.url,
      auth: { clientId: 'fault-client', clientSecret: SECRET, tokenUrl: `${server.url}${TOKEN_PATH}` },
      retry: { maxRetries: 3, baseDelayMs: 1 },
    });
    const error = await client.getExecution(ref(OK)).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/cannot be sent in an HTTP header/);
    expectClean('the error', `${inspect(error, { depth: 10, showHidden: true })}\n${String(error)}`);
    expect(server.requests.filter((r) => r.url.startsWith(TOKEN_PATH))).toHaveLength(1);
    expect(server.requests.filter((r) => !r.url.startsWith(TOKEN_PATH))).toHaveLength(0);
  });
});

describe('a .env in the working folder may not choose where credentials from the environment go', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idp-dotenv-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A folder whose .env points the URLs at `listener` (and holds `extra` lines). */
  async function folder(name: string, listener: Loopback, extra: string[] = []): Promise<string> {
    const cwd = join(dir, name);
    await mkdir(cwd, { recursive: true });
    const lines = [`IDP_BASE_URL=${listener.url}`, `IDP_TOKEN_URL=${listener.url}${TOKEN_PATH}`, ...extra];
    await writeFile(join(cwd, '.env'), `${lines.join('\n')}\n`);
    return cwd;
  }
  const fromEnvironment = {
    IDP_ORG_ID: IDS.organizationId,
    IDP_CLIENT_ID: 'env-client',
    IDP_CLIENT_SECRET: SECRET,
  };
  const listener = async () =>
    closeAfterTest(
      await loopback((req, res) =>
        req.url.startsWith(TOKEN_PATH)
          ? json(res, 200, { access_token: LIVE_TOKEN, token_type: 'bearer', expires_in: 3600 })
          : json(res, 200, { id: OK, status: 'SUCCEEDED' }),
      ),
    );

  it('idp get with the secret in the environment (an opt-in in the .env itself does not count): refused with exit 2, the .env host receives nothing', async () => {
    const host = await listener();
    const cwd = await folder('get', host, ['IDP_TRUST_DOTENV_URLS=1']);
    const run = await idp(['get', ...refFlags(OK)], fromEnvironment, cwd);
    expect(run.code, run.all).toBe(2);
    expect(run.stderr).toMatch(/IDP_BASE_URL, IDP_TOKEN_URL come from .*\.env.*IDP_TRUST_DOTENV_URLS=1/s);
    expect(host.requests).toHaveLength(0);
    expectClean('stderr', run.all);
  });

  it('idp mcp with the secret in the environment: refused with exit 2, the .env host receives nothing', async () => {
    const host = await listener();
    const session = await mcpSession(
      fromEnvironment,
      [tool('get_execution', ref(OK))],
      await folder('mcp', host),
    );
    expect(session.code, session.stderr).toBe(2);
    expect(host.requests).toHaveLength(0);
    expectClean('stderr', session.stderr);
  });

  it('credentials in the same .env: its URLs are used, and one stderr line names the file and settings, no values', async () => {
    const host = await listener();
    const cwd = await folder('same', host, [
      `IDP_ORG_ID=${IDS.organizationId}`,
      'IDP_CLIENT_ID=file-client',
      `IDP_CLIENT_SECRET=${SECRET}`,
    ]);
    const run = await idp(['get', ...refFlags(OK), '--json'], {}, cwd);
    expect(run.code, run.all).toBe(0);
    expect(host.requests.length).toBeGreaterThan(0);
    const lines = run.stderr.split('\n').filter((l) => l.includes('.env'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/settings from .*\.env: .*IDP_BASE_URL.*IDP_CLIENT_SECRET/);
    expect(lines[0]).not.toContain(host.url);
    expectClean('stderr', run.stderr);
  });

  it('IDP_TRUST_DOTENV_URLS=1 in the environment: the .env URLs are used', async () => {
    const host = await listener();
    const run = await idp(
      ['get', ...refFlags(OK)],
      { ...fromEnvironment, IDP_TRUST_DOTENV_URLS: '1' },
      await folder('trusted', host),
    );
    expect(run.code, run.all).toBe(0);
    expect(host.requests.length).toBeGreaterThan(0);
  });
});
