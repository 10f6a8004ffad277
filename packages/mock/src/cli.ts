#!/usr/bin/env node
/** `pnpm mock`: runs the mock in the foreground and prints how to call it. */
import { EXAMPLE_EXECUTION } from './example.js';
import { MOCK_EXECUTIONS } from './scenarios.js';
import { exportLines, mockSettings } from './settings.js';
import { startMock } from './start-mock.js';

const port = process.env.PORT ? Number(process.env.PORT) : 4010;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number (0-65535), got ${JSON.stringify(process.env.PORT)}`);
  process.exit(2);
}

const mock = await startMock({
  port,
  ...(process.env.IDP_MOCK_VERBOSE ? { log: process.stderr } : {}),
}).catch((error: Error) => {
  console.error(`idp-mock: ${error.message}`);
  process.exit(1);
});
const { organizationId, actionId, actionVersion, executionId } = EXAMPLE_EXECUTION;
const executionsUrl = `${mock.baseUrl}/api/v1/organizations/${organizationId}/actions/${actionId}/versions/${actionVersion}/executions`;
const ids = Object.entries(MOCK_EXECUTIONS)
  .map(([name, id]) => `  ${name.padEnd(28)} ${id}`)
  .join('\n');

console.log(`IDP mock (Prism) listening on ${mock.baseUrl}

Get a token (any client id and secret work):
  curl -s -X POST ${mock.tokenUrl} \\
    -H 'Content-Type: application/json' \\
    -d '{"grant_type":"client_credentials","client_id":"my-client-id","client_secret":"my-client-secret"}'

Retrieve an execution (valueOnly=false adds confidence scores and geometry):
  curl -s '${executionsUrl}/${executionId}?valueOnly=true' \\
    -H 'Authorization: Bearer <access_token>'

Each of these execution ids shows one status, lifecycle or error (any other id: SUCCEEDED):
${ids}

Point idp-kit (the idp command, the examples, the MCP server) at it: paste these in another terminal.
${exportLines(mockSettings(mock)).join('\n')}

Press Ctrl-C to stop.`);

let stopping = false;
const shutdown = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  void mock.stop().then(() => {
    console.log(`\nmock stopped (${signal})`);
    process.exit(0);
  });
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
