import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXAMPLE_EXECUTION, type RunningMock } from '@idp-kit/mock';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, mockFront } from './helpers.js';

/**
 * The root README's commands, run as written: the CLI's first five minutes against the mock, and the MCP
 * client configuration for a clone. A README edit that breaks either fails here.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
/** The port the README's commands name: `pnpm idp mock`'s default. */
const README_MOCK = 'http://127.0.0.1:4010';

let readme: string;
let mock: RunningMock | undefined;
let folder: string;
beforeAll(async () => {
  readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  folder = await mkdtemp(join(tmpdir(), 'idp-readme-')); // outside the repository: no .env of ours
  mock = await mockFront({ lifecycleMs: 1_000 });
});
afterAll(async () => {
  await mock?.stop();
  await rm(folder, { recursive: true, force: true });
});

/** The text between `<!-- name -->` and `<!-- /name -->`, inside its code fence. */
function block(name: string): string {
  const marked = new RegExp(`<!-- ${name} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\`\`\`\\n<!-- /${name} -->`).exec(
    readme,
  );
  expect(marked, `a fenced block between <!-- ${name} --> markers in README.md`).not.toBeNull();
  return marked?.[1] ?? '';
}

function running(): RunningMock {
  if (!mock) throw new Error('setup: the mock did not start (see the beforeAll error above)');
  return mock;
}

describe('the root README', () => {
  it('its MCP client configuration starts the server, which lists its tools and answers over stdio', async () => {
    const config = JSON.parse(block('mcp-config')) as {
      mcpServers: { idp: { command: string; args: string[]; env: Record<string, string> } };
    };
    const server = config.mcpServers.idp;
    expect(Object.keys(server.env).sort()).toEqual(['IDP_CLIENT_ID', 'IDP_CLIENT_SECRET', 'IDP_ORG_ID']);
    // The reader's substitutions: where the clone is, their credentials; and here, the mock's URLs.
    const args = server.args.map((arg) => arg.replace('/abs/path/to/idp-kit', ROOT));
    expect(args).toEqual([BIN, 'mcp']);
    const client = new Client({ name: 'readme-test', version: '0' });
    await client.connect(
      new StdioClientTransport({
        command: server.command,
        args,
        cwd: folder,
        env: {
          PATH: process.env.PATH ?? '',
          ...server.env,
          IDP_CLIENT_ID: 'readme-client',
          IDP_CLIENT_SECRET: 'readme-secret-1234',
          IDP_BASE_URL: running().baseUrl,
          IDP_TOKEN_URL: running().tokenUrl,
        },
        stderr: 'pipe',
      }),
    );
    try {
      const tools = (await client.listTools()).tools.map((t) => t.name);
      expect(tools).toEqual(expect.arrayContaining(['get_execution', 'list_reviews']));
      const { organizationId: _org, ...ref } = EXAMPLE_EXECUTION;
      const result = (await client.callTool({ name: 'get_execution', arguments: ref })) as {
        content: { text: string }[];
      };
      expect(JSON.parse(result.content[0]?.text ?? '').status).toBe('SUCCEEDED');
    } finally {
      await client.close();
    }
  });

  it('the CLI’s first five minutes paste and run, one after the other, against the mock', async () => {
    const commands = block('five-minutes');
    expect(commands).toContain('export IDP_CLIENT_SECRET=');
    expect(commands).not.toContain('…');
    // `pnpm idp` builds, then runs the bin with the rest of the line: here the bin itself, on the PATH.
    const bin = join(folder, 'bin');
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, 'idp'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    await chmod(join(bin, 'idp'), 0o755);
    const script = commands.replaceAll(README_MOCK, running().baseUrl).replace(/^pnpm idp /gm, 'idp ');
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'sh',
        ['-ec', script],
        {
          cwd: folder,
          env: { PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1', HOME: folder },
          timeout: 180_000,
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(run.code, run.stderr).toBe(0);
    // get, get (URL), wait, submit --wait: each printed a settled execution
    expect(run.stdout.match(/^Status: SUCCEEDED/gm)).toHaveLength(4);
    expect(run.stdout).toMatch(/^execution +action +file/m); // reviews
    expect(run.stdout).toContain('below 80%'); // review
  });
});
