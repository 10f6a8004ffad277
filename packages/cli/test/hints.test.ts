import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort, type RunningMock } from '@idp-kit/mock';
import { type Ran, startNode } from '@idp-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, mockFront, settingsFor } from './helpers.js';

/**
 * Every hint is pasted into a real shell, as a user would: an `idp` on the PATH that runs the built
 * binary, in a folder outside the repository (where the hints say `idp`). A literal "…", a placeholder or
 * a bad quote fails here.
 */
let folder: string;
let path: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'idp-hints-'));
  const bin = join(folder, 'bin');
  await mkdir(bin);
  await writeFile(join(bin, 'idp'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  await chmod(join(bin, 'idp'), 0o755);
  path = `${bin}${delimiter}${process.env.PATH ?? ''}`;
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Runs one pasted line (or several) in `sh`, with `env` exported, in the folder outside the repository. */
function paste(line: string, env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      'sh',
      ['-c', line],
      { cwd: folder, env: { ...cleanEnv, NO_COLOR: '1', ...env, PATH: path }, timeout: 90_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
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
