/**
 * Plays IDP: sends the callback IDP sends when an execution settles (PATCH, JSON, no auth).
 *   pnpm --filter @idp-kit/examples play-idp '<callback url>' [executionId]
 */
import { InputError, runExample } from './run-example.js';
import { EXAMPLE_EXECUTION } from './settings.js';

await runExample('play-idp', async () => {
  const [url, executionId = EXAMPLE_EXECUTION.executionId] = process.argv.slice(2);
  if (!url) throw new InputError('usage: play-idp <callback url> [executionId]');
  const response = await fetch(url, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      executionId,
      actionId: EXAMPLE_EXECUTION.actionId,
      version: EXAMPLE_EXECUTION.actionVersion,
    }),
  }).catch((error: Error) => {
    throw new Error(
      `cannot reach ${new URL(url).origin}: ${(error.cause as Error | undefined)?.message ?? error.message}`,
    );
  });
  console.log(`callback answered HTTP ${response.status}`);
  process.exitCode = response.status === 204 ? 0 : 1;
});
