// Hostile disks and servers against the batch (issue 29, findings 1–5 and 12): each test fails on the
// code before its fix (see docs/reliability.md, "Hostile inputs to the batch").
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mkdir, open, readFile, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pdfBytes } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import {
  type BatchEvent,
  type DocumentRecord,
  fileResults,
  JournalCorruptError,
  JournalWriteError,
  openFileJournal,
  readJournal,
  runBatch,
} from '../src/index.js';
import { type JournalFile, openFileJournalWith } from '../src/journal.js';
import { ACTION } from './fake-batch-idp.js';
import { batchOf, jsonLines, tempDir } from './helpers.js';

/** The journal lines of a folder, parsed. */
async function journalOf(out: string) {
  return (await jsonLines(join(out, 'journal.jsonl'))) as { key?: string; hash?: string; state?: string }[];
}

/**
 * A file handle on a disk that fills: every write stores at most `chunk` bytes, and once `room`
 * bytes are down, writes store nothing (as `write(2)` does on a full disk: a short count, then 0 or
 * ENOSPC). `room` starts counting once `armed` is set.
 */
function fillingDisk(state: { armed: boolean; room: number; chunk: number }) {
  return async (path: string): Promise<JournalFile> => {
    const real = await open(path, 'a');
    return {
      async write(data, offset, length) {
        let n = Math.min(length, state.chunk);
        if (state.armed) {
          n = Math.min(n, state.room);
          state.room -= n;
        }
        if (n === 0) return { bytesWritten: 0 };
        return real.write(data, offset, n);
      },
      datasync: () => real.datasync(),
      truncate: (length) => real.truncate(length),
      close: () => real.close(),
    };
  };
}

describe('finding 1: a full disk never lets a POST go without its durable intent', () => {
  it('short writes are written to the end: every put is whole on disk', async () => {
    const dir = await tempDir();
    const state = { armed: false, room: 0, chunk: 7 };
    const journal = await openFileJournalWith(dir, fillingDisk(state));
    const records = Array.from({ length: 20 }, (_, i) => ({
      key: `k${i}`,
      hash: 'h',
      path: `/in/é-${i}.pdf`,
      fileName: `é-${i}.pdf`,
      state: 'queued' as const,
      updatedAt: '2026-01-01T00:00:00Z',
    }));
    await Promise.all(records.map((r) => journal.put(r)));
    await journal.close();
    expect((await readJournal(dir))?.map((r) => r.key)).toEqual(records.map((r) => r.key));
  });

  it('the disk fills mid-batch: the run stops with a clear error, and no document is ever POSTed twice', async () => {
    const { idp, out, options } = await batchOf(12);
    const state = { armed: false, room: 1_500, chunk: 100 };
    const journal = await openFileJournalWith(out, fillingDisk(state));
    // Planning (12 queued lines) goes down whole; then the disk has 1,500 bytes left.
    const run = runBatch({
      ...options,
      journal,
      uploadConcurrency: 2,
      onEvent: (e) => {
        if (e.type === 'start') state.armed = true;
      },
    });
    await expect(run).rejects.toThrow(JournalWriteError);
    await expect(run).rejects.toThrow(/free some disk space and rerun the same command/);
    await journal.close();
    const durable = new Set(
      (await journalOf(out)).filter((l) => l.state === 'submitting').map((l) => l.hash),
    );
    // Every POST that happened has its intent on disk.
    for (const hash of idp.posts.keys()) expect(durable.has(hash)).toBe(true);
    const before = idp.posts.size;
    expect(before).toBeLessThan(12);
    // Space again: the rerun finishes the rest; nothing is paid twice.
    const summary = await runBatch(options);
    expect([...idp.posts.values()].every((n) => n === 1)).toBe(true);
    expect(summary.documents).toBe(12);
    expect(summary.succeeded + summary.uncertain.length).toBe(12);
  });

  it('a real 64 kB tmpfs as the batch folder: as many POSTs as documents, over any number of reruns', async (ctx) => {
    const { idp, dir, options } = await batchOf(60);
    const small = join(dir, 'small');
    await mkdir(small);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', small], { stdio: 'ignore' });
    } catch {
      ctx.skip('mount -t tmpfs is not permitted here (needs root); the file-handle double above always runs');
      return;
    }
    try {
      const out = join(small, 'out');
      let full = 0;
      for (let run = 0; run < 3; run++) {
        await runBatch({ ...options, outDir: out }).catch((error: unknown) => {
          if (!(error instanceof JournalWriteError) && (error as NodeJS.ErrnoException).code !== 'ENOSPC')
            throw error;
          full++;
        });
      }
      expect(full).toBeGreaterThan(0); // the disk did fill
      const durable = new Set(
        (await journalOf(out)).filter((l) => l.state === 'submitting').map((l) => l.hash),
      );
      for (const hash of idp.posts.keys()) expect(durable.has(hash)).toBe(true);
      expect([...idp.posts.values()].every((n) => n === 1)).toBe(true);
    } finally {
      execFileSync('umount', [small]);
    }
  });
});

// Finding 2 (a 2xx submit answer the engine cannot read is uncertain) and finding 3 (429 without
// Retry-After: backoff with jitter, and a cap) are cases of behaviour.test.ts, run against both stores.
describe('finding 4: a huge Retry-After is capped, and no timer overflows', () => {
  it('Retry-After: 999999999 is treated as absent, Retry-After: 3600 is capped; no TimeoutOverflowWarning', async () => {
    const { idp, options } = await batchOf(1, {
      rateLimit: (n) => (n === 0 ? '999999999' : n === 1 ? '3600' : undefined),
    });
    const events: BatchEvent[] = [];
    const summary = await runBatch({
      ...options,
      backoff: { baseDelayMs: 1, maxDelayMs: 20 },
      onEvent: (e) => events.push(e),
    });
    expect(summary.succeeded).toBe(1);
    const throttled = events.filter((e) => e.type === 'throttled');
    expect(throttled).toHaveLength(2);
    expect(throttled[0]).not.toHaveProperty('retryAfterMs'); // absurd: as if absent
    expect(throttled[0]?.waitMs).toBeLessThanOrEqual(20);
    expect(throttled[1]).toMatchObject({ retryAfterMs: 3_600_000, waitMs: 20 });
    expect([...idp.posts.values()]).toEqual([1]);
    // (afterEach: no process warning was emitted)
  });
});

describe('finding 5: the journal is never cut short silently, and a 404 is not "expired" early', () => {
  it('a bad line in the middle stops the run with its line number and leaves the file as it was', async () => {
    const { idp, out, options } = await batchOf(3);
    await runBatch(options);
    const path = join(out, 'journal.jsonl');
    const lines = (await readFile(path, 'utf8')).split('\n');
    lines[1] = '{"key": garbage';
    const damaged = lines.join('\n');
    await writeFile(path, damaged);
    const posts = idp.seen.filter((m) => m === 'POST').length;
    await expect(runBatch(options)).rejects.toThrow(JournalCorruptError);
    await expect(runBatch(options)).rejects.toThrow(
      /journal\.jsonl, line 2: not a journal record, and more lines follow it/,
    );
    await expect(readJournal(out)).rejects.toThrow(/line 2/);
    expect(await readFile(path, 'utf8')).toBe(damaged);
    expect(idp.seen.filter((m) => m === 'POST').length).toBe(posts);
  });

  it('a torn last line is dropped (and only it): the rest of the journal stands', async () => {
    const { idp, out, options } = await batchOf(3);
    await runBatch(options);
    await writeFile(join(out, 'journal.jsonl'), '{"key":"torn', { flag: 'a' });
    const posts = idp.posts.size;
    expect(await runBatch(options)).toMatchObject({ succeeded: 3 });
    expect(idp.posts.size).toBe(posts);
    expect(await readFile(join(out, 'journal.jsonl'), 'utf8')).not.toContain('torn');
  });

  it('reads records larger than its read chunks, line by line', async () => {
    const dir = await tempDir();
    const journal = await openFileJournal(dir);
    const big = {
      key: 'big',
      hash: 'h',
      path: '/p.pdf',
      fileName: 'p.pdf',
      state: 'retrieved' as const,
      execution: { text: 'é'.repeat(1_500_000) },
      updatedAt: 'now',
    };
    await journal.put([big, { ...big, key: 'small', execution: { text: 'x' } }]);
    await journal.close();
    const records = await readJournal(dir);
    expect(records?.map((r) => r.key)).toEqual(['big', 'small']);
    // The records carry no results; the older journal's inline one is read from its line on demand.
    expect(records?.[0]?.execution).toBeUndefined();
    const result = (await fileResults(dir).readResult(records?.[0] as DocumentRecord)) as { text: string };
    expect(result.text).toHaveLength(1_500_000);
  });

  it('a fresh execution that answers 404 once is asked again within the run, not expired', async () => {
    const { idp, options } = await batchOf(1, { notFound: (get) => get === 0 });
    expect(await runBatch(options)).toMatchObject({ succeeded: 1, states: { retrieved: 1 } });
    expect([...idp.posts.values()]).toEqual([1]);
  });
});

describe('finding 5: past the retention, a 404 is expired', () => {
  // A 404 kept within the retention, and expired past it: behaviour.test.ts, on both stores. Here: a
  // record of an older journal, with no submittedAt, is judged by its last update.
  it('no submittedAt (an older journal), updated 25 hours ago: expired at once, nothing sent', async () => {
    const { idp, input, out, options } = await batchOf(1);
    const hash = createHash('sha256')
      .update(await readFile(join(input, 'doc-0000.pdf')))
      .digest('hex');
    const journal = await openFileJournal(out);
    await journal.put({
      key: `${hash}:${ACTION.actionId}:${ACTION.actionVersion}`,
      hash,
      path: join(input, 'doc-0000.pdf'),
      fileName: 'doc-0000.pdf',
      state: 'submitted',
      executionId: '5b1d0f4e-2f6a-4c1e-9a57-3f2d7c8e9b10',
      submits: 1,
      updatedAt: new Date(Date.now() - 25 * 3_600_000).toISOString(),
    });
    await journal.close();
    expect(await runBatch(options)).toMatchObject({ states: { expired: 1 } });
    expect(idp.posts.size).toBe(0);
  });
});

describe('finding 12: rejected documents are read again on a rerun', () => {
  // An empty file written later: behaviour.test.ts, on both stores.
  it('a file that changed during the run (rejected at upload) is taken as it is now', async () => {
    const { idp, input, options } = await batchOf(1);
    const path = join(input, 'doc-0000.pdf');
    const first = await runBatch({
      ...options,
      onEvent: (e) => {
        // After planning hashed it, before the upload reads it again.
        if (e.type === 'start') writeFileSync(path, pdfBytes(1, { text: 'edited' }));
      },
    });
    expect(first.states).toEqual({ rejected: 1 });
    expect(idp.posts.size).toBe(0);
    expect(await runBatch(options)).toMatchObject({ documents: 1, succeeded: 1 });
    const edited = createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
    expect([...idp.posts.entries()]).toEqual([[edited, 1]]);
  });
});

describe('inputs: what the batch does not take is said, and nothing hangs or leaves the folder', () => {
  it('a FIFO named .pdf, a symlink out of the folder, a hidden file, notes.txt and the batch folder itself are skipped with a reason', async () => {
    const { idp, dir, input, options } = await batchOf(1);
    execFileSync('mkfifo', [join(input, 'pipe.pdf')]);
    await writeFile(join(dir, 'secret.pdf'), pdfBytes(1, { text: 'outside' }));
    await symlink(join(dir, 'secret.pdf'), join(input, 'link.pdf'));
    await writeFile(join(input, '.hidden.pdf'), pdfBytes(1, { text: 'hidden' }));
    await writeFile(join(input, 'notes.txt'), 'x');
    const out = join(input, 'out'); // the batch folder inside the input folder
    const events: BatchEvent[] = [];
    const summary = await runBatch({ ...options, outDir: out, onEvent: (e) => events.push(e) });
    expect(summary).toMatchObject({ documents: 1, succeeded: 1 });
    expect(idp.posts.size).toBe(1);
    const skipped = Object.fromEntries(
      events.flatMap((e) => (e.type === 'skipped' ? [[e.path.slice(input.length + 1), e.reason]] : [])),
    );
    expect(skipped).toEqual({
      '.hidden.pdf': 'hidden (its name starts with a dot)',
      'link.pdf': expect.stringMatching(/^a symbolic link: links in a folder are not followed/),
      'notes.txt': 'not a PDF, PNG, JPG or TIFF file (by its extension)',
      'pipe.pdf': 'not a regular file (a pipe, socket or device)',
    });
    // A rerun: the batch folder now exists inside the input folder, and is said to be the batch's own.
    const again: BatchEvent[] = [];
    await runBatch({ ...options, outDir: out, onEvent: (e) => again.push(e) });
    expect(again).toContainEqual({
      type: 'skipped',
      path: out,
      reason: "the batch's own journal or outputs",
    });
  });

  it("the batch folder is the input folder: its documents are taken, its journal and outputs are the batch's own", async () => {
    const { idp, input, options } = await batchOf(2);
    expect(await runBatch({ ...options, outDir: input })).toMatchObject({ documents: 2, succeeded: 2 });
    const events: BatchEvent[] = [];
    expect(await runBatch({ ...options, outDir: input, onEvent: (e) => events.push(e) })).toMatchObject({
      documents: 2,
      succeeded: 2,
    });
    const own = events.flatMap((e) => (e.type === 'skipped' ? [e.path.slice(input.length + 1)] : []));
    expect(own.sort()).toEqual(['fields.csv', 'journal.jsonl', 'results', 'results.jsonl', 'summary.json']);
    expect([...idp.posts.values()]).toEqual([1, 1]);
  });

  it('a FIFO named directly is rejected without being opened for a blocking read; a 16 MB file is refused by its size', async () => {
    const { idp, dir, input, options } = await batchOf(1);
    const pipe = join(dir, 'direct.pdf');
    execFileSync('mkfifo', [pipe]);
    const huge = join(dir, 'huge.pdf');
    await writeFile(huge, '');
    await truncate(huge, 16 * 1024 * 1024); // sparse: no 16 MB written
    const summary = await runBatch({ ...options, inputs: [input, pipe, huge] });
    expect(summary).toMatchObject({ succeeded: 1, states: { retrieved: 1, rejected: 2 } });
    const results = await jsonLines(join(options.outDir, 'results.jsonl'));
    expect(results.find((r) => r.file === pipe)?.error).toBe('not a regular file (a pipe, socket or device)');
    expect(results.find((r) => r.file === huge)?.error).toBe(
      '16.0 MB; the service takes at most 15 MB: split it',
    );
    expect(idp.posts.size).toBe(1);
  });
});
