// Results live beside the journal (results/<executionId>.json.gz), one file per execution, and are read
// one at a time; an older journal that holds them inline keeps working.
import { open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type BatchEvent,
  type DocumentRecord,
  fileResults,
  JournalWriteError,
  openFileJournal,
  readJournal,
  runBatch,
} from '../src/index.js';
import { type JournalFile, openFileJournalWith } from '../src/journal.js';
import { batchOf, documents, jsonLines, tempDir } from './helpers.js';

const resultFiles = async (out: string) => (await readdir(join(out, 'results')).catch(() => [])).sort();

/** `results.jsonl`'s `total` value per file name. */
async function totals(out: string) {
  const lines = (await jsonLines(join(out, 'results.jsonl'))) as {
    file: string;
    fields: { name: string; value: unknown }[];
  }[];
  return Object.fromEntries(
    lines.map((l) => [
      l.file.slice(l.file.lastIndexOf('/') + 1),
      l.fields.find((f) => f.name === 'total')?.value,
    ]),
  );
}

describe('results beside the journal', () => {
  it('each result is written once to results/<executionId>.json.gz; the journal holds only a pointer', async () => {
    const { out, options } = await batchOf(3, { resultBytes: 50_000 });
    expect(await runBatch(options)).toMatchObject({ documents: 3, succeeded: 3 });
    const records = (await readJournal(out)) ?? [];
    const ids = records.map((r) => r.executionId).sort();
    expect(await resultFiles(out)).toEqual(ids.map((id) => `${id}.json.gz`));
    for (const r of records) {
      const size = (await stat(join(out, 'results', `${r.executionId}.json.gz`))).size;
      expect(r.result).toEqual({ file: `results/${r.executionId}.json.gz`, bytes: size });
      const stored = (await fileResults(out).readResult(r)) as { pages: { words: string }[] };
      expect(stored.pages[0]?.words).toHaveLength(50_000);
    }
    // No line of the journal carries a result: it stays small whatever the results weigh.
    const journal = await readFile(join(out, 'journal.jsonl'), 'utf8');
    expect(journal).not.toContain('"execution"');
    expect(journal.length).toBeLessThan(3 * 4_000);
    // results.jsonl keeps its format: one line per document with its values.
    expect(await totals(out)).toEqual({
      'doc-0000.pdf': '=doc-0000.pdf',
      'doc-0001.pdf': '=doc-0001.pdf',
      'doc-0002.pdf': '=doc-0002.pdf',
    });
  });

  it('a large-result batch stopped and resumed, then rerun: the journal stays small per document, one file per execution', async () => {
    const count = 24;
    const resultBytes = 256 * 1024;
    const { idp, out, options } = await batchOf(count, { resultBytes });
    // Stopped once 8 results are in (an event, not a timer), then resumed, then rerun when finished.
    const stop = new AbortController();
    let retrieved = 0;
    const onEvent = (e: BatchEvent) => {
      if (e.type === 'state' && e.state === 'retrieved' && ++retrieved === 8) stop.abort();
    };
    await expect(runBatch({ ...options, signal: stop.signal, onEvent })).rejects.toThrow();
    expect((await resultFiles(out)).length).toBeGreaterThanOrEqual(8);
    expect(await runBatch(options)).toMatchObject({ documents: count, succeeded: count });
    expect(await runBatch(options)).toMatchObject({ documents: count, succeeded: count });
    expect([...idp.posts.values()]).toEqual(Array(count).fill(1));

    const records = (await readJournal(out)) ?? [];
    expect(await resultFiles(out)).toEqual(records.map((r) => `${r.executionId}.json.gz`).sort());
    // What a resume holds: the records, a few hundred bytes each, never the results.
    const held = records.reduce((n, r) => n + JSON.stringify(r).length, 0);
    expect(held / count).toBeLessThan(1_000);
    const journalBytes = (await stat(join(out, 'journal.jsonl'))).size;
    expect(journalBytes / count).toBeLessThan(4_000); // inline, each document would add 256 KiB
    for (const r of records) {
      const stored = (await fileResults(out).readResult(r)) as { pages: { words: string }[] };
      expect(stored.pages[0]?.words).toHaveLength(resultBytes);
    }
  });

  it('an older journal with results inline resumes: nothing is sent again, its results reach the outputs, the journal is not rewritten', async () => {
    const { idp, dir, input, out, options } = await batchOf(2);
    await runBatch(options);
    // The journal as the previous version wrote it: the execution inside the record, no results/.
    const results = fileResults(out);
    const records = (await readJournal(out)) ?? [];
    const lines: string[] = [];
    for (const r of records) {
      const { result: _, ...rest } = r;
      lines.push(`${JSON.stringify({ ...rest, execution: await results.readResult(r) })}\n`);
    }
    const old = lines.join('');
    await writeFile(join(out, 'journal.jsonl'), old);
    await rm(join(out, 'results'), { recursive: true });
    await rm(join(out, 'results.jsonl'));

    // Read-only readers (status, view, export) read the inline results from the journal's lines.
    const inline = (await readJournal(out)) ?? [];
    expect(inline.every((r) => r.execution === undefined)).toBe(true);
    const first = (await fileResults(out).readResult(inline[0] as DocumentRecord)) as { status: string };
    expect(first.status).toBe('SUCCEEDED');

    // One more document, and the same command again.
    await writeFile(join(input, 'doc-0002.pdf'), await readFile(join(input, 'doc-0000.pdf')));
    await documents(dir, 3, 'more');
    expect(await runBatch(options)).toMatchObject({ documents: 5, succeeded: 5, duplicates: 1 });
    expect([...idp.posts.values()]).toEqual([1, 1, 1, 1, 1]);
    const after = await readFile(join(out, 'journal.jsonl'), 'utf8');
    expect(after.startsWith(old)).toBe(true); // appended to, never rewritten
    expect(await totals(out)).toMatchObject({
      'doc-0000.pdf': '=doc-0000.pdf',
      'doc-0001.pdf': '=doc-0001.pdf',
      'more-0000.pdf': '=more-0000.pdf',
    });
    // The record that gained a duplicate was written again: with a pointer to its (copied) result.
    const again = (await readJournal(out)) ?? [];
    const withDuplicate = again.find((r) => r.duplicates?.length);
    expect(withDuplicate?.result?.file).toBe(`results/${withDuplicate?.executionId}.json.gz`);
    expect(await resultFiles(out)).toHaveLength(5);
  });

  it('a crash between writing the result and journaling its transition is harmless: the rerun writes the same file', async () => {
    const { idp, out, options } = await batchOf(1);
    // A journal whose write of the `retrieved` transition fails (as a crash at that moment would
    // leave it): the result file is there, the record still says `submitted`.
    const failing = async (path: string): Promise<JournalFile> => {
      const real = await open(path, 'a');
      return {
        async write(data, offset, length) {
          if (data.includes('"state":"retrieved"')) {
            throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
          }
          return real.write(data, offset, length);
        },
        datasync: () => real.datasync(),
        truncate: (n) => real.truncate(n),
        close: () => real.close(),
      };
    };
    const journal = await openFileJournalWith(out, failing);
    await expect(runBatch({ ...options, journal })).rejects.toThrow(JournalWriteError);
    await journal.close();
    const [record] = (await readJournal(out)) ?? [];
    expect(record?.state).toBe('submitted');
    const name = `${record?.executionId}.json.gz`;
    expect(await resultFiles(out)).toEqual([name]);
    // A write a kill cut short before its rename leaves a temporary file: removed on the next open.
    await writeFile(join(out, 'results', `${name}.4242.tmp`), '{"half":');

    expect(await runBatch(options)).toMatchObject({ documents: 1, succeeded: 1 });
    expect([...idp.posts.values()]).toEqual([1]);
    expect(await resultFiles(out)).toEqual([name]);
    const [done] = (await readJournal(out)) ?? [];
    expect(done).toMatchObject({ state: 'retrieved', executionId: record?.executionId });
    expect(await totals(out)).toEqual({ 'doc-0000.pdf': '=doc-0000.pdf' });
  });

  it('an execution id that is not a plain id never becomes a path: it is hashed', async () => {
    const dir = await tempDir();
    const journal = await openFileJournal(dir);
    try {
      const where = await journal.putResult('../../escape', { status: 'SUCCEEDED' });
      expect(where.file).toMatch(/^results\/[0-9a-f]{64}\.json\.gz$/);
      expect(await readdir(dir)).toEqual(expect.arrayContaining(['results']));
      expect(await readdir(join(dir, 'results'))).toHaveLength(1);
    } finally {
      await journal.close();
    }
  });
});
