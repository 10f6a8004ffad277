/**
 * Peak RSS of a batch run against its number of documents, with large results (the fake IDP's 150-page
 * result with scores and geometry, ~2.6 MB, as `--confidence` gives): each run is a child process under
 * `/usr/bin/time -f %M` (its peak RSS, also when it is killed). And the target of issue 23: 240 such
 * documents, killed once (kill -9) mid-way, resumed, then rerun once finished.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pdfBytes } from '@idp-kit/testkit';
import { ACTION, ORG, startBatchFake } from './batch-fake-process.js';

const RUNNER = fileURLToPath(new URL('./batch-child.ts', import.meta.url));
const POLLS = 2;

export interface RssRow {
  run: string;
  documents: number;
  succeeded: number | string;
  peakRssMiB: number;
  journalBytesPerDocument: number;
  resultFiles: number;
  wallS: number;
}

async function documents(dir: string, count: number): Promise<string> {
  const folder = join(dir, 'in');
  await mkdir(folder, { recursive: true });
  for (let i = 0; i < count; i++) {
    await writeFile(join(folder, `doc-${String(i).padStart(5, '0')}.pdf`), pdfBytes(1, { text: `doc ${i}` }));
  }
  return folder;
}

/** One child run; `kill` decides, from the fake's counts, when to kill -9 it (undefined: never). */
async function childRun(
  env: NodeJS.ProcessEnv,
  kill?: () => Promise<boolean>,
): Promise<{ peakKiB: number; summary?: { succeeded: number }; killed: boolean }> {
  const child = spawn('/usr/bin/time', ['-f', '%M', process.execPath, '--import', 'tsx', RUNNER], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => {
    out += c;
  });
  child.stderr.on('data', (c) => {
    err += c;
  });
  let killed = false;
  // A poll of the fake's counts decides the moment only; the figures do not depend on it.
  const watch = kill
    ? setInterval(async () => {
        if (!killed && (await kill())) {
          killed = true;
          // time(1) is the child's parent: kill -9 the node process under it.
          spawn('pkill', ['-KILL', '-P', String(child.pid)]);
        }
      }, 20)
    : undefined;
  await new Promise((resolve) => child.on('exit', resolve));
  if (watch) clearInterval(watch);
  const peakKiB = Number(err.trim().split('\n').at(-1));
  const line = out.trim().split('\n').at(-1);
  return { peakKiB, ...(line && !killed ? { summary: JSON.parse(line) } : {}), killed };
}

async function folderFacts(out: string, count: number) {
  const journal = await stat(join(out, 'journal.jsonl')).then(
    (s) => s.size,
    () => 0,
  );
  const files = (await readdir(join(out, 'results')).catch(() => [])).length;
  return { journalBytesPerDocument: Math.round(journal / count), resultFiles: files };
}

async function withBatch<T>(
  count: number,
  body: (env: NodeJS.ProcessEnv, out: string, fake: Awaited<ReturnType<typeof startBatchFake>>) => Promise<T>,
): Promise<T> {
  const fake = await startBatchFake({
    LATENCY_MS: '5',
    POLLS: String(POLLS),
    RATE_LIMITED: '0',
    UNAVAILABLE: '0',
    LARGE: '1',
  });
  const dir = await mkdtemp(join(tmpdir(), 'idp-bench-rss-'));
  try {
    const input = await documents(dir, count);
    const out = join(dir, 'out');
    const env = {
      ...process.env,
      BASE_URL: fake.baseUrl,
      INPUT: input,
      OUT: out,
      ORG,
      CONFIDENCE: '1',
      ...ACTION,
    };
    return await body(env, out, fake);
  } finally {
    fake.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Peak RSS of one whole run per size. */
export async function rssAgainstDocuments(counts: number[]): Promise<RssRow[]> {
  const rows: RssRow[] = [];
  for (const count of counts) {
    rows.push(
      await withBatch(count, async (env, out) => {
        const started = performance.now();
        const run = await childRun(env);
        return {
          run: 'whole batch',
          documents: count,
          succeeded: run.summary?.succeeded ?? 'none',
          peakRssMiB: Math.round(run.peakKiB / 1024),
          ...(await folderFacts(out, count)),
          wallS: Math.round((performance.now() - started) / 100) / 10,
        };
      }),
    );
  }
  return rows;
}

/** 240 large documents: killed once half-way (by the fake's count of results sent), resumed, rerun. */
export async function killResumeRerun(count = 240): Promise<RssRow[]> {
  return withBatch(count, async (env, out, fake) => {
    const rows: RssRow[] = [];
    const runs: [string, (() => Promise<boolean>) | undefined][] = [
      ['killed (kill -9 half-way)', async () => ((await fake.stats()).get ?? 0) >= (count * POLLS) / 2],
      ['resumed', undefined],
      ['rerun when finished', undefined],
    ];
    for (const [name, kill] of runs) {
      const started = performance.now();
      const run = await childRun(env, kill);
      rows.push({
        run: name,
        documents: count,
        succeeded: run.killed ? 'killed' : (run.summary?.succeeded ?? 'none'),
        peakRssMiB: Math.round(run.peakKiB / 1024),
        ...(await folderFacts(out, count)),
        wallS: Math.round((performance.now() - started) / 100) / 10,
      });
    }
    return rows;
  });
}
