import { closeAfterTest, fakeIdp, IDS } from '@idp-kit/testkit';
import { createIdpClient, type IdpClientOptions } from '../src/index.js';

/** A fake IDP on loopback plus a client pointed at it with credentials (fast retries). */
export async function setup(
  runtime: Parameters<typeof fakeIdp>[0],
  options: Partial<IdpClientOptions> = {},
  token?: Parameters<typeof fakeIdp>[1],
) {
  const idp = closeAfterTest(await fakeIdp(runtime, token));
  const client = createIdpClient({
    organizationId: IDS.organizationId,
    baseUrl: idp.baseUrl,
    auth: { clientId: 'client-1', clientSecret: 'secret-1', tokenUrl: idp.tokenUrl },
    retry: { baseDelayMs: 5, maxDelayMs: 50 },
    ...options,
  });
  return { idp, client };
}

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}
