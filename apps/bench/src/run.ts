/**
 * `pnpm bench`: every figure of apps/bench/README.md, side by side with raw fetch in the same run.
 * Prints a table and writes results/latest.json. `--quick` runs fewer rounds (a smoke run).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { FOOTPRINT_BUDGET_BYTES, footprint } from './footprint.js';
import { memoryCost } from './memory.js';
import { clientOverheadMicro } from './micro.js';
import { authCost, perCallOverhead } from './overhead.js';
import { pollingCost } from './polling.js';
import { startServer } from './server-process.js';

const quick = process.argv.includes('--quick');
const started = Date.now();
const f = (n: number, digits = 0) => n.toFixed(digits);
const ok = (pass: boolean) => (pass ? 'yes' : 'NO');
const log = (text: string) => console.log(text);

log(
  `idp-kit bench${quick ? ' (quick)' : ''}: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}\n`,
);
const server = await startServer();
try {
  log('1. Per-call overhead: client.getExecution vs raw fetch + res.json() (same URL, headers, concurrency)');
  const overhead = await perCallOverhead(server, { quick });
  console.table(
    overhead.map((r) => ({
      body: `${r.body} (${f(r.bodyBytes / 1024)} KiB)`,
      conc: r.concurrency,
      'raw req/s': f(r.raw.rps),
      'client req/s': f(r.client.rps),
      ratio: `${f(r.ratio, 3)} [${f(r.ratioSpread.min, 2)}–${f(r.ratioSpread.max, 2)}]`,
      target: `≥ ${r.target}`,
      met: ok(r.ratio >= r.target),
      'raw p50/p99 ms': `${f(r.raw.p50, 2)}/${f(r.raw.p99, 2)}`,
      'client p50/p99 ms': `${f(r.client.p50, 2)}/${f(r.client.p99, 2)}`,
      'openapi-fetch req/s': f(r.openapiFetch.rps),
      'client / raw+timeout': f(r.ratioVsTimeout, 3),
      'CPU µs/req raw, raw+timeout, client': `${f(r.raw.cpuPerRequestUs)}, ${f(r.rawWithTimeout.cpuPerRequestUs)}, ${f(r.client.cpuPerRequestUs)}`,
    })),
  );

  log("1b. The client's own cost per call, no network (tinybench, a fetch answering from memory)");
  const micro = await clientOverheadMicro({ quick });
  console.table(
    micro.map((r) => ({
      task: r.task,
      'mean µs': f(r.meanUs, 1),
      'p99 µs': f(r.p99Us, 1),
      'ops/s': f(r.opsPerSecond),
    })),
  );

  log('2. Auth cost: getExecution with a cold clientCredentials cache vs a fixed token');
  const auth = await authCost(server, { quick });
  console.table([
    {
      calls: auth.calls,
      workers: auth.workers,
      'token requests': auth.tokenRequests,
      'target 1': ok(auth.tokenRequests === 1),
      'cold req/s': f(auth.coldRps),
      'fixed req/s': f(auth.fixedRps),
      ratio: `${f(auth.ratio, 3)} [${f(auth.ratioSpread.min, 2)}–${f(auth.ratioSpread.max, 2)}]`,
      'target ≥ 0.97': ok(auth.ratio >= 0.97),
    },
  ]);

  log('3. Polling cost: waitForExecution defaults against a MuleSoft host (fake clock)');
  const polling = await pollingCost();
  console.table(
    polling.map((r) => ({
      'settles after':
        r.settlesAfterS >= 3600
          ? `${r.settlesAfterS / 3600} h`
          : r.settlesAfterS >= 60
            ? `${r.settlesAfterS / 60} min`
            : `${r.settlesAfterS} s`,
      requests: r.requests,
      'fixed 10 s poll': r.fixed10sRequests,
      'detection delay s': f(r.detectionDelayS, 1),
      'interval in force s': f(r.intervalInForceS, 1),
      met: ok(
        r.requests <= r.fixed10sRequests &&
          r.detectionDelayS <= r.intervalInForceS &&
          (r.settlesAfterS < 7200 || r.requests < 250),
      ),
    })),
  );

  log('4. Memory: the largest realistic result (150 pages, valueOnly=false), 200 times in a row');
  const memory = await memoryCost(server.baseUrl, quick ? 40 : 200);
  console.table(
    memory.map((r) => ({
      side: r.side,
      'body MiB': f(r.bodyBytes / 1024 / 1024, 2),
      'peak RSS growth MiB': f(r.peakRssGrowthMb, 1),
      '× body': f(r.peakGrowthOverBody, 2),
      'heap after GC first/last MiB': `${f(r.heapAfterGcFirstMb, 1)}/${f(r.heapAfterGcLastMb, 1)}`,
      'retained growth MiB': f(r.retainedGrowthMb, 2),
    })),
  );

  log('5. Footprint: runtime pulled in by @idp-kit/client (client + auth + openapi-fetch), and cold import');
  const size = await footprint(quick ? 5 : 15);
  console.table([
    {
      'client min+gz kB': f(size.clientMinGzBytes / 1000, 2),
      [`target ≤ ${FOOTPRINT_BUDGET_BYTES / 1000} kB`]: ok(size.clientMinGzBytes <= FOOTPRINT_BUDGET_BYTES),
      'openapi-fetch alone min+gz kB': f(size.openapiFetchMinGzBytes / 1000, 2),
      'import ms client': f(size.importMs.client, 1),
      'import ms openapi-fetch': f(size.importMs.openapiFetch, 1),
      ratio: f(size.importMs.ratio, 2),
      'target ≤ 2×': ok(size.importMs.ratio <= 2),
    },
  ]);

  const results = {
    date: new Date().toISOString(),
    quick,
    machine: {
      node: process.version,
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      memoryGiB: totalmem() / 2 ** 30,
    },
    durationS: (Date.now() - started) / 1000,
    overhead,
    micro,
    auth,
    polling,
    memory,
    footprint: size,
  };
  const dir = fileURLToPath(new URL('../results/', import.meta.url));
  await mkdir(dir, { recursive: true });
  await writeFile(`${dir}${quick ? 'quick' : 'latest'}.json`, `${JSON.stringify(results, null, 2)}\n`);
  log(`\nwrote results/${quick ? 'quick' : 'latest'}.json in ${f(results.durationS)} s`);
} finally {
  server.stop();
}
