/**
 * The batch engine against a fake IDP with latency, 429s and 503s: wall time against the ideal the
 * concurrency limits allow, journal cost per document, peak RSS, POSTs per document; then the crash
 * test at full size (kill -9 at seeded moments, rerun, count). Ratios and counts, no timed assertions.
 * Then peak RSS against documents with large results (~2.6 MB each, as --confidence on 150 pages), and
 * the issue-23 target: 240 such documents killed once, resumed, rerun.
 *   pnpm bench:batch [--docs 10000] [--kills 20] [--crash-docs 500] [--rss-docs 100,500,1000,2000]
 *                    [--target-docs 240] [--only rss|callbacks] [--callback-docs 200] [--callback-scale 1]
 *                    [--runner node|tsx]
 * The callbacks section (polling against callbacks, in the same run) is batch-callbacks.ts.
 * The RSS children run on plain node by default (as `idp batch run` does); `--runner tsx` under tsx.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SWEEP_MS, openFileJournal, runBatch } from '@idp-kit/batch';
import { createIdpClient } from '@idp-kit/client';
import { pdfBytes } from '@idp-kit/testkit';
import { callbackFigures } from './batch-callbacks.js';
import { ACTION, ORG, startBatchFake } from './batch-fake-process.js';
import { killResumeRerun, type Runner, rssAgainstDocuments } from './batch-rss.js';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const DOCS = arg('docs', 10_000);
const KILLS = arg('kills', 20);
const CRASH_DOCS = arg('crash-docs', 500);
const RSS_DOCS = (
  process.argv.includes('--rss-docs') ? (process.argv[process.argv.indexOf('--rss-docs') + 1] ?? '') : ''
)
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const TARGET_DOCS = arg('target-docs', 240);
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const CALLBACK_DOCS = arg('callback-docs', 200);
const CALLBACK_SCALE = arg('callback-scale', 1);
const RUNNER: Runner = process.argv[process.argv.indexOf('--runner') + 1] === 'tsx' ? 'tsx' : 'node';
const LATENCY_MS = 50;
const POLLS = 3;
const POLL_MS = 100;
const UPLOADS = 4;

const startFake = (env: Record<string, string> = {}) =>
  startBatchFake({ LATENCY_MS: String(LATENCY_MS), POLLS: String(POLLS), ...env });

async function documents(dir: string, count: number): Promise<string> {
  const folder = join(dir, 'in');
  await mkdir(folder, { recursive: true });
  for (let i = 0; i < count; i++)
    await writeFile(
      join(folder, `doc-${String(i).padStart(5, '0')}.pdf`),
      pdfBytes(1, { text: `document ${i}` }),
    );
  return folder;
}

function client(baseUrl: string) {
  return createIdpClient({
    organizationId: ORG,
    baseUrl,
    auth: {
      clientId: 'bench',
      clientSecret: 'bench-secret',
      tokenUrl: `${baseUrl}/accounts/api/v2/oauth2/token`,
    },
    retry: { baseDelayMs: 50, maxDelayMs: 500 },
  });
}

async function throughput() {
  const fake = await startFake();
  const dir = await mkdtemp(join(tmpdir(), 'idp-bench-batch-'));
  try {
    const input = await documents(dir, DOCS);
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 100);
    const cpu = process.cpuUsage();
    const started = performance.now();
    const summary = await runBatch({
      client: client(fake.baseUrl),
      inputs: [input],
      ...ACTION,
      outDir: join(dir, 'out'),
      uploadConcurrency: UPLOADS,
      pollIntervalMs: POLL_MS,
      maxPollIntervalMs: POLL_MS,
    });
    const wallMs = performance.now() - started;
    const cpuUs = process.cpuUsage(cpu);
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
    const stats = await fake.stats();
    // The ideal: uploads back to back at the concurrency limit, then the last one's lifecycle.
    const idealMs = Math.ceil(DOCS / UPLOADS) * LATENCY_MS + POLLS * (LATENCY_MS + POLL_MS);
    return {
      documents: DOCS,
      succeeded: summary.succeeded,
      wallS: wallMs / 1000,
      idealS: idealMs / 1000,
      ofIdeal: idealMs / wallMs,
      cpuUsPerDocument: (cpuUs.user + cpuUs.system) / DOCS,
      peakRssMiB: peakRss / 1024 / 1024,
      postsPerDocument: (stats.post ?? 0) / DOCS,
      maxPostsPerDocument: stats.maxPostsPerDocument,
      rateLimited: stats.rateLimited,
      unavailable: stats.unavailable,
    };
  } finally {
    fake.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The journal alone: five durable transitions per document, 64 documents at a time (group commit). */
async function journalCost(count: number) {
  const dir = await mkdtemp(join(tmpdir(), 'idp-bench-journal-'));
  try {
    const journal = await openFileJournal(dir);
    const cpu = process.cpuUsage();
    const started = performance.now();
    const states = ['queued', 'submitting', 'submitted', 'settled', 'retrieved'] as const;
    for (let i = 0; i < count; i += 64) {
      await Promise.all(
        Array.from({ length: Math.min(64, count - i) }, async (_, j) => {
          for (const state of states) {
            await journal.put({
              key: `k${i + j}`,
              hash: 'h',
              path: `/in/doc-${i + j}.pdf`,
              fileName: `doc-${i + j}.pdf`,
              state,
              updatedAt: new Date().toISOString(),
            });
          }
        }),
      );
    }
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    await journal.close();
    return {
      documents: count,
      wallUsPerDocument: (wallMs * 1000) / count,
      cpuUsPerDocument: (used.user + used.system) / count,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** kill -9 at seeded moments (counted in requests the fake saw), rerun, until done; then count. */
async function crashTest() {
  const fake = await startFake({ RATE_LIMITED: '0', UNAVAILABLE: '0' });
  const dir = await mkdtemp(join(tmpdir(), 'idp-bench-crash-'));
  const runner = fileURLToPath(new URL('./batch-child.ts', import.meta.url));
  let seed = 4242;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  try {
    const input = await documents(dir, CRASH_DOCS);
    const env = {
      ...process.env,
      BASE_URL: fake.baseUrl,
      INPUT: input,
      OUT: join(dir, 'out'),
      ORG,
      ...ACTION,
    };
    const requests = async () => {
      const s = await fake.stats();
      return (s.post ?? 0) + (s.get ?? 0);
    };
    let kills = 0;
    for (let i = 0; i < KILLS; i++) {
      const at = (await requests()) + 1 + Math.floor(random() * ((CRASH_DOCS * (POLLS + 1)) / KILLS));
      const child = spawn(process.execPath, ['--import', 'tsx', runner], { env, stdio: 'ignore' });
      const exited = new Promise<string | null>((resolve) =>
        child.on('exit', (_c, signal) => resolve(signal)),
      );
      // The fake's count is read between runs' requests; a short poll here only decides when to kill.
      const watch = setInterval(async () => {
        if ((await requests()) >= at) child.kill('SIGKILL');
      }, 5);
      if ((await exited) === 'SIGKILL') kills++;
      clearInterval(watch);
    }
    const final = spawn(process.execPath, ['--import', 'tsx', runner], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    final.stdout.on('data', (c) => {
      out += c;
    });
    await new Promise((resolve) => final.on('exit', resolve));
    const summary = JSON.parse(out) as { documents: number; succeeded: number; uncertain: string[] };
    const stats = await fake.stats();
    return {
      documents: CRASH_DOCS,
      kills,
      succeeded: summary.succeeded,
      uncertain: summary.uncertain.length,
      lost: CRASH_DOCS - summary.succeeded - summary.uncertain.length,
      submittedTwice: (stats.maxPostsPerDocument ?? 0) > 1 ? 'yes' : 0,
    };
  } finally {
    fake.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const f = (n: number, d = 2) => n.toFixed(d);
async function engineFigures() {
  console.log(
    `idp-kit batch bench: node ${process.version}; ${DOCS} documents, ${LATENCY_MS} ms latency, 2% 429, 1% 503 on polls, ${POLLS} polls each`,
  );
  const t = await throughput();
  console.table([
    {
      documents: t.documents,
      succeeded: t.succeeded,
      'wall s': f(t.wallS, 1),
      'ideal s': f(t.idealS, 1),
      'of ideal': f(t.ofIdeal),
      'goal ≥ 0.8': t.ofIdeal >= 0.8 ? 'yes' : 'NO',
      'CPU µs/doc': f(t.cpuUsPerDocument, 0),
      'peak RSS MiB': f(t.peakRssMiB, 0),
      'goal < 200': t.peakRssMiB < 200 ? 'yes' : 'NO',
      'POSTs/doc': f(t.postsPerDocument, 3),
      'max POSTs for one doc': t.maxPostsPerDocument,
      '429s': t.rateLimited,
      '503s': t.unavailable,
    },
  ]);
  const j = await journalCost(Math.min(DOCS, 10_000));
  console.log('Journal alone: 5 durable transitions per document, 64 at a time');
  console.table([
    {
      documents: j.documents,
      'wall µs/doc': f(j.wallUsPerDocument, 0),
      'CPU µs/doc': f(j.cpuUsPerDocument, 0),
    },
  ]);
  const c = await crashTest();
  console.log(`Crash test: ${KILLS} kill -9 during a ${CRASH_DOCS}-document batch, each followed by a rerun`);
  console.table([c]);
  return { throughput: t, journal: j, crash: c };
}

/** Peak RSS against documents with large results, and the kill/resume/rerun target. */
async function memoryFigures() {
  const sizes = RSS_DOCS.length > 0 ? RSS_DOCS : [100, 500, 1_000, 2_000];
  console.log(
    `Peak RSS of a whole run (child process on ${RUNNER === 'tsx' ? 'tsx' : 'plain node, built dist'}, /usr/bin/time), results ~2.6 MB each (--confidence)`,
  );
  const rss = await rssAgainstDocuments(sizes, RUNNER);
  console.table(rss);
  console.log(
    `Target: ${TARGET_DOCS} such documents, kill -9 half-way, resumed, rerun once finished (goal < 400 MiB each)`,
  );
  const target = await killResumeRerun(TARGET_DOCS, RUNNER);
  console.table(target.map((r) => ({ ...r, 'goal < 400': r.peakRssMiB < 400 ? 'yes' : 'NO' })));
  return { rss, target };
}

/** Polling against callbacks, in the same run (issue 27). */
async function callbackSection() {
  console.log(
    `Polling against callbacks: ${CALLBACK_DOCS} documents settling after a lognormal delay (P50 7.61 s, P95 11 s, P99 13.38 s), poll floor 10 s, sweep ${DEFAULT_SWEEP_MS / 1000} s; ${CALLBACK_SCALE === 1 ? 'real time' : `time × ${CALLBACK_SCALE}, figures scaled back`}`,
  );
  const rows = await callbackFigures(CALLBACK_DOCS, CALLBACK_SCALE);
  console.table(rows);
  return rows;
}

const engine = ONLY ? undefined : await engineFigures();
const memory = ONLY === 'callbacks' ? undefined : await memoryFigures();
const callbacks = ONLY === undefined || ONLY === 'callbacks' ? await callbackSection() : undefined;
await mkdir(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
await writeFile(
  // Only the full-size run (the defaults) is the record; smaller runs are smoke runs.
  fileURLToPath(
    new URL(
      process.argv.length > 2 ? '../results/batch-quick.json' : '../results/batch-latest.json',
      import.meta.url,
    ),
  ),
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, runner: RUNNER, ...engine, memory, callbacks }, null, 2)}\n`,
);
