import { createIdpClient, type IdpClient } from '@idp-kit/client';
import { EXAMPLE_EXECUTION, startMock } from '@idp-kit/mock';

/** The brief's example execution, served by the bundled mock. */
export { EXAMPLE_EXECUTION };

export interface ExampleClient {
  client: IdpClient;
  /** Where the ids come from: the environment, or the example ids served by the mock. */
  ids: { organizationId: string; actionId: string; actionVersion: string; executionId: string };
  /** True when talking to the bundled mock. */
  mock: boolean;
  close(): Promise<void>;
}

/**
 * A client for the real service when IDP_CLIENT_ID, IDP_CLIENT_SECRET and IDP_ORG_ID are set (with
 * IDP_REGION, IDP_BASE_URL, IDP_TOKEN_URL, IDP_ACTION_ID, IDP_ACTION_VERSION, IDP_EXECUTION_ID as
 * needed); otherwise the bundled mock is started and used.
 */
export async function exampleClient(env = process.env): Promise<ExampleClient> {
  if (env.IDP_CLIENT_ID && env.IDP_CLIENT_SECRET && env.IDP_ORG_ID) {
    const client = createIdpClient({
      organizationId: env.IDP_ORG_ID,
      ...(env.IDP_REGION ? { region: env.IDP_REGION as 'us-east-1' | 'eu-central-1' } : {}),
      ...(env.IDP_BASE_URL ? { baseUrl: env.IDP_BASE_URL } : {}),
      auth: {
        clientId: env.IDP_CLIENT_ID,
        clientSecret: env.IDP_CLIENT_SECRET,
        ...(env.IDP_TOKEN_URL ? { tokenUrl: env.IDP_TOKEN_URL } : {}),
      },
    });
    const ids = {
      organizationId: env.IDP_ORG_ID,
      actionId: env.IDP_ACTION_ID ?? EXAMPLE_EXECUTION.actionId,
      actionVersion: env.IDP_ACTION_VERSION ?? EXAMPLE_EXECUTION.actionVersion,
      executionId: env.IDP_EXECUTION_ID ?? EXAMPLE_EXECUTION.executionId,
    };
    return { client, ids, mock: false, close: async () => {} };
  }
  // IDP_MOCK_LIFECYCLE_MS: how long a submitted document takes to settle on the mock (default 20 s).
  const lifecycleMs = env.IDP_MOCK_LIFECYCLE_MS ? Number(env.IDP_MOCK_LIFECYCLE_MS) : undefined;
  // IDP_MOCK_PRISM_URL: a Prism that runs already (the tests start one for all the examples' runs).
  const prismUrl = env.IDP_MOCK_PRISM_URL;
  const mock = await startMock({
    ...(lifecycleMs ? { lifecycleMs } : {}),
    ...(prismUrl ? { prismUrl } : {}),
  });
  console.log(`Using the bundled IDP mock (Prism) at ${mock.baseUrl}: no IDP_* credentials set.\n`);
  const client = createIdpClient({
    organizationId: EXAMPLE_EXECUTION.organizationId,
    baseUrl: mock.baseUrl,
    auth: { clientId: 'example-client', clientSecret: 'example-secret', tokenUrl: mock.tokenUrl },
  });
  return { client, ids: { ...EXAMPLE_EXECUTION }, mock: true, close: () => mock.stop() };
}
