/**
 * Retrieve one execution by its ids (valueOnly=true) and print its status and fields.
 * Runs against the bundled mock unless IDP_BASE_URL / IDP_TOKEN_URL point elsewhere.
 */
import { clientCredentials } from '@idp-kit/auth';
import { createIdpClient, type Execution } from '@idp-kit/client';
import { formatExecution } from './print.js';
import { EXAMPLE_EXECUTION } from './settings.js';

export interface RetrieveOptions {
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
}

export async function retrieve(options: RetrieveOptions): Promise<Execution> {
  const { organizationId, ...ref } = EXAMPLE_EXECUTION;
  const idp = createIdpClient({
    organizationId,
    baseUrl: options.baseUrl,
    auth: clientCredentials({
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      tokenUrl: options.tokenUrl,
    }),
  });
  const execution = await idp.getExecution(ref, { valueOnly: true });
  console.log(formatExecution(execution));
  return execution;
}
