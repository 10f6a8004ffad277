/**
 * One rate budget for a fleet (`--rate`): 4 worker processes on one PostgreSQL batch against the fake
 * IDP in its own process, with a budget of `rate`, once per way of taking tokens from the store's row
 * (`slice`: 1, one statement per request; 10, a worker takes 10 at a time). Measured at the fake, by its
 * own clock, over every request (token requests included): the most requests in any 10 s window
 * against the budget (goal ≤ 1.05), and the share of the budget used from the first request to the last
 * (goal ≥ 0.9). From the workers: trips to the store per request, and how long a take took (the
 * contention on the row, and the machine's load). PostgreSQL's CPU is not reported: its backends end
 * during the run (idle connections close), and their CPU goes with them. Run through `pnpm bench:workers --rate 600/min [--seconds 60] [--slices 1,10]`.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRate } from '@idp-kit/batch';
import { pdfBytes, type startPostgres } from '@idp-kit/testkit';
import { ACTION, ORG, startBatchFake } from './batch-fake-process.js';
import { databaseStats } from './postgres-stats.js';

const WORKERS = 4;
const POLLS = 3;

interface WorkerResult {
  summary: { succeeded: number };
  cpuUs: number;
  rate: { admitted: number; takes: number; cuts: number; takeMs: number[] };
}

/** The most arrivals in any window of `ms` (windows ending at each arrival). */
export function peakInWindow(times: number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let j = 0;
  for (let i = 0; i < sorted.length; i++) {
    while ((sorted[j] as number) <= (sorted[i] as number) - ms) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

async function runFleet(
  server: Awaited<ReturnType<typeof startPostgres>>,
  input: string,
  dir: string,
  perSecond: number,
  slice: number,
) {
  const fake = await startBatchFake({
    LATENCY_MS: '50',
    POLLS: String(POLLS),
    RATE_LIMITED: '0',
    UNAVAILABLE: '0',
  });
  const url = await server.createDatabase(`rate_slice_${slice}`);
  const runner = fileURLToPath(new URL('./batch-child.ts', import.meta.url));
  const before = await databaseStats(url);
  try {
    const results = await Promise.all(
      Array.from({ length: WORKERS }, (_, i) => {
        const child = spawn(process.execPath, ['--import', 'tsx', runner], {
          env: {
            ...process.env,
            ORG,
            BASE_URL: fake.baseUrl,
            INPUT: input,
            OUT: join(dir, `out-rate-${slice}-${i}`),
            STORE: url,
            UPLOADS: '4',
            RATE: String(perSecond),
            SLICE: String(slice),
            ...ACTION,
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let out = '';
        child.stdout.on('data', (c) => {
          out += c;
        });
        return new Promise<WorkerResult>((resolve, reject) =>
          child.on('exit', (code) =>
            code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`worker exited ${code}`)),
          ),
        );
      }),
    );
    const arrivals = await fake.arrivals();
    const after = await databaseStats(url);
    const spanS = (Math.max(...arrivals) - Math.min(...arrivals)) / 1000;
    const admitted = results.reduce((n, r) => n + r.rate.admitted, 0);
    const takes = results.reduce((n, r) => n + r.rate.takes + r.rate.cuts, 0);
    const takeMs = results.flatMap((r) => r.rate.takeMs);
    return {
      slice,
      workers: WORKERS,
      succeeded: results[0]?.summary.succeeded,
      requests: arrivals.length,
      admitted,
      spanS,
      peak10sOfBudget: peakInWindow(arrivals, 10_000) / (perSecond * 10),
      peak1sOfBudget: peakInWindow(arrivals, 1_000) / perSecond,
      budgetUsed: arrivals.length / (perSecond * spanS),
      storeTripsPerRequest: takes / admitted,
      takeMeanMs: takeMs.reduce((a, b) => a + b, 0) / Math.max(1, takeMs.length),
      takeP95Ms: percentile(takeMs, 0.95),
      // The whole batch's transactions (claims, writes, leases), the budget's statements among them.
      transactionsPerRequest: (after.commits - before.commits) / arrivals.length,
    };
  } finally {
    fake.stop();
  }
}

/** The rate section of `pnpm bench:workers`: prints a table and writes results/rate-latest.json. */
export async function rateBench(
  server: Awaited<ReturnType<typeof startPostgres>>,
  dir: string,
  options: { rate: string; seconds: number; slices: number[] },
): Promise<void> {
  const perSecond = parseRate(options.rate);
  // Enough documents to keep the budget busy for `seconds`: an upload and POLLS polls each.
  const documents = Math.ceil((perSecond * options.seconds) / (1 + POLLS));
  const input = join(dir, 'in-rate');
  await mkdir(input, { recursive: true });
  for (let i = 0; i < documents; i++)
    await writeFile(join(input, `doc-${String(i).padStart(5, '0')}.pdf`), pdfBytes(1, { text: `rate ${i}` }));
  const rows = [];
  for (const slice of options.slices) rows.push(await runFleet(server, input, dir, perSecond, slice));
  console.table(
    rows.map((r) => ({
      slice: r.slice,
      requests: r.requests,
      'span s': r.spanS.toFixed(1),
      'peak 10 s / budget': r.peak10sOfBudget.toFixed(3),
      'peak 1 s / budget': r.peak1sOfBudget.toFixed(2),
      'budget used': r.budgetUsed.toFixed(3),
      'store trips / request': r.storeTripsPerRequest.toFixed(2),
      'take ms (mean, p95)': `${r.takeMeanMs.toFixed(2)}, ${r.takeP95Ms.toFixed(2)}`,
      'tx / request (whole batch)': r.transactionsPerRequest.toFixed(2),
    })),
  );
  await mkdir(new URL('../results/', import.meta.url), { recursive: true });
  await writeFile(
    new URL('../results/rate-latest.json', import.meta.url),
    `${JSON.stringify({ date: new Date().toISOString(), rate: options.rate, perSecond, documents, workers: WORKERS, rows }, null, 2)}\n`,
  );
}
