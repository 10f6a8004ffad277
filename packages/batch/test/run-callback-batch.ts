// A batch run with callbacks in a child process, for the kill -9 test: settings from the environment
// (as run-batch.ts). The listener takes a free loopback port; the URL IDP is given is its own address.
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
  ? await openPostgresStore({ url: env.STORE, batch: env.BATCH ?? 'batch', action })
  : undefined;
try {
  const summary = await runBatch({
    client,
    inputs: [env.INPUT as string],
    ...action,
    outDir: env.OUT as string,
    uploadConcurrency: 4,
    callbacks: { listen: '127.0.0.1:0', sweepMs: Number(env.SWEEP_MS ?? 60_000) },
    waitTimeoutMs: 60_000,
    ...(journal ? { journal } : {}),
  });
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} finally {
  await journal?.close();
}
