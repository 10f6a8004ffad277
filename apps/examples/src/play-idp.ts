/**
 * Plays IDP: sends the callback IDP sends when an execution settles (PATCH, JSON, no auth).
 *   pnpm --filter @idp-kit/examples play-idp '<callback url>' [executionId]
 */
import { EXAMPLE_EXECUTION } from './settings.js';

const [url, executionId = EXAMPLE_EXECUTION.executionId] = process.argv.slice(2);
if (!url) {
  console.error('usage: play-idp <callback url> [executionId]');
  process.exit(2);
}
const response = await fetch(url, {
  method: 'PATCH',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({
    executionId,
    actionId: EXAMPLE_EXECUTION.actionId,
    version: EXAMPLE_EXECUTION.actionVersion,
  }),
});
console.log(`callback answered HTTP ${response.status}`);
process.exitCode = response.status === 204 ? 0 : 1;
