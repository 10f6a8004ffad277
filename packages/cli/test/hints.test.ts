import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort, type RunningMock } from '@idp-kit/mock';
import { type Ran, startNode } from '@idp-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, mockFront, runIdp, settingsFor } from './helpers.js';

/**
 * Every hint is pasted into a real shell, as a user would, in a folder outside the repository (where the
 * hints say `idp`). A literal "…", a placeholder or a bad quote fails here. The `idp` on the PATH
 * records the words and the environment the shell gave it; the test then runs `main()` with them, in
 * this process: a Node start per paste cost seconds on a busy machine. The bin itself is tested by
 * spawning it (cli.test.ts, pnpm-idp.test.ts, root-readme.test.ts, and `idp mock` below).
 */
let folder: string;
let path: string;
let calls: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'idp-hints-'));
  const bin = join(folder, 'bin');
  calls = join(folder, 'calls');
  await mkdir(bin);
  await writeFile(
    join(bin, 'idp'),
    `#!/bin/sh\n[ ! -e "${calls}" ] || { echo 'idp: one call per paste here' >&2; exit 99; }\n` +
      `for word in "$@"; do printf '%s\\0' "$word"; done > "${calls}.argv"\nenv -0 > "${calls}.env"\n` +
      `: > "${calls}"\n`,
  );
  await chmod(join(bin, 'idp'), 0o755);
  path = `${bin}${delimiter}${process.env.PATH ?? ''}`;
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** NUL-separated words, as the shim wrote them. */
const words = (text: string) => text.split('\0').slice(0, -1);

/**
 * Runs one pasted line (or several) in `sh`, with `env` exported, in the folder outside the repository;
 * then the one `idp` call the shell made, with the words and environment it was given.
 */
async function paste(line: string, env: Record<string, string> = {}): Promise<Ran> {
  await rm(calls, { force: true });
  const shell = await new Promise<Ran>((resolve) => {
    execFile(
      'sh',
      ['-c', line],
      { cwd: folder, env: { ...cleanEnv, NO_COLOR: '1', ...env, PATH: path }, timeout: 90_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
  expect(shell, `the pasted line ran idp once:\n${line}`).toEqual({ code: 0, stdout: '', stderr: '' });
  const argv = words(await readFile(`${calls}.argv`, 'utf8'));
  const given = Object.fromEntries(
    words(await readFile(`${calls}.env`, 'utf8')).map((entry) => {
      const at = entry.indexOf('=');
      return [entry.slice(0, at), entry.slice(at + 1)];
    }),
  );
  return runIdp(argv, { env: given, cwd: folder });
}

/** The command in the one line of `text` that holds `idp <command>`: from there to the end of the line. */
function hint(text: string, command: string): string {
  const lines = text.split('\n').filter((l) => l.includes(`idp ${command} `));
  expect(lines, `one \`idp ${command}\` hint in:\n${text}`).toHaveLength(1);
  const line = (lines[0] ?? '').slice((lines[0] ?? '').indexOf(`idp ${command} `)).trim();
  expect(line).not.toMatch(/…|<[a-z-]+>/); // no ellipsis, no placeholder
  return line;
}

describe('the review hints paste as they are, one after the other', () => {
  let mock: RunningMock | undefined;
  beforeAll(async () => {
    mock = await mockFront();
  });
  afterAll(async () => {
    await mock?.stop();
  });
  const settings = () => {
    if (!mock) throw new Error('setup: the mock did not start (see the beforeAll error above)');
    return settingsFor(mock);
  };

  it('reviews → review → review update → review approve → wait --until final', async () => {
    const reviews = await paste('idp reviews', settings());
    expect(reviews.code).toBe(0);
    const read = await paste(hint(reviews.stderr, 'review'), settings());
    expect(read.code).toBe(0);
    expect(read.stdout).toContain('below 80%');

    const update = await paste(hint(read.stdout, 'review update'), settings());
    expect(update.code, update.stderr).toBe(0);
    const approve = await paste(hint(read.stdout, 'review approve'), settings());
    expect(approve.code, approve.stderr).toBe(0);

    const wait = hint(approve.stderr, 'wait');
    expect(wait).toMatch(/--version 1\.1\.0 .*--until final/);
    const final = await paste(wait, settings());
    expect(final.code, final.stderr).toBe(0);
    expect(final.stdout).toContain('Status: SUCCEEDED');
  });

  it('a review named by its URL is named by the same URL in every hint', async () => {
    // The URL names the organization; the base URL stays configured: a pasted loopback URL is trusted
    // only as the configured base URL (issue 29), never on its own say-so.
    const { IDP_ORG_ID: org, ...env } = settings();
    const base = env.IDP_BASE_URL;
    const url = `${base}/api/v1/organizations/${org}/actions/90c3e286-72b5-42ca-92d0-22f86ea8d766/versions/1.1.0/executions/7d9c2f10-6a3b-4e58-b1c4-2f8e9a0b5c66`;
    const read = await paste(`idp review '${url}'`, { ...env });
    expect(read.code, read.stderr).toBe(0);
    expect(hint(read.stdout, 'review approve')).toBe(`idp review approve ${url}`);
    const approve = await paste(hint(read.stdout, 'review approve'), env);
    expect(approve.code, approve.stderr).toBe(0);
    expect(hint(approve.stderr, 'wait')).toBe(`idp wait ${url} --until final`);
  });
});

describe('idp mock prints settings and commands that paste', () => {
  it('the export lines, then the get and wait commands, in one shell', async () => {
    const port = await freePort();
    const mock = await startNode([BIN, 'mock', '--port', String(port)], /^idp wait .*$/m, {
      env: { ...cleanEnv, NO_COLOR: '1' },
      cwd: folder,
    });
    try {
      const output = mock.output();
      expect(output).not.toContain('…');
      const exports = output.split('\n').filter((l) => l.startsWith('export '));
      expect(exports.map((l) => l.split('=')[0])).toEqual([
        'export IDP_BASE_URL',
        'export IDP_TOKEN_URL',
        'export IDP_ORG_ID',
        'export IDP_CLIENT_ID',
        'export IDP_CLIENT_SECRET',
      ]);
      const get = await paste([...exports, hint(output, 'get')].join('\n'));
      expect(get.code, get.stderr).toBe(0);
      expect(get.stdout).toContain('Status: SUCCEEDED');
      const wait = hint(output, 'wait');
      expect(wait).toContain('--execution 00000000-0000-4000-8000-000000000020');
    } finally {
      // Ctrl-C: idp mock stops its Prism, then exits. A SIGKILL left that Prism running, orphaned, after
      // every run of this file (the test's timeout is the hang guard).
      mock.child.kill('SIGINT');
      await mock.exited;
    }
  });
});
