// A batch run in a child process, for the kill -9 test: settings from the environment.
import { createIdpClient } from '@idp-kit/client';
import { runBatch } from '../src/index.js';

const env = process.env as Record<string, string>;
const client = createIdpClient({
  organizationId: env.ORG as string,
  baseUrl: env.BASE_URL as string,
  auth: { clientId: 'batch', clientSecret: 'batch-secret', tokenUrl: env.TOKEN_URL as string },
  retry: { baseDelayMs: 1, maxDelayMs: 5 },
});
const summary = await runBatch({
  client,
  inputs: [env.INPUT as string],
  actionId: env.ACTION_ID as string,
  actionVersion: env.ACTION_VERSION as string,
  outDir: env.OUT as string,
  uploadConcurrency: 4,
  pollIntervalMs: 1,
  maxPollIntervalMs: 2,
  resubmitUncertain: env.RESUBMIT === '1',
});
process.stdout.write(`${JSON.stringify(summary)}\n`);
