// One batch run for the crash test, in a child process: settings from the environment.
// With STORE, one worker of a batch shared through PostgreSQL (the workers bench); prints its CPU too.
import { bucketConfig, RateBudget, type RateSource, runBatch } from '@idp-kit/batch';
import { openPostgresStore } from '@idp-kit/batch/postgres';
import { createIdpClient } from '@idp-kit/client';

const env = process.env as Record<string, string>;
const action = { actionId: env.actionId as string, actionVersion: env.actionVersion as string };
const journal = env.STORE ? await openPostgresStore({ url: env.STORE, batch: 'bench', action }) : undefined;
// RATE (requests per second) and SLICE: the rate bench's fleet budget, in the store's row; each take timed.
const takeMs: number[] = [];
const budget =
  env.RATE && journal?.rateSource
    ? new RateBudget(timed(await journal.rateSource(bucketConfig(Number(env.RATE)))), {
        slice: Number(env.SLICE ?? 1),
      })
    : undefined;
function timed(source: RateSource): RateSource {
  return {
    ...source,
    take: async (want) => {
      const started = performance.now();
      try {
        return await source.take(want);
      } finally {
        takeMs.push(performance.now() - started);
      }
    },
  };
}
const summary = await runBatch({
  client: createIdpClient({
    organizationId: env.ORG as string,
    baseUrl: env.BASE_URL as string,
    auth: {
      clientId: 'bench',
      clientSecret: 'bench-secret',
      tokenUrl: `${env.BASE_URL}/accounts/api/v2/oauth2/token`,
    },
    ...(budget ? { admit: budget.admit, hooks: [budget.hooks] } : {}),
  }),
  inputs: [env.INPUT as string],
  ...action,
  outDir: env.OUT as string,
  pollIntervalMs: 100,
  maxPollIntervalMs: 100,
  ...(env.UPLOADS ? { uploadConcurrency: Number(env.UPLOADS) } : {}),
  ...(env.CONFIDENCE === '1' ? { valueOnly: false } : {}),
  ...(env.POLLS_AT_ONCE ? { pollConcurrency: Number(env.POLLS_AT_ONCE) } : {}),
  ...(journal ? { journal } : {}),
});
budget?.dispose();
await journal?.close();
const cpu = process.cpuUsage();
const rate = budget ? { rate: { ...budget.stats, takeMs } } : {};
process.stdout.write(
  `${JSON.stringify(env.STORE ? { summary, cpuUs: cpu.user + cpu.system, ...rate } : summary)}\n`,
);
