/**
 * Many workers on one PostgreSQL batch: throughput with 1, 2 and 4 worker processes (each with the
 * same fixed upload concurrency) against the fake IDP in its own process (50 ms per answer, no 429s,
 * so that the limit is the workers), on a throwaway PostgreSQL cluster. Reports documents per second
 * over the fake's busy span, the scaling ratio against one worker and against the ideal (N times one
 * worker's ideal), CPU per document of the workers and of PostgreSQL, transactions per document, and
 * POSTs per document. Ratios and counts; nothing here is a test.
 *   pnpm bench:workers [--docs 2000] [--workers 1,2,4] [--uploads 4] [--latency 50]
 * With --rate: the fleet's rate budget instead (rate-bench.ts).
 *   pnpm bench:workers --rate 600/min [--seconds 60] [--slices 1,10]
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pdfBytes, startPostgres } from '@idp-kit/testkit';
import { ACTION, ORG, startBatchFake } from './batch-fake-process.js';
import { databaseStats, postgresCpuUs } from './postgres-stats.js';
import { rateBench } from './rate-bench.js';

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const DOCS = Number(arg('docs', '2000'));
const WORKERS = arg('workers', '1,2,4').split(',').map(Number);
const UPLOADS = Number(arg('uploads', '4'));
const LATENCY_MS = Number(arg('latency', '50'));
const POLLS = 3;
const RATE = process.argv.includes('--rate') ? arg('rate', '600/min') : undefined;

const startFake = () =>
  startBatchFake({
    LATENCY_MS: String(LATENCY_MS),
    POLLS: String(POLLS),
    RATE_LIMITED: '0',
    UNAVAILABLE: '0',
  });

async function runWorkers(
  workers: number,
  server: Awaited<ReturnType<typeof startPostgres>>,
  input: string,
  dir: string,
) {
  const fake = await startFake();
  const url = await server.createDatabase(`w${workers}`);
  const runner = fileURLToPath(new URL('./batch-child.ts', import.meta.url));
  const pgCpuBefore = await postgresCpuUs();
  const before = await databaseStats(url);
  const started = performance.now();
  try {
    const results = await Promise.all(
      Array.from({ length: workers }, (_, i) => {
        const child = spawn(process.execPath, ['--import', 'tsx', runner], {
          env: {
            ...process.env,
            ORG,
            BASE_URL: fake.baseUrl,
            INPUT: input,
            OUT: join(dir, `out-${workers}-${i}`),
            STORE: url,
            UPLOADS: String(UPLOADS),
            ...ACTION,
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let out = '';
        child.stdout.on('data', (c) => {
          out += c;
        });
        return new Promise<{ summary: { succeeded: number }; cpuUs: number }>((resolve, reject) =>
          child.on('exit', (code) =>
            code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`worker exited ${code}`)),
          ),
        );
      }),
    );
    const wallMs = performance.now() - started;
    const stats = await fake.stats();
    const busyMs = stats.busyMs ?? wallMs;
    const workerCpuUs = results.reduce((a, r) => a + r.cpuUs, 0);
    return {
      workers,
      succeeded: results[0]?.summary.succeeded,
      busyS: busyMs / 1000,
      wallS: wallMs / 1000,
      docsPerS: DOCS / (busyMs / 1000),
      // One worker's ideal: its uploads back to back, each answered after the latency.
      idealDocsPerS: (workers * UPLOADS * 1000) / LATENCY_MS,
      workerCpuUsPerDoc: workerCpuUs / DOCS,
      postgresCpuUsPerDoc: ((await postgresCpuUs()) - pgCpuBefore) / DOCS,
      ...(await databaseStats(url).then((after) => ({
        transactionsPerDoc: (after.commits - before.commits) / DOCS,
        rowsReadPerDoc: (after.rowsRead - before.rowsRead) / DOCS,
      }))),
      postsPerDoc: (stats.post ?? 0) / DOCS,
      maxPostsPerDoc: stats.maxPostsPerDocument,
    };
  } finally {
    fake.stop();
  }
}

const server = await startPostgres();
const dir = await mkdtemp(join(tmpdir(), 'idp-bench-workers-'));
try {
  // --rate: the fleet's rate budget instead (rate-bench.ts), 4 workers, once per slice.
  if (RATE !== undefined) {
    const slices = arg('slices', '1,10').split(',').map(Number);
    await rateBench(server, dir, { rate: RATE, seconds: Number(arg('seconds', '60')), slices });
  } else await workersSection();
} finally {
  await server.close();
  await rm(dir, { recursive: true, force: true });
}

async function workersSection(): Promise<void> {
  const input = join(dir, 'in');
  await mkdir(input, { recursive: true });
  for (let i = 0; i < DOCS; i++)
    await writeFile(
      join(input, `doc-${String(i).padStart(5, '0')}.pdf`),
      pdfBytes(1, { text: `document ${i}` }),
    );
  const rows = [];
  for (const n of WORKERS) rows.push(await runWorkers(n, server, input, dir));
  const one = rows.find((r) => r.workers === 1) ?? rows[0];
  const table = rows.map((r) => ({
    ...r,
    scaling: one ? r.docsPerS / one.docsPerS : undefined,
    ofIdeal: r.docsPerS / r.idealDocsPerS,
  }));
  const result = {
    date: new Date().toISOString(),
    cores: cpus().length,
    documents: DOCS,
    uploadsPerWorker: UPLOADS,
    latencyMs: LATENCY_MS,
    table,
  };
  console.table(
    table.map((r) => ({
      workers: r.workers,
      'docs/s': r.docsPerS.toFixed(1),
      scaling: r.scaling?.toFixed(2),
      'of ideal': r.ofIdeal.toFixed(2),
      'worker CPU µs/doc': Math.round(r.workerCpuUsPerDoc),
      'postgres CPU µs/doc': Math.round(r.postgresCpuUsPerDoc),
      'tx/doc': r.transactionsPerDoc.toFixed(1),
      'rows read/doc': Math.round(r.rowsReadPerDoc),
      'POSTs/doc': r.postsPerDoc.toFixed(3),
    })),
  );
  await mkdir(new URL('../results/', import.meta.url), { recursive: true });
  await writeFile(
    new URL(`../results/workers-latest${LATENCY_MS === 50 ? '' : `-${LATENCY_MS}ms`}.json`, import.meta.url),
    `${JSON.stringify(result, null, 2)}\n`,
  );
}
