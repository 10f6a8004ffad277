import { join } from 'node:path';
import { closeAfterTest, IDS, postgresMissing } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import { ACTION, fakeBatchIdp } from './fake-batch-idp.js';
import { documents, jsonLines, spawnBatch, tempDir } from './helpers.js';
import { sharedPostgres } from './shared-postgres.js';

const missing = await postgresMissing('the many-workers test');
const pg = sharedPostgres();

const DOCUMENTS = 2_000;
const UPLOADS_PER_WORKER = 4; // run-batch.ts

/** One results.jsonl line without what differs between two runs of the same batch (execution ids). */
function comparable(line: Record<string, unknown>) {
  const { executionId: _id, ...rest } = line;
  return rest;
}

describe.skipIf(Boolean(missing))('many workers, one PostgreSQL batch', () => {
  it(`4 workers on ${DOCUMENTS} documents, 2 killed with -9 and 1 restarted: nothing lost, nothing POSTed twice, outputs as one worker's`, {
    timeout: 900_000,
  }, async () => {
    const dir = await tempDir();
    const input = await documents(dir, DOCUMENTS);

    // The kills happen at request counts seen by the fake IDP (events, not timers): the first once a
    // fifth of the ~6,000 requests are in, the second at two fifths, when one worker is started again.
    const kills: { at: number; act: () => void }[] = [];
    const idp = closeAfterTest(
      await fakeBatchIdp({
        onRequest: (_what, count) => {
          while (kills[0] && count >= kills[0].at) kills.shift()?.act();
        },
      }),
    );
    const env = (name: string, store: string) => ({
      ORG: IDS.organizationId,
      BASE_URL: idp.baseUrl,
      TOKEN_URL: idp.tokenUrl,
      INPUT: input,
      OUT: join(dir, `out-${name}`),
      ACTION_ID: ACTION.actionId,
      ACTION_VERSION: ACTION.actionVersion,
      STORE: store,
      BATCH: 'march',
      LEASE_MS: '3000',
    });
    const store = await pg.createDatabase('workers');
    const workers = ['w1', 'w2', 'w3', 'w4'].map((name) => ({ name, ...spawnBatch(env(name, store)) }));
    const restarted: ReturnType<typeof spawnBatch>[] = [];
    const [w1, w2] = workers;
    if (!w1 || !w2) throw new Error('unreachable');
    kills.push({ at: 1_200, act: w1.kill });
    kills.push({
      at: 2_400,
      act: () => {
        w2.kill();
        restarted.push(spawnBatch(env('w5', store)));
      },
    });
    const ends = await Promise.all(workers.map((w) => w.done));
    expect(ends.slice(0, 2)).toEqual([undefined, undefined]); // both were killed mid-run
    expect(restarted).toHaveLength(1);
    const summaries = [ends[2], ends[3], await restarted[0]?.done];

    // Every surviving worker saw the whole batch finish, and they agree.
    expect(summaries[1]).toEqual(summaries[0]);
    expect(summaries[2]).toEqual(summaries[0]);
    const summary = summaries[0];
    if (!summary) throw new Error('unreachable');
    // Nothing POSTed twice.
    expect(idp.posts.size).toBeGreaterThan(DOCUMENTS - 10);
    expect(Math.max(...idp.posts.values())).toBe(1);
    // Nothing lost: every document is done, or reported uncertain (an upload a kill cut off). At most
    // the uploads the two killed workers had in flight can be uncertain.
    expect(summary.documents).toBe(DOCUMENTS);
    expect(summary.pending).toBe(0);
    expect(summary.succeeded + summary.uncertain.length).toBe(DOCUMENTS);
    expect(summary.uncertain.length).toBeLessThanOrEqual(2 * UPLOADS_PER_WORKER);

    // The same batch on one worker, against a fresh IDP: the same outputs, document for document.
    const single = closeAfterTest(await fakeBatchIdp());
    const alone = await spawnBatch({
      ...env('single', await pg.createDatabase('single')),
      BASE_URL: single.baseUrl,
      TOKEN_URL: single.tokenUrl,
    }).done;
    expect(alone).toMatchObject({ documents: DOCUMENTS, succeeded: DOCUMENTS, uncertain: [] });
    const uncertain = new Set(summary.uncertain);
    const many = (await jsonLines(join(dir, 'out-w3', 'results.jsonl'))).filter(
      (l) => !uncertain.has(l.file as string),
    );
    const one = (await jsonLines(join(dir, 'out-single', 'results.jsonl'))).filter(
      (l) => !uncertain.has(l.file as string),
    );
    expect(many.length).toBe(DOCUMENTS - uncertain.size);
    expect(many.map(comparable)).toEqual(one.map(comparable));
  });
});
