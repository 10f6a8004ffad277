import { createIdpClient } from '@idp-kit/client';
import { closeAfterTest, fakeIdp, IDS, json } from '@idp-kit/testkit';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { describe, expect, it } from 'vitest';
import { createIdpMcpServer, MAX_RESULT_CHARS } from '../src/index.js';

describe('output size', () => {
  it('a large result is summarized (shaky values first) with the whole as a resource link', async () => {
    const fields = Object.fromEntries(
      Array.from({ length: 400 }, (_, i) => [
        `field${i}`,
        { value: `value ${i} `.repeat(4), confidenceScore: i % 10 === 0 ? 40 : 95 },
      ]),
    );
    const body = { id: IDS.executionId, documentName: 'big.pdf', status: 'SUCCEEDED', fields };
    const idp = closeAfterTest(await fakeIdp((_req, res) => json(res, 200, body)));
    const server = createIdpMcpServer({
      client: createIdpClient({
        organizationId: IDS.organizationId,
        baseUrl: idp.baseUrl,
        auth: { clientId: 'c', clientSecret: 's-123456', tokenUrl: idp.tokenUrl },
      }),
    });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 't', version: '0' });
    await client.connect(clientSide);
    try {
      const ref = { actionId: IDS.actionId, actionVersion: '1.1.0', executionId: IDS.executionId };
      const result = (await client.callTool({
        name: 'get_execution',
        arguments: { ...ref, valueOnly: false },
      })) as {
        content: { type: string; text?: string; uri?: string }[];
      };
      expect(JSON.stringify(body).length).toBeGreaterThan(MAX_RESULT_CHARS);
      const [summary, link] = result.content;
      expect(summary?.text?.length).toBeLessThan(MAX_RESULT_CHARS);
      const parsed = JSON.parse(summary?.text ?? '');
      expect(parsed).toMatchObject({ status: 'SUCCEEDED', values: 400 });
      expect(parsed.lowConfidence).toHaveLength(20);
      expect(parsed.lowConfidence.every((f: { confidence: number }) => f.confidence === 40)).toBe(true);
      expect(link).toMatchObject({
        type: 'resource_link',
        uri: `idp://executions/${IDS.actionId}/1.1.0/${IDS.executionId}?valueOnly=false`,
      });
      const whole = await client.readResource({ uri: link?.uri ?? '' });
      expect(JSON.parse(String((whole.contents[0] as { text: string }).text))).toEqual(body);
    } finally {
      await client.close();
    }
  });
});
