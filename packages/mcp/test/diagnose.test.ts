import { createIdpClient, type IdpClientOptions } from '@idp-kit/client';
import { closeAfterTest, execution, fakeIdp, IDS, json, REF } from '@idp-kit/testkit';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createIdpMcpServer, type IdpMcpOptions } from '../src/index.js';

const SECRET = 'mcp-diagnose-S3cret-77';

type Check = { id: string; status: string; message: string; action?: string };
type Report = { ok: boolean; checks: Check[] };

/** A runtime that answers with one execution and an empty page of actions; its errors echo the secret. */
async function runtime(echoSecret = false) {
  return closeAfterTest(
    await fakeIdp((req, res) => {
      if (echoSecret) return json(res, 403, { title: `forbidden for ${SECRET}`, status: 403 });
      if (req.url.includes('/executions/')) return json(res, 200, execution('SUCCEEDED'));
      return json(res, 200, { actions: [], total: 0 });
    }),
  );
}

function optionsFor(idp: { baseUrl: string; tokenUrl: string }): IdpClientOptions {
  return {
    organizationId: IDS.organizationId,
    baseUrl: idp.baseUrl,
    auth: { clientId: 'mcp-client', clientSecret: SECRET, tokenUrl: idp.tokenUrl },
    retry: { maxRetries: 0 },
  };
}

/** The server over the SDK's in-memory transport, with a real MCP client on the other end. */
async function connect(options: IdpMcpOptions): Promise<Client> {
  const server = createIdpMcpServer(options);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'diagnose-test', version: '0' });
  await client.connect(clientSide);
  onTestFinished(() => client.close());
  return client;
}

async function callDiagnose(client: Client, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name: 'diagnose', arguments: args })) as {
    isError?: boolean;
    content: { text?: string }[];
  };
  const text = result.content.map((c) => c.text ?? '').join('');
  return { isError: result.isError === true, text, report: JSON.parse(text) as Report };
}

const byId = (report: Report, id: string) => report.checks.find((c) => c.id === id);

describe('the diagnose tool', () => {
  it("with the client's options: every check, the execution named read, a token of its own", async () => {
    const idp = await runtime();
    const options = optionsFor(idp);
    const client = await connect({ client: createIdpClient(options), diagnose: { client: options } });
    const { isError, report } = await callDiagnose(client, { ...REF });
    expect(isError).toBe(false);
    expect(byId(report, 'token')?.message).toMatch(/^obtained from 127\.0\.0\.1:\d+: type bearer/);
    expect(byId(report, 'access.execution.values')).toMatchObject({
      status: 'ok',
      message: 'status SUCCEEDED',
    });
    expect(byId(report, 'access.actions')?.status).toBe('ok');
    expect(report.checks.some((c) => c.id.startsWith('spec.'))).toBe(true);
  });

  it('with only a client: the checks it can run, and why the others did not', async () => {
    const idp = await runtime();
    const client = await connect({ client: createIdpClient(optionsFor(idp)) });
    const { report } = await callDiagnose(client);
    expect(byId(report, 'token')).toMatchObject({ status: 'skip' });
    expect(byId(report, 'access.actions')?.status).toBe('ok');
    expect(byId(report, 'access.execution.values')).toBeUndefined();
    expect(report.ok).toBe(true);
  });

  it('a failing setup is a result (ok false, what to do), not a tool error, and holds no secret', async () => {
    const idp = await runtime(true);
    const options = optionsFor(idp);
    const client = await connect({ client: createIdpClient(options), diagnose: { client: options } });
    const { isError, text, report } = await callDiagnose(client, { ...REF });
    expect(isError).toBe(false);
    expect(report.ok).toBe(false);
    expect(byId(report, 'access.actions')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('HTTP 403'),
      action: expect.stringContaining('control plane'),
    });
    expect(text).not.toContain(SECRET);
  });

  it('a bad execution name is a tool error saying what to give, before anything is sent', async () => {
    const idp = await runtime();
    const client = await connect({ client: createIdpClient(optionsFor(idp)) });
    const result = (await client.callTool({ name: 'diagnose', arguments: { actionId: IDS.actionId } })) as {
      isError?: boolean;
      content: { text?: string }[];
    };
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toMatch(/^diagnose: /);
    expect(idp.server.requests).toEqual([]);
  });
});
