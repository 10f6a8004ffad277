/**
 * Peak RSS of a batch run against its number of documents, with large results (the fake IDP's 150-page
 * result with scores and geometry, ~2.6 MB, as `--confidence` gives): each run is a child process under
 * `/usr/bin/time -f %M` (its peak RSS, also when it is killed). And the target of issue 23: 240 such
 * documents, killed once (kill -9) mid-way, resumed, then rerun once finished.
 *
 * The child runs as a user's `idp batch run` does: plain node on the packages' built dist (the child
 * script bundled by esbuild, its imports left to node_modules). `--runner tsx` runs it under tsx's
 * loader instead, which costs 25–35 MiB of RSS on its own.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pdfBytes } from '@idp-kit/testkit';
import { build } from 'esbuild';
import { ACTION, ORG, startBatchFake } from './batch-fake-process.js';

const SOURCE = fileURLToPath(new URL('./batch-child.ts', import.meta.url));
// Inside apps/bench, so that the bundle's imports (@idp-kit/*) resolve through its node_modules.
const BUNDLE = fileURLToPath(new URL('../.build/batch-child.mjs', import.meta.url));

/** How the child runs: `node` (plain node on dist, the default) or `tsx`. */
export type Runner = 'node' | 'tsx';

let bundled: Promise<void> | undefined;
/** The command line of one child run; the child script is bundled once, on first use. */
async function childCommand(runner: Runner): Promise<string[]> {
  if (runner === 'tsx') return [process.execPath, '--import', 'tsx', SOURCE];
  bundled ??= build({
    entryPoints: [SOURCE],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: BUNDLE,
    logLevel: 'warning',
  }).then(() => undefined);
  await bundled;
  return [process.execPath, BUNDLE];
}
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
  runner: Runner,
  kill?: () => Promise<boolean>,
): Promise<{ peakKiB: number; summary?: { succeeded: number }; killed: boolean }> {
  const child = spawn('/usr/bin/time', ['-f', '%M', ...(await childCommand(runner))], {
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
export async function rssAgainstDocuments(counts: number[], runner: Runner = 'node'): Promise<RssRow[]> {
  const rows: RssRow[] = [];
  for (const count of counts) {
    rows.push(
      await withBatch(count, async (env, out) => {
        const started = performance.now();
        const run = await childRun(env, runner);
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
export async function killResumeRerun(count = 240, runner: Runner = 'node'): Promise<RssRow[]> {
  return withBatch(count, async (env, out, fake) => {
    const rows: RssRow[] = [];
    const runs: [string, (() => Promise<boolean>) | undefined][] = [
      ['killed (kill -9 half-way)', async () => ((await fake.stats()).get ?? 0) >= (count * POLLS) / 2],
      ['resumed', undefined],
      ['rerun when finished', undefined],
    ];
    for (const [name, kill] of runs) {
      const started = performance.now();
      const run = await childRun(env, runner, kill);
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
