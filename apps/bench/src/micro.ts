/**
 * Section 1b: the client's own cost per call, without the network (tinybench). A `fetch` that answers
 * from memory takes the server and the socket out, so what is left is what the client adds.
 */
import { createIdpClient, extractFields, parseExecutionUrl } from '@idp-kit/client';
import { driftCheckingFetch } from '@idp-kit/client/drift';
import { Bench } from 'tinybench';
import { IDS, smallBody } from './bodies.js';

export interface MicroRow {
  task: string;
  meanUs: number;
  p99Us: number;
  opsPerSecond: number;
}

export async function clientOverheadMicro(options: { quick: boolean }): Promise<MicroRow[]> {
  const body = smallBody();
  const url = `https://idp.test/api/v1/organizations/${IDS.organizationId}/actions/${IDS.actionId}/versions/${IDS.actionVersion}/executions/${IDS.small}?valueOnly=true`;
  const memoryFetch = (async () =>
    new Response(body, { headers: { 'Content-Type': 'application/json' } })) as typeof fetch;
  const client = createIdpClient({
    organizationId: IDS.organizationId,
    baseUrl: 'https://idp.test',
    auth: { getToken: async () => 'bench', invalidate: () => {} },
    fetch: memoryFetch,
  });
  const ref = { actionId: IDS.actionId, actionVersion: IDS.actionVersion, executionId: IDS.small };
  // The spec-drift check is opt-in: off, the client is the one above (nothing of it is loaded).
  let drifts = 0;
  const checked = createIdpClient({
    organizationId: IDS.organizationId,
    baseUrl: 'https://idp.test',
    auth: { getToken: async () => 'bench', invalidate: () => {} },
    fetch: driftCheckingFetch(memoryFetch, { onReport: (r) => (drifts += r.drift.length) }),
  });
  const execution = JSON.parse(body);
  const bench = new Bench({ time: options.quick ? 200 : 1000, warmupTime: 200 });
  bench
    .add('raw: memory fetch + res.json()', async () => {
      await (await memoryFetch(url, { headers: { Authorization: 'Bearer bench' } })).json();
    })
    .add('client.getExecution (memory fetch)', async () => {
      await client.getExecution(ref);
    })
    .add('client.getExecution + spec-drift check on', async () => {
      await checked.getExecution(ref);
    })
    .add('parseExecutionUrl', () => {
      parseExecutionUrl(url);
    })
    .add('extractFields (1 page)', () => {
      extractFields(execution);
    });
  await bench.run();
  return bench.tasks.map((task) => {
    const result = task.result as
      | { latency?: { mean: number; p99?: number }; throughput?: { mean: number } }
      | undefined;
    return {
      task: task.name,
      meanUs: (result?.latency?.mean ?? Number.NaN) * 1000,
      p99Us: (result?.latency?.p99 ?? Number.NaN) * 1000,
      opsPerSecond: result?.throughput?.mean ?? Number.NaN,
    };
  });
}
