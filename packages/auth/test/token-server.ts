import { closeAfterTest, loopback } from '@idp-kit/testkit';
import { clientCredentials } from '../src/index.js';

/** A secret long enough to be redacted (8 characters or more). */
export const SECRET = 'sUp3r-s3cret-V4lue';

/** A loopback token endpoint, closed when the test ends. */
export async function tokenServer(handler: Parameters<typeof loopback>[0]) {
  const server = closeAfterTest(await loopback(handler));
  return { server, tokenUrl: `${server.url}/accounts/api/v2/oauth2/token` };
}

/** A provider for `tokenUrl` with the test's client id and secret. */
export function provider(tokenUrl: string, extra: Partial<Parameters<typeof clientCredentials>[0]> = {}) {
  return clientCredentials({ clientId: 'client-1', clientSecret: SECRET, tokenUrl, ...extra });
}

/** The reason `promise` rejects with; fails if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}
