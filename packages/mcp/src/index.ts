import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { createIdpMcpServer, type IdpMcpOptions } from './server.js';
import { LineStdioTransport } from './stdio-transport.js';

export { MAX_RESULT_CHARS } from './result-size.js';
export { createIdpMcpServer, type IdpMcpOptions } from './server.js';

/**
 * Serves the IDP tools over stdio (the way MCP clients start local servers) until stdin closes. A line
 * that is not JSON, not JSON-RPC, or over 10 MB gets a JSON-RPC error, and the server keeps serving.
 *
 * @example
 * ```ts
 * await serveStdio({ client: createIdpClient({ organizationId, auth }) });
 * ```
 */
export async function serveStdio(options: IdpMcpOptions): Promise<McpServer> {
  const server = createIdpMcpServer(options);
  await server.connect(new LineStdioTransport());
  return server;
}
