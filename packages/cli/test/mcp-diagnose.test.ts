import { closeAfterTest, execution, fakeIdp, IDS, json } from '@idp-kit/testkit';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv, settingsFor } from './helpers.js';

const SECRET = 'mcp-diagnose-cli-S3cret';

describe('idp mcp: the diagnose tool', () => {
  it("checks the CLI's own settings as idp doctor does: where each came from, a token of its own", async () => {
    const idp = closeAfterTest(
      await fakeIdp((req, res) =>
        req.url.includes('/executions/')
          ? json(res, 200, execution('SUCCEEDED'))
          : json(res, 200, { actions: [], total: 0 }),
      ),
    );
    const client = new Client({ name: 'cli-test', version: '0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [BIN, 'mcp'],
        env: { ...cleanEnv, ...settingsFor(idp, SECRET) },
        stderr: 'pipe',
      }),
    );
    try {
      const result = (await client.callTool({
        name: 'diagnose',
        arguments: { actionId: IDS.actionId, actionVersion: '1.1.0', executionId: IDS.executionId },
      })) as { isError?: boolean; content: { text: string }[] };
      const text = result.content.map((c) => c.text).join('');
      const report = JSON.parse(text) as { checks: { id: string; status: string; message: string }[] };
      const check = (id: string) => report.checks.find((c) => c.id === id);
      expect(check('settings.IDP_CLIENT_SECRET')).toMatchObject({
        status: 'ok',
        message: 'set, from the environment (value not shown)',
      });
      expect(check('token')?.message).toMatch(
        /^obtained from 127\.0\.0\.1:\d+: type bearer, lifetime 3600 s/,
      );
      expect(check('access.execution.values')).toMatchObject({ status: 'ok', message: 'status SUCCEEDED' });
      expect(text).not.toContain(SECRET);
    } finally {
      await client.close();
    }
  });
});
