// With until: 'final', a batch keeps the result seen at MANUAL_VALIDATION_REQUIRED beside the final one
// (results/<executionId>.review.json.gz): the values before a review and after it, for idp eval harvest.
import { existsSync, readdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { closeAfterTest, IDS, until } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import { type DocumentRecord, fileResults, readJournal, runBatch } from '../src/index.js';
import { ACTION, fakeBatchIdp } from './fake-batch-idp.js';
import { batchOf, clientFor, documents, FAST, spawnBatch, tempDir } from './helpers.js';

/** The values a reviewer sees (a low score on total) and what they leave after the review. */
const inReview = (file: string) => ({
  total: { value: `1,${file.length}00.00`, confidenceScore: 41 },
  vendor: { value: 'ACME', confidenceScore: 97 },
});
const afterReview = (file: string) => ({
  total: { value: `1,${file.length}90.00`, confidenceScore: 41 },
  vendor: { value: 'ACME', confidenceScore: 97 },
});
const fieldsOf = (execution: unknown) =>
  (execution as { fields?: Record<string, { value: string }> } | undefined)?.fields;

async function kept(out: string) {
  const results = fileResults(out);
  const records = (await readJournal(out)) ?? [];
  return Promise.all(
    records.map(async (r: DocumentRecord) => ({
      file: r.fileName,
      status: r.status,
      review: fieldsOf(await results.readReviewResult(r)),
      final: fieldsOf(await results.readResult(r)),
    })),
  );
}

const reviewFiles = async (out: string) =>
  (await readdir(join(out, 'results'))).filter((n) => n.endsWith('.review.json.gz')).length;

describe('until final keeps the result at review and the final one', () => {
  it('reviewed documents have both (before and after the review); the others only the final one', async () => {
    const reviewed = new Set(['doc-0000.pdf', 'doc-0002.pdf']);
    // Approved once the batch has seen it in review: asked at each poll, the first answer is no.
    const seen = new Set<string>();
    const { options, out } = await batchOf(3, {
      review: (f) => reviewed.has(f),
      approved: (f) => {
        const again = seen.has(f);
        seen.add(f);
        return again;
      },
      fields: (f, review) => (review ? inReview(f) : afterReview(f)),
    });
    const summary = await runBatch({ ...options, until: 'final' });
    expect(summary).toMatchObject({ documents: 3, succeeded: 3 });
    const byFile = Object.fromEntries((await kept(out)).map((k) => [k.file, k]));
    expect(byFile['doc-0000.pdf']).toMatchObject({
      review: { total: { value: '1,1200.00' } },
      final: { total: { value: '1,1290.00' } },
    });
    expect(byFile['doc-0002.pdf']?.review?.total?.value).toBe('1,1200.00');
    expect(byFile['doc-0001.pdf']?.review).toBeUndefined();
    expect(byFile['doc-0001.pdf']?.final?.total?.value).toBe('1,1290.00');
    expect(await reviewFiles(out)).toBe(2);
  });

  it('without until final nothing more is kept: a document in review is settled, no review file', async () => {
    const { options, out } = await batchOf(2, {
      review: () => true,
      fields: (f, r) => (r ? inReview(f) : afterReview(f)),
    });
    expect(await runBatch(options)).toMatchObject({ documents: 2, needsReview: 2 });
    expect(await reviewFiles(out).catch(() => 0)).toBe(0);
  });

  it('kill -9 between the two writes, then rerun: both are kept, and the review-time one is the first seen', async () => {
    // Until the kill, the documents stay in review; after it, each is seen in review once more (with a
    // reviewer's edits, which must not replace the values kept), then approved.
    let phase: 'before' | 'after' = 'before';
    const pollsAfter = new Map<string, number>();
    const idp = closeAfterTest(
      await fakeBatchIdp({
        review: () => true,
        approved: (f) => {
          if (phase === 'before') return false;
          const n = (pollsAfter.get(f) ?? 0) + 1;
          pollsAfter.set(f, n);
          return n > 1;
        },
        fields: (f, review) =>
          review
            ? phase === 'before'
              ? inReview(f)
              : { ...inReview(f), vendor: { value: 'edited by a reviewer' } }
            : afterReview(f),
      }),
    );
    const dir = await tempDir();
    const input = await documents(dir, 2);
    const out = join(dir, 'out');
    const child = spawnBatch({
      ORG: IDS.organizationId,
      BASE_URL: idp.baseUrl,
      TOKEN_URL: idp.tokenUrl,
      INPUT: input,
      OUT: out,
      ACTION_ID: ACTION.actionId,
      ACTION_VERSION: ACTION.actionVersion,
      UNTIL: 'final',
    });
    const names = () => (existsSync(join(out, 'results')) ? readdirSync(join(out, 'results')) : []);
    // Both review-time results are whole on disk (renamed into place); no final one can exist yet.
    await until(() => names().filter((n) => n.endsWith('.review.json.gz')).length === 2, 'two review files');
    child.kill();
    expect(await child.done).toBeUndefined();
    expect(names().filter((n) => /^[\w-]+\.json\.gz$/.test(n))).toEqual([]);
    phase = 'after';
    const summary = await runBatch({
      client: clientFor(idp),
      inputs: [input],
      ...ACTION,
      outDir: out,
      until: 'final',
      ...FAST,
    });
    expect(summary).toMatchObject({ documents: 2, succeeded: 2 });
    expect([...pollsAfter.values()].every((n) => n >= 2)).toBe(true); // each was seen in review again
    for (const k of await kept(out)) {
      expect(k.review).toEqual(inReview(k.file));
      expect(k.final).toEqual(afterReview(k.file));
    }
    expect(Math.max(...idp.posts.values())).toBe(1);
  });
});
