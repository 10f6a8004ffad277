import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createIdpMcpServer, type IdpMcpOptions } from './server.js';

export { createIdpMcpServer, type IdpMcpOptions, MAX_RESULT_CHARS } from './server.js';

/**
 * Serves the IDP tools over stdio (the way MCP clients start local servers) until stdin closes.
 *
 * @example
 * ```ts
 * await serveStdio({ client: createIdpClient({ organizationId, auth }) });
 * ```
 */
export async function serveStdio(options: IdpMcpOptions): Promise<McpServer> {
  const server = createIdpMcpServer(options);
  await server.connect(new StdioServerTransport());
  return server;
}
