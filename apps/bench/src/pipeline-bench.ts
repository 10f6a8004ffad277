/**
 * `pnpm --filter @idp-kit/bench bench:pipeline`: the client's per-call cost on the small body at
 * concurrency 16, against raw `fetch` + `res.json()` and raw fetch with a per-attempt timeout signal, in
 * alternated rounds of one run. With `IDP_BENCH_BEFORE=<a copy of packages/client/dist>`, that build runs
 * beside the current one: before and after in the same run, on the same loaded machine.
 */
import { pathToFileURL } from 'node:url';
import { createIdpClient, type TokenProvider } from '@idp-kit/client';
import { IDS } from './bodies.js';
import { type LoadResult, load, median, spread } from './load.js';
import { startServer } from './server-process.js';

const quick = process.argv.includes('--quick');
const fixed: TokenProvider = { getToken: async () => 'bench-token', invalidate: () => {} };
const ref = { actionId: IDS.actionId, actionVersion: IDS.actionVersion, executionId: IDS.small };
const server = await startServer();
try {
  const url = `${server.baseUrl}/api/v1/organizations/${IDS.organizationId}/actions/${IDS.actionId}/versions/${IDS.actionVersion}/executions/${IDS.small}?valueOnly=true`;
  const headers = {
    Authorization: 'Bearer bench-token',
    'User-Agent': 'idp-kit-bench',
    Accept: 'application/json',
  };
  const options = {
    organizationId: IDS.organizationId,
    baseUrl: server.baseUrl,
    auth: fixed,
    userAgent: 'idp-kit-bench',
  };
  const client = createIdpClient(options);
  const sides: Record<string, () => Promise<unknown>> = {
    raw: async () => (await fetch(url, { headers })).json(),
    rawWithTimeout: async () => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 30_000);
      try {
        return await (await fetch(url, { headers, signal: controller.signal })).json();
      } finally {
        clearTimeout(timer);
      }
    },
    client: () => client.getExecution(ref, { valueOnly: true }),
  };
  const before = process.env.IDP_BENCH_BEFORE;
  if (before) {
    const old = (await import(pathToFileURL(`${before}/index.js`).href)) as {
      createIdpClient: typeof createIdpClient;
    };
    const oldClient = old.createIdpClient(options);
    sides.clientBefore = () => oldClient.getExecution(ref, { valueOnly: true });
  }
  const names = Object.keys(sides);
  const total = 2_000;
  const rounds = quick ? 3 : 12;
  for (const name of names) await load(sides[name] as () => Promise<unknown>, 300, 16); // warm-up
  const results: Record<string, LoadResult[]> = Object.fromEntries(names.map((n) => [n, []]));
  const ratios: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    // Alternate the order so that no side always runs on a warmer (or busier) machine.
    const order = round % 2 ? [...names].reverse() : names;
    const got: Record<string, LoadResult> = {};
    for (const name of order) got[name] = await load(sides[name] as () => Promise<unknown>, total, 16);
    for (const name of names) {
      results[name]?.push(got[name] as LoadResult);
      ratios[name]?.push((got[name] as LoadResult).rps / (got.raw as LoadResult).rps);
    }
  }
  const rawCpu = median((results.raw ?? []).map((r) => r.cpuPerRequestUs));
  console.log(
    `pipeline bench: small body, concurrency 16, ${rounds} rounds of ${total}, node ${process.version}`,
  );
  console.table(
    names.map((name) => {
      const rs = results[name] ?? [];
      const r = ratios[name] ?? [];
      const cpu = median(rs.map((x) => x.cpuPerRequestUs));
      return {
        side: name,
        'req/s': median(rs.map((x) => x.rps)).toFixed(0),
        'throughput / raw': `${median(r).toFixed(3)} [${spread(r).min.toFixed(2)}–${spread(r).max.toFixed(2)}]`,
        'CPU µs/req': cpu.toFixed(0),
        'raw CPU / CPU': (rawCpu / cpu).toFixed(3),
      };
    }),
  );
} finally {
  server.stop();
}
