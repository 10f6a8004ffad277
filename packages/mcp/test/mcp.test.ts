import { fileURLToPath } from 'node:url';
import { MOCK_EXECUTIONS, type RunningMock, startMock } from '@idp-kit/mock';
import { closeAfterTest, fakeIdp, IDS, json, pdfBytes } from '@idp-kit/testkit';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';

const SERVER = fileURLToPath(new URL('./stdio-server.ts', import.meta.url));
const SECRET = 'mcp-S3cret-never-shown-77';
const REF = { actionId: IDS.actionId, actionVersion: '1.1.0' };

type Content = { type: string; text?: string; uri?: string };
type Result = { isError?: boolean; content: Content[] };

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

const text = (result: Result) => result.content.map((c) => c.text ?? '').join('\n');
const call = async (client: Client, name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as Result;

describe('the MCP server against the bundled mock, through the SDK client over stdio', () => {
  let mock: RunningMock | undefined;
  beforeAll(async () => {
    mock = await startMock({ lifecycleMs: 1_000 });
  });
  afterAll(async () => {
    await mock?.stop();
  });
  const env = (extra: Record<string, string> = {}) => {
    if (!mock) throw new Error('setup: the mock did not start');
    return {
      IDP_BASE_URL: mock.baseUrl,
      IDP_TOKEN_URL: mock.tokenUrl,
      IDP_ORG_ID: IDS.organizationId,
      IDP_CLIENT_ID: 'mcp-client',
      IDP_CLIENT_SECRET: SECRET,
      ...extra,
    };
  };

  it('lists the read-only tools; the ones that cost credits or change state only with the allow flag', async () => {
    const readOnly = await connect(env());
    const names = (await readOnly.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual([
      'diagnose',
      'extract_fields',
      'get_action',
      'get_execution',
      'get_review',
      'list_actions',
      'list_reviews',
      'wait_for_execution',
    ]);
    const writing = await connect(env({ ALLOW_WRITES: '1' }));
    const tools = (await writing.listTools()).tools;
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(['submit_document', 'update_review', 'approve_review']),
    );
    expect(tools.find((t) => t.name === 'submit_document')?.description).toMatch(/COSTS IDP CREDITS/);
  });

  it('calls every read-only tool', async () => {
    const client = await connect(env());
    const got = await call(client, 'get_execution', { ...REF, executionId: IDS.executionId });
    expect(got.isError).toBeFalsy();
    expect(JSON.parse(text(got))).toMatchObject({ status: 'SUCCEEDED', documentName: 'invoice-2291.pdf' });

    const fields = await call(client, 'extract_fields', {
      ...REF,
      executionId: MOCK_EXECUTIONS.SUCCEEDED,
      belowConfidence: 80,
    });
    expect(JSON.parse(text(fields))).toMatchObject({
      count: 1,
      fields: [{ name: 'totalAmount', confidence: 71.2 }],
    });

    const progress: unknown[] = [];
    const waited = (await client.callTool(
      {
        name: 'wait_for_execution',
        arguments: { ...REF, executionId: MOCK_EXECUTIONS.lifecycle, timeoutSeconds: 60 },
      },
      undefined,
      { onprogress: (p) => progress.push(p) },
    )) as Result;
    expect(JSON.parse(text(waited)).status).toBe('SUCCEEDED');
    expect(progress.length).toBeGreaterThanOrEqual(2);

    const actions = JSON.parse(text(await call(client, 'list_actions', {})));
    expect(actions.actions.map((a: { name: string }) => a.name)).toEqual(['Invoices', 'Purchase orders']);
    const action = JSON.parse(
      text(await call(client, 'get_action', { actionId: IDS.actionId, version: '1.1.0' })),
    );
    expect(action.versions).toEqual([
      {
        version: '1.1.0',
        status: 'PUBLISHED',
        runtimeBaseUrl: 'https://idp-rt.us-east-1.anypoint.mulesoft.com',
      },
    ]);
    const reviews = JSON.parse(text(await call(client, 'list_reviews', {})));
    expect(reviews.length).toBeGreaterThan(0);
    const review = JSON.parse(
      text(
        await call(client, 'get_review', {
          actionId: IDS.actionId,
          executionId: MOCK_EXECUTIONS.MANUAL_VALIDATION_REQUIRED,
        }),
      ),
    );
    expect(review.analyzersResults.map((i: { name: string }) => i.name)).toEqual(['total', 'buyer']);
  });

  it('an execution is also a resource the agent can read whole', async () => {
    const client = await connect(env());
    const got = await call(client, 'get_execution', {
      ...REF,
      executionId: MOCK_EXECUTIONS.SUCCEEDED,
      valueOnly: false,
    });
    // the mock's results are small: whole
    expect(got.content).toHaveLength(1);
    const uri = `idp://executions/${IDS.actionId}/1.1.0/${MOCK_EXECUTIONS.SUCCEEDED}?valueOnly=false`;
    const resource = await client.readResource({ uri });
    expect(JSON.parse(String((resource.contents[0] as { text: string }).text)).status).toBe('SUCCEEDED');
  });

  it('with the allow flag: submit, correct and approve a review, through to the corrected result', async () => {
    const client = await connect(env({ ALLOW_WRITES: '1' }));
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'idp-mcp-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'po-review.pdf'), pdfBytes(1));
    const submitted = JSON.parse(
      text(await call(client, 'submit_document', { path: join(dir, 'po-review.pdf'), ...REF })),
    );
    const ref = { ...REF, executionId: submitted.executionId };
    const settled = JSON.parse(
      text(await call(client, 'wait_for_execution', { ...ref, timeoutSeconds: 60 })),
    );
    expect(settled.status).toBe('MANUAL_VALIDATION_REQUIRED');
    const updated = await call(client, 'update_review', {
      actionId: IDS.actionId,
      executionId: submitted.executionId,
      corrections: { total: '1,920.00' },
    });
    expect(updated.isError).toBeFalsy();
    await call(client, 'approve_review', { actionId: IDS.actionId, executionId: submitted.executionId });
    const final = JSON.parse(text(await call(client, 'get_execution', ref)));
    expect(final.status).toBe('SUCCEEDED');
    expect(JSON.stringify(final)).toContain('"1,920.00"');
  });

  it('errors are tool errors with a clear message: a bad id, a 404, a missing name, an unknown review item', async () => {
    const client = await connect(env({ ALLOW_WRITES: '1' }));
    const badId = await call(client, 'get_execution', { ...REF, executionId: 'not-a-uuid' });
    expect(badId.isError).toBe(true);
    expect(text(badId)).toMatch(/executionId must be a UUID/);
    const notFound = await call(client, 'get_execution', { ...REF, executionId: MOCK_EXECUTIONS.notFound });
    expect(notFound.isError).toBe(true);
    expect(text(notFound)).toMatch(/get_execution: getExecution failed: HTTP 404/);
    const unnamed = await call(client, 'get_execution', { actionId: IDS.actionId });
    expect(text(unnamed)).toBe('get_execution: name the execution: url, or actionVersion, executionId');
    const unknown = await call(client, 'update_review', {
      actionId: IDS.actionId,
      executionId: MOCK_EXECUTIONS.MANUAL_VALIDATION_REQUIRED,
      corrections: { totl: '1' },
    });
    expect(text(unknown)).toContain('the review has no item named "totl"');
  });
});

describe('the MCP server when the service misbehaves', () => {
  it('an unreachable host names it; a server that echoes the secret never gets it shown', async () => {
    const echo = closeAfterTest(
      await fakeIdp((req, res) =>
        json(res, 500, { status: 500, title: 'Oops', detail: `we saw ${req.headers['x-leak'] ?? SECRET}` }),
      ),
    );
    const client = await connect({
      IDP_BASE_URL: echo.baseUrl,
      IDP_TOKEN_URL: echo.tokenUrl,
      IDP_ORG_ID: IDS.organizationId,
      IDP_CLIENT_ID: 'mcp-client',
      IDP_CLIENT_SECRET: SECRET,
    });
    const leaked = await call(client, 'get_execution', { ...REF, executionId: IDS.executionId });
    expect(leaked.isError).toBe(true);
    expect(text(leaked)).toContain('we saw [redacted]');
    expect(text(leaked)).not.toContain(SECRET);

    const down = await connect({
      IDP_BASE_URL: 'http://127.0.0.1:9',
      IDP_TOKEN_URL: 'http://127.0.0.1:9/accounts/api/v2/oauth2/token',
      IDP_ORG_ID: IDS.organizationId,
      IDP_CLIENT_ID: 'mcp-client',
      IDP_CLIENT_SECRET: SECRET,
    });
    const unreachable = await call(down, 'list_reviews', {});
    expect(unreachable.isError).toBe(true);
    expect(text(unreachable)).toMatch(/127\.0\.0\.1:9/);
  });
});
