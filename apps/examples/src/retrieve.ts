/**
 * Retrieve one execution by its ids (valueOnly=true) and print its status and fields.
 *   pnpm --filter @idp-kit/examples retrieve
 * Against the real service: set IDP_CLIENT_ID, IDP_CLIENT_SECRET, IDP_ORG_ID, IDP_ACTION_ID,
 * IDP_ACTION_VERSION and IDP_EXECUTION_ID (and IDP_REGION=eu-central-1 for the EU).
 */
import { pathToFileURL } from 'node:url';
import { formatExecution } from './print.js';
import { runExample } from './run-example.js';
import { exampleClient } from './settings.js';

export async function retrieve(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { client, ids, close } = await exampleClient(env);
  try {
    const { actionId, actionVersion, executionId } = ids;
    const execution = await client.getExecution(
      { actionId, actionVersion, executionId },
      { valueOnly: true },
    );
    console.log(formatExecution(execution));
  } finally {
    await close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runExample('retrieve', () => retrieve());
}
