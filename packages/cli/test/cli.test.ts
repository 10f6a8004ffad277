import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, MOCK_EXECUTIONS, type RunningMock } from '@idp-kit/mock';
import {
  closeAfterTest,
  execution,
  fakeIdp,
  IDS,
  json,
  pdfBytes,
  type Ran,
  runNode,
  startNode,
} from '@idp-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BIN, cleanEnv, mockFront, runIdp, settingsFor as settingsWith } from './helpers.js';

const SECRET = 'S3cr3t-never-printed-42';
const REF_FLAGS = ['--action', IDS.actionId, '--version', IDS.actionVersion, '--execution', IDS.executionId];

/** `idp …args` in-process (`main(argv, io)`); what only the bin shows is spawned below, with `bin()`. */
function idp(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Ran> {
  return runIdp(args, { env: { ...cleanEnv, NO_COLOR: '1', ...env }, ...(cwd ? { cwd } : {}) });
}

/** The built bin in a child process, as users run it. */
function bin(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return runNode([BIN, ...args], { env: { ...cleanEnv, NO_COLOR: '1', ...env } });
}

const settingsFor = (target: { baseUrl: string; tokenUrl: string }) => settingsWith(target, SECRET);

const fake = async (...args: Parameters<typeof fakeIdp>) => closeAfterTest(await fakeIdp(...args));

describe('idp against the Prism mock', () => {
  let mock: RunningMock | undefined;
  // A lifecycle of 1 s: submitted documents and MOCK_EXECUTIONS.lifecycle settle quickly.
  beforeAll(async () => {
    mock = await mockFront({ lifecycleMs: 1_000 });
  });
  afterAll(async () => {
    await mock?.stop();
  });
  const settings = () => {
    if (!mock) throw new Error('setup: the mock did not start (see the beforeAll error above)');
    return settingsFor(mock);
  };

  it('get prints the table and exits 0', async () => {
    const run = await idp(['get', ...REF_FLAGS], settings());
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Status: SUCCEEDED');
    expect(run.stdout).toMatch(/invoiceNumber\s+INV-2291/);
    expect(run.stdout).toMatch(/Table lineItems/);
    expect(run.stdout).toMatch(/paymentTerms\s+What are the payment terms\?\s+Net 30/);
    expect(run.stdout).not.toContain('\u001b[');
  });

  it('get --json prints exactly the body', async () => {
    const spec = parse(await readFile(new URL('../../../spec/idp.openapi.yaml', import.meta.url), 'utf8'));
    const run = await idp(['get', ...REF_FLAGS, '--json'], settings());
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(spec.components.examples.Succeeded.value);
  });

  it('get with an execution URL works the same', async () => {
    // The URL supplies the organization; a loopback base URL must be configured (issue 29: before, any
    // pasted loopback URL was trusted, whatever its port).
    const { IDP_ORG_ID: _org, ...env } = settings();
    const url = `${env.IDP_BASE_URL}/api/v1/organizations/${IDS.organizationId}/actions/${IDS.actionId}/versions/1.1.0/executions/${IDS.executionId}`;
    const run = await idp(['get', url, '--csv'], env);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\r\n')[0]).toBe('kind,page,table,row,name,value,confidence');
    expect(run.stdout).toContain('field,1,,,totalAmount,"1,284.50",');
  });

  it('submit --wait submits, waits and prints', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idp-cli-'));
    try {
      await writeFile(join(dir, 'invoice 2291.pdf'), pdfBytes(1));
      const run = await idp(
        [
          'submit',
          join(dir, 'invoice 2291.pdf'),
          '--action',
          IDS.actionId,
          '--version',
          '1.1.0',
          '--wait',
          '--interval',
          '10ms',
        ],
        settings(),
      );
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/Submitted invoice 2291\.pdf: execution [0-9a-f-]{36}/);
      // Progress: each status the polls saw, in the lifecycle's order, ending at SUCCEEDED. Which of the
      // early ones a poll catches depends on the machine's speed (the mock's lifecycle runs on a clock).
      const order = ['ACKNOWLEDGED', 'IN_PROGRESS', 'RESULTS_PENDING', 'SUCCEEDED'];
      const seen = [...run.stderr.matchAll(/: ([A-Z_]+)\n/g)].map((m) => m[1] ?? '');
      expect(seen.at(-1)).toBe('SUCCEEDED');
      expect(seen.map((s) => order.indexOf(s))).toEqual(
        [...seen.map((s) => order.indexOf(s))].sort((a, b) => a - b),
      );
      expect(seen.every((s) => order.includes(s))).toBe(true);
      expect(run.stdout).toContain('Status: SUCCEEDED');
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it.each([
    ['FAILED', 3],
    ['PARTIAL_SUCCESS', 4],
    ['MANUAL_VALIDATION_REQUIRED', 5],
    ['IN_PROGRESS', 7],
    ['SUCCEEDED', 0],
  ] as const)('the mock’s %s execution: get exits %i', async (status, code) => {
    const run = await idp(
      ['get', ...REF_FLAGS.slice(0, 4), '--execution', MOCK_EXECUTIONS[status]],
      settings(),
    );
    expect(run.stdout).toContain(`Status: ${status}`);
    expect(run.code).toBe(code);
  });

  it.each([
    [
      'failedMaxTokens',
      /^Reason: MAX_TOKENS: the model's answer was cut at its token limit: split the document, or select an OpenAI model/m,
    ],
    ['failedLength', /^Reason: length: the document has more input tokens than the model takes: split it/m],
  ] as const)('a FAILED execution shows the model’s reason and what to do (%s)', async (name, reason) => {
    const run = await idp(
      ['get', ...REF_FLAGS.slice(0, 4), '--execution', MOCK_EXECUTIONS[name]],
      settings(),
    );
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('Status: FAILED');
    expect(run.stdout).toMatch(reason);
  });

  it('an execution without statusMessage shows no Reason line', async () => {
    const run = await idp(
      ['get', ...REF_FLAGS.slice(0, 4), '--execution', MOCK_EXECUTIONS.FAILED],
      settings(),
    );
    expect(run.stdout).not.toMatch(/^Reason:/m);
  });

  it('get --confidence against the mock shows confidence scores and marks the shaky ones', async () => {
    const args = ['get', ...REF_FLAGS.slice(0, 4), '--execution', MOCK_EXECUTIONS.MANUAL_VALIDATION_REQUIRED];
    const plain = await idp(args, settings());
    const full = await idp([...args, '--confidence', '--csv'], settings());
    expect(plain.stdout).not.toMatch(/58\.3/);
    expect(full.stdout).toMatch(/buyer,Northwind Traders,58\.3/);
  });

  it('wait on the mock’s lifecycle shows each status as it changes', async () => {
    const run = await idp(
      ['wait', ...REF_FLAGS.slice(0, 4), '--execution', MOCK_EXECUTIONS.lifecycle, '--interval', '100ms'],
      settings(),
    );
    expect(run.code).toBe(0);
    const seen = [...run.stderr.matchAll(/execution 00000000: (\w+)/g)].map((m) => m[1]);
    expect(seen[0]).toBe('ACKNOWLEDGED');
    expect(seen.at(-1)).toBe('SUCCEEDED');
    expect(seen).toEqual([...new Set(seen)]); // one line per change, in lifecycle order
    expect(
      seen.every(
        (status, i) => i === 0 || ['IN_PROGRESS', 'RESULTS_PENDING', 'SUCCEEDED'].includes(status ?? ''),
      ),
    ).toBe(true);
  });

  it('the mock’s error ids: 404 and 500 exit 1 with a message that says what to do', async () => {
    const notFound = await idp(
      ['get', ...REF_FLAGS.slice(0, 4), '--execution', MOCK_EXECUTIONS.notFound],
      settings(),
    );
    expect(notFound.code).toBe(1);
    expect(notFound.stderr).toMatch(/HTTP 404 .*Check the ids and version/);
  });

  it('a submit hint works as pasted: `pnpm idp` inside the repository, `idp` installed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idp-cli-'));
    try {
      await writeFile(join(dir, 'invoice.pdf'), pdfBytes(1));
      const args = ['submit', join(dir, 'invoice.pdf'), '--action', IDS.actionId, '--version', '1.1.0'];
      const installed = await idp(args, settings(), dir); // a folder outside the repository
      expect(installed.stdout).toMatch(/^Next: idp wait --action /m);
      const root = fileURLToPath(new URL('../../../', import.meta.url));
      const inRepo = await idp(args, {
        ...settings(),
        npm_lifecycle_event: 'idp',
        npm_package_name: 'idp-kit',
        npm_package_json: join(root, 'package.json'),
        INIT_CWD: root,
      });
      const hint = /^Next: pnpm idp (wait .*)$/m.exec(inRepo.stdout)?.[1];
      expect(hint).toBeDefined();
      // what `pnpm idp` runs after its build: the binary with the rest of the line
      const pasted = await idp([...(hint ?? '').split(' '), '--interval', '100ms'], settings());
      expect(pasted.code).toBe(0);
      expect(pasted.stdout).toContain('Status: SUCCEEDED');
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('submit judges the document by its bytes: a Word file named .pdf is refused (exit 2), --no-preflight sends it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idp-cli-'));
    try {
      // The start of a DOCX: a ZIP archive.
      await writeFile(join(dir, 'invoice.pdf'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 6, 0, 8, 0]));
      const args = ['submit', 'invoice.pdf', '--action', IDS.actionId, '--version', '1.1.0'];
      const refused = await idp(args, settings(), dir);
      expect([refused.code, refused.stdout]).toEqual([2, '']);
      expect(refused.stderr).toMatch(
        /"invoice\.pdf" was not sent: it is a ZIP\/Office file .*--no-preflight/,
      );
      const sent = await idp([...args, '--no-preflight'], settings(), dir);
      expect(sent.code).toBe(0);
      expect(sent.stdout).toMatch(/^Next: idp wait --action /m);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('Ctrl-C in a terminal ends wait with one line on stderr and exit 130', async () => {
    // `script` gives idp a real pseudo-terminal (so the spinner runs) and turns ^C into SIGINT.
    const command = [
      process.execPath,
      BIN,
      'wait',
      ...REF_FLAGS.slice(0, 4),
      '--execution',
      MOCK_EXECUTIONS.IN_PROGRESS,
    ].join(' ');
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { ...cleanEnv, ...settings(), TERM: 'xterm', NO_COLOR: '1' },
    });
    let screen = '';
    child.stdout.on('data', (chunk) => {
      screen += chunk;
      // interrupt once the spinner shows a status: the wait is sleeping until the next poll
      if (/IN_PROGRESS/.test(screen) && child.stdin.writable) child.stdin.end('\u0003');
    });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    const lines = screen.split(/\r?\n/).filter((line) => line.includes('idp:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/idp: interrupted \(Ctrl-C\); nothing was cancelled at IDP$/);
    expect(code).toBe(130);
  });

  it('reads settings from a .env file in the working folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idp-cli-'));
    try {
      const lines = Object.entries(settings()).map(([k, v]) => `${k}=${v}`);
      await writeFile(join(dir, '.env'), `${lines.join('\n')}\n`);
      const run = await idp(['get', ...REF_FLAGS], {}, dir);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Status: SUCCEEDED');
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe('a .env may not choose where credentials from elsewhere go', () => {
  it('URLs from a .env, credentials from the environment: a usage error that names both, nothing sent; the user’s word or a flag lets it through', async () => {
    // The .env points at a host of its own; the credentials are the user's, from the environment.
    const elsewhere = await fake((_req, res) => json(res, 200, execution('SUCCEEDED')));
    const dir = await mkdtemp(join(tmpdir(), 'idp-cli-'));
    try {
      const dotenv = join(dir, '.env');
      await writeFile(dotenv, `IDP_BASE_URL=${elsewhere.baseUrl}\nIDP_TOKEN_URL=${elsewhere.tokenUrl}\n`);
      const { IDP_BASE_URL: _b, IDP_TOKEN_URL: _t, ...credentials } = settingsFor(elsewhere);
      const refused = await idp(['get', ...REF_FLAGS], credentials, dir);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(
        `IDP_BASE_URL, IDP_TOKEN_URL come from ${dotenv}, but IDP_CLIENT_ID, IDP_CLIENT_SECRET come from the environment`,
      );
      expect(refused.stderr).toContain('IDP_TRUST_DOTENV_URLS=1');
      expect(refused.stderr).not.toContain(SECRET);
      expect(elsewhere.log()).toHaveLength(0);

      // A client id given as a flag counts as the user's too.
      const { IDP_CLIENT_ID: _id, ...secretOnly } = credentials;
      const flagged = await idp(['get', ...REF_FLAGS, '--client-id', 'cli-client'], secretOnly, dir);
      expect(flagged.code).toBe(2);
      expect(flagged.stderr).toContain('but IDP_CLIENT_SECRET, --client-id come from the environment');

      // The destinations as flags: the .env chooses nothing.
      const asFlags = await idp(
        ['get', ...REF_FLAGS, '--base-url', elsewhere.baseUrl, '--token-url', elsewhere.tokenUrl],
        credentials,
        dir,
      );
      expect(asFlags.code, asFlags.stderr).toBe(0);

      // The user's word, in the environment.
      const trusted = await idp(['get', ...REF_FLAGS], { ...credentials, IDP_TRUST_DOTENV_URLS: '1' }, dir);
      expect(trusted.code, trusted.stderr).toBe(0);
      expect(trusted.stdout).toContain('Status: SUCCEEDED');
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe('idp exit codes', () => {
  it.each([
    ['SUCCEEDED', 0],
    ['FAILED', 3],
    ['PARTIAL_SUCCESS', 4],
    ['MANUAL_VALIDATION_REQUIRED', 5],
    ['IN_PROGRESS', 7],
    ['SOMETHING_NEW', 7],
  ])('get of a %s execution exits %i', async (status, code) => {
    const f = await fake((_req, res) => json(res, 200, execution(status)));
    const run = await idp(['get', ...REF_FLAGS], settingsFor(f));
    expect(run.code).toBe(code);
    expect(run.stdout).toContain(`Status: ${status}`);
  });

  it('wait follows the lifecycle, reports each change on stderr, exits 0', async () => {
    const statuses = ['ACKNOWLEDGED', 'IN_PROGRESS', 'RESULTS_PENDING', 'SUCCEEDED'];
    const f = await fake((_req, res, i) =>
      json(res, 200, execution(statuses[Math.min(i, 3)] ?? 'SUCCEEDED')),
    );
    const run = await idp(['wait', ...REF_FLAGS, '--interval', '10ms'], settingsFor(f));
    expect(run.code).toBe(0);
    for (const status of statuses)
      expect(run.stderr).toMatch(new RegExp(`\\[0:\\d\\d\\] execution 022c61de: ${status}`));
  });

  it('wait --until final waits through manual validation', async () => {
    const statuses = ['MANUAL_VALIDATION_REQUIRED', 'SUCCEEDED'];
    const f = await fake((_req, res, i) =>
      json(res, 200, execution(statuses[Math.min(i, 1)] ?? 'SUCCEEDED')),
    );
    expect((await idp(['wait', ...REF_FLAGS, '--interval', '10ms'], settingsFor(f))).code).toBe(5);
    expect(
      (await idp(['wait', ...REF_FLAGS, '--interval', '10ms', '--until', 'final'], settingsFor(f))).code,
    ).toBe(0);
  });

  it('wait --timeout exits 6 with the last status', async () => {
    const f = await fake((_req, res) => json(res, 200, execution('IN_PROGRESS')));
    // The wait's clock starts in the child: the timeout must leave room for its first answer (a token
    // and one GET on loopback) even on a loaded machine, or the last status is not known yet.
    const run = await idp(['wait', ...REF_FLAGS, '--interval', '50ms', '--timeout', '5s'], settingsFor(f));
    expect(run.code).toBe(6);
    expect(run.stderr).toContain('last status IN_PROGRESS');
  });

  it('a service error exits 1 with one line, no stack', async () => {
    const f = await fake((_req, res) =>
      json(res, 404, { status: 404, title: 'Not Found', detail: 'no such execution' }),
    );
    const run = await idp(['get', ...REF_FLAGS], settingsFor(f));
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('idp: getExecution failed: HTTP 404 Not Found — no such execution');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    [['get', '--action', 'x'], /name the execution: an execution URL, or --version, --execution/],
    [['get', ...REF_FLAGS.slice(0, 5), 'not-a-uuid'], /executionId must be a UUID/],
    [['get', 'https://example.com/nope'], /path must look like/],
    [['wait', ...REF_FLAGS, '--timeout', 'soon'], /--timeout must be a duration/],
    [['get', ...REF_FLAGS, '--min-confidence', '120'], /expected a number from 0 to 100/],
    [['frobnicate'], /unknown command/],
  ])('usage error %j exits 2', async (args, message) => {
    const f = await fake((_req, res) => json(res, 200, execution('SUCCEEDED')));
    const run = await idp(args, settingsFor(f));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(f.server.requests).toHaveLength(0);
  });
});

describe('idp settings and secrets', () => {
  it('names every missing setting in one message', async () => {
    const run = await idp(['get', ...REF_FLAGS]);
    expect(run.code).toBe(2);
    for (const name of [
      'IDP_CLIENT_ID (or --client-id)',
      'IDP_CLIENT_SECRET',
      'IDP_ORG_ID (or --org)',
      'idp mock',
    ]) {
      expect(run.stderr).toContain(name);
    }
    // One setting per line, as a list a newcomer can read (not flattened into one long line).
    expect(run.stderr).toMatch(/^ {2}IDP_CLIENT_SECRET: /m);
    expect(run.stderr).toMatch(/^ {2}IDP_ORG_ID \(or --org\): /m);
  });

  it('the secret never appears, even with --verbose, even when the server echoes it', async () => {
    // Both echoes are reached: the token endpoint's (a refused token) and the runtime's (a 500 after a
    // token was issued), each with --verbose, which prints causes too.
    const tokenEcho = await fake(
      (_req, res) => json(res, 200, execution('SUCCEEDED')),
      (_req, res) => json(res, 401, { error: 'invalid_client', error_description: `bad secret ${SECRET}` }),
    );
    const runtimeEcho = await fake((_req, res) =>
      json(res, 500, { status: 500, title: 'Boom', detail: `secret was ${SECRET}` }),
    );
    const runs = [
      [tokenEcho, ['get', ...REF_FLAGS, '--verbose'], /invalid_client: bad secret/],
      [tokenEcho, ['wait', ...REF_FLAGS, '--verbose'], /invalid_client: bad secret/],
      [runtimeEcho, ['get', ...REF_FLAGS], /HTTP 500 Boom — secret was/],
      [runtimeEcho, ['get', ...REF_FLAGS, '--verbose'], /HTTP 500 Boom — secret was/],
    ] as const;
    for (const [server, args, echoed] of runs) {
      const run = await idp([...args], settingsFor(server));
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(echoed); // the echo reached the output…
      expect(`${run.stdout}${run.stderr}`).not.toContain(SECRET); // …without the secret
    }
    expect(runtimeEcho.runtimeRequests().length).toBeGreaterThan(0);
  });

  it('a URL naming another host is refused before any token is fetched', async () => {
    const f = await fake((_req, res) => json(res, 200, execution('SUCCEEDED')));
    const other = await fake((_req, res) => json(res, 200, execution('SUCCEEDED')));
    const path = `/api/v1/organizations/${IDS.organizationId}/actions/${IDS.actionId}/versions/1.1.0/executions/${IDS.executionId}`;
    // the configured base URL wins: another loopback port is another host
    const elsewhere = await idp(['get', `${other.baseUrl}${path}`], settingsFor(f));
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain(
      `the execution URL names ${other.baseUrl}, but the configured base URL`,
    );
    // without a configured base URL, only MuleSoft IDP hosts (or loopback) are trusted
    const { IDP_BASE_URL: _b, ...noBase } = settingsFor(f);
    const foreign = await idp(['get', `https://idp.example.com${path}`], noBase);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toMatch(
      /refusing to send your token to https:\/\/idp\.example\.com: it is not a MuleSoft IDP host/,
    );
    expect(foreign.stderr).toContain('set --base-url (or IDP_BASE_URL) to it');
    expect(f.server.requests).toHaveLength(0);
    expect(other.server.requests).toHaveLength(0);
  });

  it('a pasted loopback URL is trusted only as the configured base URL: no other port or spelling', async () => {
    const f = await fake((_req, res) => json(res, 200, execution('SUCCEEDED')));
    const path = `/api/v1/organizations/${IDS.organizationId}/actions/${IDS.actionId}/versions/1.1.0/executions/${IDS.executionId}`;
    const { IDP_BASE_URL: _b, ...noBase } = settingsFor(f);
    const port = new URL(f.baseUrl).port;
    // Before issue 29 any loopback URL was trusted without a base URL: the token went to f.
    for (const base of [f.baseUrl, `http://localhost:${port}`, `http://[::1]:${port}`]) {
      const run = await idp(['get', `${base}${path}`], noBase);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('set --base-url (or IDP_BASE_URL) to it');
    }
    const spelled = await idp(['get', `http://localhost:${port}${path}`], settingsFor(f));
    expect(spelled.code).toBe(2);
    expect(spelled.stderr).toContain('but the configured base URL');
    expect(f.server.requests).toHaveLength(0);
    // The configured one works as before.
    expect((await idp(['get', `${f.baseUrl}${path}`], settingsFor(f))).code).toBe(0);
  });

  it('get against a runtime that never answers: a request timeout is exit 1, not the wait timeout 6', async () => {
    const f = await fake(() => {
      // never answers
    });
    const run = await idp(['get', ...REF_FLAGS, '--request-timeout', '200ms'], settingsFor(f));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no answer within 200 ms/);
  });

  it('--verbose logs each attempt, never the token', async () => {
    const f = await fake((_req, res, i) =>
      i === 0 ? json(res, 503, { status: 503, title: 'x' }) : json(res, 200, execution('SUCCEEDED')),
    );
    const run = await idp(['get', ...REF_FLAGS, '--verbose'], settingsFor(f));
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/GET \/api\/v1\/organizations\/.* → 503 \(attempt 1/);
    expect(run.stderr).toMatch(/→ 200 \(attempt 2/);
    expect(run.stderr).not.toMatch(/tok-0|Bearer/);
  });

  it.each([
    ['a missing file', 'missing.pdf', /^idp: no such file: missing\.pdf \(looked in \/\S+\/idp-cli-\w+\)$/m],
    ['an unsupported type', 'notes.txt', /must end in \.pdf/],
  ])('submit refuses %s before sending (exit 2)', async (_name, file, message) => {
    const dir = await mkdtemp(join(tmpdir(), 'idp-cli-'));
    try {
      await writeFile(join(dir, 'notes.txt'), 'hello');
      const f = await fake((_req, res) => json(res, 201, {}));
      const run = await idp(
        ['submit', file, '--action', IDS.actionId, '--version', '1.1.0'],
        settingsFor(f),
        dir,
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(f.runtimeRequests()).toHaveLength(0);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe('idp mock', () => {
  it('prints settings that work as pasted, and stops on Ctrl-C', async () => {
    const port = await freePort();
    const mock = await startNode([BIN, 'mock', '--port', String(port)], /^idp get .*$/m, {
      env: { ...cleanEnv, NO_COLOR: '1' },
      cwd: tmpdir(), // outside the repository, where the hints say `idp`
    });
    try {
      const output = mock.output();
      // It says at once, on stderr, that it is starting (Prism can take a minute on a busy machine);
      // stdout stays the banner to paste from.
      expect(mock.errors()).toContain(`Starting the IDP mock on port ${port}`);
      expect(output).not.toContain('Starting');
      const env = Object.fromEntries(
        [...output.matchAll(/^export (IDP_\w+)=(\S+)$/gm)].map((m) => [m[1], m[2]]),
      );
      expect(Object.keys(env).sort()).toEqual([
        'IDP_BASE_URL',
        'IDP_CLIENT_ID',
        'IDP_CLIENT_SECRET',
        'IDP_ORG_ID',
        'IDP_TOKEN_URL',
      ]);
      const command = /^idp (get .*)$/m.exec(output)?.[1]?.split(' ') ?? [];
      const run = await idp(command, env as Record<string, string>);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Status: SUCCEEDED');
      mock.child.kill('SIGINT');
      expect(await mock.exited).toBe(0);
      expect(mock.output()).toContain('mock stopped');
      await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
    } finally {
      mock.child.kill('SIGKILL');
    }
  });
});

describe('idp with a very short (mock) secret', () => {
  it('prints the results untouched', async () => {
    const f = await fake((_req, res) => json(res, 200, execution('SUCCEEDED')));
    const run = await idp(['get', ...REF_FLAGS], { ...settingsFor(f), IDP_CLIENT_SECRET: 'b' });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(IDS.executionId);
    expect(run.stdout).not.toContain('[redacted]');
  });
});

describe('idp in a pipeline', () => {
  it('a reader that closes early (| head) ends idp quietly', async () => {
    const child = spawn(process.execPath, [BIN, '--help'], { env: { ...cleanEnv, NO_COLOR: '1' } });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(stderr).not.toContain('EPIPE');
  });
});

describe('idp submit --wait checks the wait options before uploading', () => {
  it('a bad --timeout exits 2 and sends nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idp-cli-'));
    try {
      await writeFile(join(dir, 'invoice.pdf'), pdfBytes(1));
      const f = await fake((_req, res) =>
        json(res, 201, { id: IDS.executionId, documentName: 'invoice.pdf' }),
      );
      const args = [
        'submit',
        'invoice.pdf',
        '--action',
        IDS.actionId,
        '--version',
        '1.1.0',
        '--wait',
        '--timeout',
        'soon',
      ];
      const run = await idp(args, settingsFor(f), dir);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/--timeout must be a duration/);
      expect(f.server.requests).toHaveLength(0);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe('idp --help', () => {
  it('lists the commands, the settings and the exit codes', async () => {
    const run = await idp(['--help']);
    expect(run.code).toBe(0);
    for (const text of [
      'get [options] [execution-url]',
      'wait [options]',
      'submit [options] <file>',
      'mock [options]',
      'IDP_CLIENT_SECRET',
      '6  the wait timed out',
    ]) {
      expect(run.stdout).toContain(text);
    }
  });

  it('help wraps at the width of the stdout main() is given, not at that of the process running it', async () => {
    const piped = await idp(['get', '--help']);
    const wide = await runIdp(['get', '--help'], {
      env: { ...cleanEnv, NO_COLOR: '1' },
      terminalColumns: 200,
    });
    expect(wide.code).toBe(0);
    expect(wide.stdout).toContain('Usage: idp get');
    // The same help, wrapped at 200 columns rather than a pipe's 80: fewer lines.
    expect(wide.stdout.split('\n').length).toBeLessThan(piped.stdout.split('\n').length);
  });

  it.each(['get', 'wait', 'submit', 'mock'])('idp %s --help is complete', async (command) => {
    const run = await idp([command, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: idp ${command}`);
    if (command !== 'mock') expect(run.stdout).toContain('Examples:');
  });
});

describe('the bin itself (a child process: what main() in-process cannot show)', () => {
  it('an execution that FAILED exits 3 through the bin, with the table on stdout', async () => {
    const f = await fake((_req, res) => json(res, 200, execution('FAILED')));
    const run = await bin(['get', ...REF_FLAGS], settingsFor(f));
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('Status: FAILED');
  });

  it('a usage error exits 2 through the bin, with one line and the help hint on stderr', async () => {
    const run = await bin(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/unknown command/);
  });
});
