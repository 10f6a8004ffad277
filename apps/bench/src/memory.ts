/**
 * Section 4: memory. Run in a child process started with --expose-gc (see runMemory): retrieves the
 * largest realistic result (150 pages, valueOnly=false) 200 times in a row through the client, then the
 * same with raw fetch, sampling RSS and the heap after GC.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createIdpClient } from '@idp-kit/client';
import { IDS } from './bodies.js';

export interface MemoryRow {
  side: 'client' | 'raw';
  iterations: number;
  bodyBytes: number;
  baselineRssMb: number;
  peakRssGrowthMb: number;
  peakGrowthOverBody: number;
  heapAfterGcFirstMb: number;
  heapAfterGcLastMb: number;
  /** Heap retained after GC, last 10 iterations vs the 10 after warm-up: ~0 means no leak. */
  retainedGrowthMb: number;
}

const MB = 1024 * 1024;

async function measure(side: 'client' | 'raw', baseUrl: string, iterations: number): Promise<MemoryRow> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const ref = { actionId: IDS.actionId, actionVersion: IDS.actionVersion, executionId: IDS.large };
  const client = createIdpClient({
    organizationId: IDS.organizationId,
    baseUrl,
    auth: { getToken: async () => 'bench', invalidate: () => {} },
  });
  const url = `${baseUrl}/api/v1/organizations/${IDS.organizationId}/actions/${IDS.actionId}/versions/${IDS.actionVersion}/executions/${IDS.large}?valueOnly=false`;
  const call =
    side === 'client'
      ? () => client.getExecution(ref, { valueOnly: false })
      : async () => (await fetch(url, { headers: { Authorization: 'Bearer bench' } })).json();
  const bodyBytes = (await (await fetch(url)).arrayBuffer()).byteLength;
  for (let i = 0; i < 10; i++) await call(); // warm-up
  gc();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const heapAfterGc: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const result = await call();
    peak = Math.max(peak, process.memoryUsage().rss);
    if (!result) throw new Error('no result');
    if (i < 10 || i >= iterations - 10) {
      gc();
      heapAfterGc.push(process.memoryUsage().heapUsed);
    }
  }
  const first = heapAfterGc.slice(0, 10);
  const last = heapAfterGc.slice(-10);
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    side,
    iterations,
    bodyBytes,
    baselineRssMb: baseline / MB,
    peakRssGrowthMb: (peak - baseline) / MB,
    peakGrowthOverBody: (peak - baseline) / bodyBytes,
    heapAfterGcFirstMb: avg(first) / MB,
    heapAfterGcLastMb: avg(last) / MB,
    retainedGrowthMb: (avg(last) - avg(first)) / MB,
  };
}

/** Measures each side in a fresh child process so one side's heap does not colour the other's. */
export async function memoryCost(baseUrl: string, iterations = 200): Promise<MemoryRow[]> {
  const rows: MemoryRow[] = [];
  for (const side of ['client', 'raw'] as const) {
    const child = fork(fileURLToPath(import.meta.url), [side, baseUrl, String(iterations)], {
      execArgv: ['--import', 'tsx', '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    rows.push(
      await new Promise<MemoryRow>((resolve, reject) => {
        child.once('message', (row) => resolve(row as MemoryRow));
        child.once('exit', (code) => reject(new Error(`memory child exited (${code})`)));
      }),
    );
  }
  return rows;
}

if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  const [side, baseUrl, iterations] = process.argv.slice(2);
  const row = await measure(side === 'raw' ? 'raw' : 'client', baseUrl ?? '', Number(iterations));
  process.send(row, () => process.exit(0));
}
