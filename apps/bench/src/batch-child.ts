// One batch run for the crash test, in a child process: settings from the environment.
// With STORE, one worker of a batch shared through PostgreSQL (the workers bench); prints its CPU too.
import { runBatch } from '@idp-kit/batch';
import { openPostgresStore } from '@idp-kit/batch/postgres';
import { createIdpClient } from '@idp-kit/client';

const env = process.env as Record<string, string>;
const action = { actionId: env.actionId as string, actionVersion: env.actionVersion as string };
const journal = env.STORE ? await openPostgresStore({ url: env.STORE, batch: 'bench', action }) : undefined;
const summary = await runBatch({
  client: createIdpClient({
    organizationId: env.ORG as string,
    baseUrl: env.BASE_URL as string,
    auth: {
      clientId: 'bench',
      clientSecret: 'bench-secret',
      tokenUrl: `${env.BASE_URL}/accounts/api/v2/oauth2/token`,
    },
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
await journal?.close();
const cpu = process.cpuUsage();
process.stdout.write(`${JSON.stringify(env.STORE ? { summary, cpuUs: cpu.user + cpu.system } : summary)}\n`);
