/**
 * Many workers on one PostgreSQL batch: throughput with 1, 2 and 4 worker processes (each with the
 * same fixed upload concurrency) against the fake IDP in its own process (50 ms per answer, no 429s,
 * so that the limit is the workers), on a throwaway PostgreSQL cluster. Reports documents per second
 * over the fake's busy span, the scaling ratio against one worker and against the ideal (N times one
 * worker's ideal), CPU per document of the workers and of PostgreSQL, transactions per document, and
 * POSTs per document. Ratios and counts; nothing here is a test.
 *   pnpm bench:workers [--docs 2000] [--workers 1,2,4] [--uploads 4] [--latency 50]
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pdfBytes, startPostgres } from '@idp-kit/testkit';
import pg from 'pg';
import { ACTION, ORG, startBatchFake } from './batch-fake-process.js';

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const DOCS = Number(arg('docs', '2000'));
const WORKERS = arg('workers', '1,2,4').split(',').map(Number);
const UPLOADS = Number(arg('uploads', '4'));
const LATENCY_MS = Number(arg('latency', '50'));
const POLLS = 3;

const startFake = () =>
  startBatchFake({
    LATENCY_MS: String(LATENCY_MS),
    POLLS: String(POLLS),
    RATE_LIMITED: '0',
    UNAVAILABLE: '0',
  });

/** CPU time (µs) of every PostgreSQL server process, from /proc. */
async function postgresCpuUs(): Promise<number> {
  const tick = 1_000_000 / 100; // USER_HZ
  let total = 0;
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const comm = /\(([^)]*)\)/.exec(stat)?.[1] ?? '';
    if (comm !== 'postgres') continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    total += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * tick;
  }
  return total;
}

/** The database's committed transactions, and rows read (returned by scans, fetched by index). */
async function databaseStats(url: string): Promise<{ commits: number; rowsRead: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // The statistics are sent by each backend when it goes idle: ask for a fresh snapshot.
  await client.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await client.query<{ n: string; r: string }>(
    `SELECT xact_commit AS n, tup_returned + tup_fetched AS r FROM pg_stat_database WHERE datname = current_database()`,
  );
  await client.end();
  return { commits: Number(rows[0]?.n ?? 0), rowsRead: Number(rows[0]?.r ?? 0) };
}

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
} finally {
  await server.close();
  await rm(dir, { recursive: true, force: true });
}
