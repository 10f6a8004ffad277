// A batch run in a child process, for the kill -9 tests: settings from the environment. With STORE,
// the run is one worker of a batch shared through PostgreSQL.
import { createIdpClient } from '@idp-kit/client';
import { runBatch } from '../src/index.js';
import { openPostgresStore } from '../src/postgres.js';

const env = process.env as Record<string, string>;
const client = createIdpClient({
  organizationId: env.ORG as string,
  baseUrl: env.BASE_URL as string,
  auth: { clientId: 'batch', clientSecret: 'batch-secret', tokenUrl: env.TOKEN_URL as string },
  retry: { baseDelayMs: 1, maxDelayMs: 5 },
});
const action = { actionId: env.ACTION_ID as string, actionVersion: env.ACTION_VERSION as string };
const journal = env.STORE
  ? await openPostgresStore({
      url: env.STORE,
      batch: env.BATCH ?? 'batch',
      action,
      leaseMs: Number(env.LEASE_MS ?? 30_000),
    })
  : undefined;
try {
  const summary = await runBatch({
    client,
    inputs: [env.INPUT as string],
    ...action,
    outDir: env.OUT as string,
    uploadConcurrency: 4,
    pollIntervalMs: 1,
    maxPollIntervalMs: 2,
    resubmitUncertain: env.RESUBMIT === '1',
    ...(env.UNTIL === 'final' ? { until: 'final' as const } : {}),
    ...(journal ? { journal } : {}),
  });
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} finally {
  await journal?.close();
}
