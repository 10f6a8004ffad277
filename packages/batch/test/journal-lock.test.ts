import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNode } from '@idp-kit/testkit';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type BatchEvent, JournalLockedError, openFileJournal, runBatch } from '../src/index.js';
import { LOCK_FILE } from '../src/journal-lock.js';
import { ACTION, fakeBatchIdp } from './fake-batch-idp.js';
import { clientFor, documents, tempDir } from './helpers.js';

const JOURNAL_SRC = fileURLToPath(new URL('../src/journal.ts', import.meta.url));

/** Linux's start time of a process (field 22 of /proc/<pid>/stat). */
function startTime(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] as string;
}

/** A child that opens the batch folder's journal (taking its lock) and stays until killed. */
async function holder(dir: string) {
  const started = await startNode(
    [
      '--import',
      'tsx',
      '-e',
      `const { openFileJournal } = await import(${JSON.stringify(JOURNAL_SRC)});
       await openFileJournal(${JSON.stringify(dir)}); console.log('locked'); setInterval(() => {}, 60_000);`,
    ],
    /locked/,
  );
  onTestFinished(() => {
    started.child.kill('SIGKILL');
  });
  return started;
}

/** A pid whose process has ended. */
async function deadPid(): Promise<number> {
  const child = await startNode(['-e', 'console.log("up")'], /up/);
  await child.exited;
  return child.child.pid as number;
}

async function plant(dir: string, owner: unknown): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  await writeFile(path, typeof owner === 'string' ? owner : JSON.stringify(owner));
  return path;
}

describe('the batch folder lock: host, pid and start time', () => {
  it('names this host, pid and start time', async () => {
    const dir = await tempDir();
    const journal = await openFileJournal(dir);
    const owner = JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'));
    expect(owner).toMatchObject({ host: hostname(), pid: process.pid, started: startTime(process.pid) });
    await journal.close();
  });

  it('a run on this host that holds it (a real child process) refuses a second; killed with -9, its lock is taken over and said', async () => {
    const dir = join(await tempDir(), 'out');
    const child = await holder(dir);
    const pid = child.child.pid as number;
    const refused = await openFileJournal(dir).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(JournalLockedError);
    expect((refused as Error).message).toMatch(
      new RegExp(
        `^another batch run \\(pid ${pid}, since \\S+\\) is using ${dir}; wait for it, or stop it first$`,
      ),
    );
    child.child.kill('SIGKILL');
    await child.exited;
    // A run takes it over, and its events say so.
    const idp = await fakeBatchIdp();
    onTestFinished(() => idp.close());
    const events: BatchEvent[] = [];
    const summary = await runBatch({
      client: clientFor(idp),
      inputs: [await documents(await tempDir(), 1)],
      ...ACTION,
      outDir: dir,
      pollIntervalMs: 1,
      maxPollIntervalMs: 2,
      onEvent: (e) => events.push(e),
    });
    expect(summary.succeeded).toBe(1);
    expect(events[0]).toEqual({
      type: 'takeover',
      message: `took over the lock of ${dir}: it was left by a run that ended (pid ${pid} on this host)`,
    });
  });

  it('a live pid with another start time is a run that ended (its pid reused): taken over', async () => {
    const dir = await tempDir();
    const child = await holder(join(dir, 'other'));
    const pid = child.child.pid as number;
    await plant(dir, { host: hostname(), pid, started: String(Number(startTime(pid)) - 1) });
    const said: string[] = [];
    const journal = await openFileJournal(dir, { onTakeover: (m) => said.push(m) });
    expect(said).toEqual([
      `took over the lock of ${dir}: it was left by a run that ended (pid ${pid} on this host, now another process's pid)`,
    ]);
    expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    await journal.close();
  });

  it('the same live pid and start time is refused; so is an older idp-kit lock holding only a live pid', async () => {
    const dir = await tempDir();
    const child = await holder(join(dir, 'other'));
    const pid = child.child.pid as number;
    await plant(dir, { host: hostname(), pid, started: startTime(pid) });
    await expect(openFileJournal(dir)).rejects.toThrow(`another batch run (pid ${pid}) is using ${dir}`);
    await plant(dir, String(pid));
    await expect(openFileJournal(dir)).rejects.toThrow(`another batch run (pid ${pid}) is using ${dir}`);
  });

  it('a dead pid on this host (also as an older bare-pid lock) is taken over', async () => {
    const dir = await tempDir();
    const pid = await deadPid();
    for (const owner of [{ host: hostname(), pid, started: '1' }, String(pid)]) {
      await plant(dir, owner);
      const said: string[] = [];
      const journal = await openFileJournal(dir, { onTakeover: (m) => said.push(m) });
      expect(said).toEqual([
        `took over the lock of ${dir}: it was left by a run that ended (pid ${pid} on this host)`,
      ]);
      await journal.close();
    }
  });

  it('a lock from another host is refused, and the message says how to take it over', async () => {
    const dir = await tempDir();
    const path = await plant(dir, {
      host: 'worker-7',
      pid: 1,
      started: '42',
      at: '2026-12-01T10:00:00.000Z',
    });
    const said: string[] = [];
    const error = await openFileJournal(dir, { onTakeover: (m) => said.push(m) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalLockedError);
    expect((error as Error).message).toBe(
      `a batch run on host worker-7 (pid 1, since 2026-12-01T10:00:00.000Z) holds ${dir}: wait for it, or stop it. ` +
        `This host cannot see whether it still runs: once you are sure it has ended (its machine or container is gone), delete ${path} and run again.`,
    );
    expect(said).toEqual([]);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ host: 'worker-7' }); // left as it is
  });
});
