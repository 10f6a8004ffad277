import { MOCK_EXECUTIONS, type RunningMock } from '@idp-kit/mock';
import { IDS, runNode } from '@idp-kit/testkit';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, mockFront, settingsFor } from './helpers.js';

describe('idp mcp', () => {
  let mock: RunningMock | undefined;
  beforeAll(async () => {
    mock = await mockFront();
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it('serves the tools with the CLI settings to the SDK client over stdio', async () => {
    if (!mock) throw new Error('setup: the mock did not start');
    const client = new Client({ name: 'cli-test', version: '0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [BIN, 'mcp'],
        env: { ...cleanEnv, ...settingsFor(mock) },
        stderr: 'pipe',
      }),
    );
    try {
      const tools = (await client.listTools()).tools.map((t) => t.name);
      expect(tools).toContain('get_execution');
      expect(tools).not.toContain('submit_document');
      const result = (await client.callTool({
        name: 'get_execution',
        arguments: { actionId: IDS.actionId, actionVersion: '1.1.0', executionId: MOCK_EXECUTIONS.FAILED },
      })) as { content: { text: string }[] };
      expect(JSON.parse(result.content[0]?.text ?? '').status).toBe('FAILED');
    } finally {
      await client.close();
    }
  });

  it('a missing setting is said on stderr with exit 2, before any MCP traffic', async () => {
    const run = await runNode([BIN, 'mcp'], { env: { ...cleanEnv, IDP_ORG_ID: IDS.organizationId } });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/missing settings?:[\s\S]*IDP_CLIENT_ID/);
  });
});
