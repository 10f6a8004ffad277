// The MCP server over stdio with a client from the environment, as the tests start it.
import { createIdpClient } from '@idp-kit/client';
import { serveStdio } from '../src/index.js';

const env = process.env as Record<string, string>;
const secret = env.IDP_CLIENT_SECRET as string;
await serveStdio({
  client: createIdpClient({
    organizationId: env.IDP_ORG_ID as string,
    baseUrl: env.IDP_BASE_URL as string,
    ...(env.IDP_CONTROL_PLANE_URL ? { controlPlaneUrl: env.IDP_CONTROL_PLANE_URL } : {}),
    auth: {
      clientId: env.IDP_CLIENT_ID as string,
      clientSecret: secret,
      tokenUrl: env.IDP_TOKEN_URL as string,
    },
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  }),
  allowWrites: env.ALLOW_WRITES === '1',
  pollIntervalMs: 50,
  ...(env.MCP_CWD ? { cwd: env.MCP_CWD } : {}),
  redact: (text) => text.split(secret).join('[redacted]'),
});
