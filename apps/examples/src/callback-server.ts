/**
 * Receive IDP's callbacks: a node:http server that checks the nonce, fetches the execution named in the
 * callback and prints it.
 *   pnpm --filter @idp-kit/examples callback-server [--once]
 * It prints the URL to pass as `callbackUrl` at submit. `play-idp.ts <url>` plays IDP against it.
 * IDP_CALLBACK_SECRET sets the nonce (a random one is made otherwise); PORT the port (default: any free).
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callbackUrl, createCallbackHandler, toNodeHandler } from '@idp-kit/client/callback';
import { formatExecution } from './print.js';
import { runExample } from './run-example.js';
import { exampleClient } from './settings.js';

await runExample('callback-server', async () => {
  const once = process.argv.includes('--once');
  const secret = process.env.IDP_CALLBACK_SECRET ?? randomBytes(24).toString('base64url');
  const { client, ids, close } = await exampleClient();

  const handler = createCallbackHandler({
    client,
    secret,
    onResult: async (execution) => {
      console.log(`Callback received; fetched the execution:\n${formatExecution(execution)}`);
      if (once) await shutdown();
    },
    onError: (error) =>
      console.error(`Callback for an execution that could not be fetched: ${(error as Error).message}`),
  });
  const server = createServer(toNodeHandler(handler));
  await new Promise<void>((resolve) => server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = callbackUrl(`http://127.0.0.1:${port}/idp/callback`, secret, {
    actionId: ids.actionId,
    actionVersion: ids.actionVersion,
  });
  console.log(`Listening. Callback URL (pass it as callbackUrl at submit):\n${url}\n`);

  async function shutdown() {
    server.close();
    server.closeAllConnections();
    await close();
  }
  process.once('SIGINT', () => void shutdown());
});
