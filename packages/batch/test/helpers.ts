import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createIdpClient } from '@idp-kit/client';
import { closeAfterTest, IDS, pdfBytes } from '@idp-kit/testkit';
import { inject, onTestFinished } from 'vitest';
import type { BatchSummary } from '../src/index.js';
import { ACTION, type FakeBatchIdp, type FakeBatchOptions, fakeBatchIdp } from './fake-batch-idp.js';

/** A fresh folder removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'idp-batch-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** `count` small distinct ASCII "PDF" documents in `dir/in`. */
export async function documents(dir: string, count: number, prefix = 'doc'): Promise<string> {
  const folder = join(dir, 'in');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(folder, { recursive: true });
  for (let i = 0; i < count; i++) {
    await writeFile(
      join(folder, `${prefix}-${String(i).padStart(4, '0')}.pdf`),
      pdfBytes(1, { text: `document ${prefix} ${i}` }),
    );
  }
  return folder;
}

export function clientFor(idp: FakeBatchIdp) {
  return createIdpClient({
    organizationId: IDS.organizationId,
    baseUrl: idp.baseUrl,
    auth: { clientId: 'batch', clientSecret: 'batch-secret', tokenUrl: idp.tokenUrl },
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
}

export async function jsonLines(path: string): Promise<Record<string, unknown>[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const BATCH_SCRIPT = fileURLToPath(new URL('./run-batch.ts', import.meta.url));

/**
 * How a child runs `run-batch.ts`: plain `node` on the module global-setup.ts compiled from it
 * (child-bundle.ts), else under tsx (about a second of CPU more per child).
 */
function batchArgs(): string[] {
  const compiled = inject('batchChildScript');
  return compiled ? [compiled] : ['--import', 'tsx', BATCH_SCRIPT];
}

/** A batch run in a child process (`run-batch.ts`); `done` is its summary, or undefined if killed. */
export function spawnBatch(env: Record<string, string>): {
  kill(): void;
  done: Promise<BatchSummary | undefined>;
} {
  const child = spawn(process.execPath, batchArgs(), {
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => {
    stdout += c;
  });
  child.stderr.on('data', (c) => {
    stderr += c;
  });
  const done = new Promise<BatchSummary | undefined>((resolve, reject) => {
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') return resolve(undefined);
      if (code !== 0) return reject(new Error(`the batch failed (${code ?? signal}): ${stderr}`));
      resolve(JSON.parse(stdout) as BatchSummary);
    });
  });
  return { kill: () => child.kill('SIGKILL'), done };
}

/** Polls and backoff in milliseconds: what time is not the subject of, runs at once. */
export const FAST = { pollIntervalMs: 1, maxPollIntervalMs: 2, backoff: { baseDelayMs: 1, maxDelayMs: 5 } };

/** A fake IDP, `count` documents in a fresh folder, and the runBatch options that take them to `out`. */
export async function batchOf(count: number, fake: FakeBatchOptions = {}) {
  const idp = closeAfterTest(await fakeBatchIdp(fake));
  const dir = await tempDir();
  const input = await documents(dir, count);
  const out = join(dir, 'out');
  return {
    idp,
    dir,
    input,
    out,
    options: { client: clientFor(idp), inputs: [input], ...ACTION, outDir: out, ...FAST },
  };
}
