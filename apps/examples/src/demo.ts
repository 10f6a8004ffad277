/**
 * `pnpm demo`: the retrieve example, always against the bundled mock (IDP_* settings are ignored here):
 * start the mock, get a token from it, retrieve the brief's execution, print it, stop the mock.
 */
import { retrieve } from './retrieve.js';
import { runExample } from './run-example.js';

await runExample('demo', async () => {
  await retrieve({});
  console.log(
    '\nMock stopped. Next: `pnpm idp mock` to try the idp command against a mock that keeps running (the README: "The CLI in five minutes"), or `pnpm test`.',
  );
});
