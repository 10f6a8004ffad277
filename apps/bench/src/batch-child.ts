// One batch run for the crash test, in a child process: settings from the environment.
import { runBatch } from '@idp-kit/batch';
import { createIdpClient } from '@idp-kit/client';

const env = process.env as Record<string, string>;
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
  actionId: env.actionId as string,
  actionVersion: env.actionVersion as string,
  outDir: env.OUT as string,
  pollIntervalMs: 100,
  maxPollIntervalMs: 100,
});
process.stdout.write(`${JSON.stringify(summary)}\n`);
