import type { Middleware } from 'openapi-fetch';
import type { TokenProvider } from './token-provider.js';

const BEARER = /^Bearer (.+)$/;

/**
 * The 401 rule, for any caller that sends its own requests: when `result` is a 401 for `rejected`,
 * drop that token and send once more with a fresh one. Any other response comes back as it is.
 *
 * @example
 * ```ts
 * const token = await auth.getToken();
 * const response = await retryOn401(auth, await send(token), token, send);
 * ```
 */
export async function retryOn401<R extends { status: number }>(
  provider: TokenProvider,
  result: R,
  rejected: string | undefined,
  resend: (token: string) => Promise<R>,
  signal?: AbortSignal,
): Promise<R> {
  if (result.status !== 401) return result;
  provider.invalidate(rejected);
  const fresh = await provider.getToken(signal ? { signal } : {});
  if (fresh === rejected) return result;
  return resend(fresh);
}

/**
 * openapi-fetch middleware: sets `Authorization: Bearer …` from `provider` and, when the server answers
 * 401, drops that token and replays the request once with a fresh one. A second 401 reaches the caller.
 *
 * @example
 * ```ts
 * const client = createClient<paths>({ baseUrl });
 * client.use(authMiddleware(clientCredentials({ clientId, clientSecret })));
 * ```
 */
export function authMiddleware(provider: TokenProvider): Middleware {
  // A request body can be read once; keep an unread copy of the ones that have a body, for the replay.
  const unsent = new WeakMap<Request, Request>();
  return {
    async onRequest({ request }) {
      const token = await provider.getToken({ signal: request.signal });
      request.headers.set('Authorization', `Bearer ${token}`);
      if (request.body !== null) unsent.set(request, request.clone());
      return request;
    },
    async onResponse({ request, response, options }) {
      const rejected = BEARER.exec(request.headers.get('Authorization') ?? '')?.[1];
      const replayed = await retryOn401(
        provider,
        response,
        rejected,
        async (fresh) => {
          await response.body?.cancel();
          const replay = new Request(unsent.get(request) ?? request);
          replay.headers.set('Authorization', `Bearer ${fresh}`);
          return options.fetch(replay);
        },
        request.signal,
      );
      return replayed === response ? undefined : replayed;
    },
  };
}
