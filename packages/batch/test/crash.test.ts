import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { closeAfterTest, IDS } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import type { BatchSummary } from '../src/index.js';
import { ACTION, type FakeBatchIdp, fakeBatchIdp } from './fake-batch-idp.js';
import { documents, jsonLines, spawnBatch, tempDir } from './helpers.js';

const DOCUMENTS = 40;
const KILLS = 6;

/** A small seeded PRNG: the "random moments" are the same in every run of the suite. */
function random(seed: number) {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

/**
 * Runs the batch in a child; with `killAt`, kill -9 it when the fake IDP sees that many requests in
 * total (an event, not a timer). Resolves with the summary the child printed, if it got that far.
 */
function run(
  idp: FakeBatchIdp & { arm(at: number, kill: () => void): void },
  env: Record<string, string>,
  killAt?: number,
): Promise<BatchSummary | undefined> {
  const child = spawnBatch(env);
  if (killAt !== undefined) idp.arm(killAt, child.kill);
  return child.done;
}

describe('kill -9 at random moments, then rerun', () => {
  it(`${KILLS} kills during a ${DOCUMENTS}-document batch: nothing lost, nothing paid twice, outputs complete`, async () => {
    let armed: { at: number; kill: () => void } | undefined;
    const base = closeAfterTest(
      await fakeBatchIdp({
        onRequest: (_what, count) => {
          if (armed && count >= armed.at) {
            armed.kill();
            armed = undefined;
          }
        },
      }),
    );
    const idp = Object.assign(base, {
      arm: (at: number, kill: () => void) => {
        armed = { at, kill };
      },
    });
    const dir = await tempDir();
    const input = await documents(dir, DOCUMENTS);
    const out = join(dir, 'out');
    const env = {
      ORG: IDS.organizationId,
      BASE_URL: idp.baseUrl,
      TOKEN_URL: idp.tokenUrl,
      INPUT: input,
      OUT: out,
      ACTION_ID: ACTION.actionId,
      ACTION_VERSION: ACTION.actionVersion,
    };
    const next = random(20261202);
    let kills = 0;
    // The batch needs about 3 requests per document (a POST, two GETs), 120 in all: each run is killed
    // within its first 15 requests, so that every kill lands inside work (uploads and waits alike).
    for (let i = 0; i < KILLS; i++) {
      const at = idp.seen.length + 1 + Math.floor(next() * 15);
      if ((await run(idp, env, at)) === undefined) kills++;
    }
    expect(kills).toBe(KILLS);

    const summary = await run(idp, env);
    if (!summary) throw new Error('the final run was killed');
    // Nothing submitted twice without the user's word.
    expect(Math.max(...idp.posts.values())).toBe(1);
    // Nothing lost: every document is done, or reported as uncertain.
    expect(summary.documents).toBe(DOCUMENTS);
    expect(summary.succeeded + summary.uncertain.length).toBe(DOCUMENTS);
    expect(summary.pending).toBe(0);
    // Outputs complete: one valid line per document, no duplicates.
    const lines = await jsonLines(join(out, 'results.jsonl'));
    expect(lines).toHaveLength(DOCUMENTS);
    expect(new Set(lines.map((l) => l.file)).size).toBe(DOCUMENTS);
    expect(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'))).toEqual(summary);

    // With the user's word, the uncertain ones are submitted again, and only those.
    const posted = [...idp.posts.values()].reduce((a, b) => a + b, 0);
    const resubmitted = await run(idp, { ...env, RESUBMIT: '1' });
    expect(resubmitted).toMatchObject({ succeeded: DOCUMENTS, uncertain: [] });
    const postedAfter = [...idp.posts.values()].reduce((a, b) => a + b, 0);
    expect(postedAfter - posted).toBe(summary.uncertain.length);
  });
});
