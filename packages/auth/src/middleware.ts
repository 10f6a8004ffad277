import type { Middleware } from 'openapi-fetch';
import type { TokenProvider } from './token-provider.js';

const BEARER = /^Bearer (.+)$/;

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
      if (response.status !== 401) return undefined;
      const rejected = BEARER.exec(request.headers.get('Authorization') ?? '')?.[1];
      provider.invalidate(rejected);
      const fresh = await provider.getToken({ signal: request.signal });
      if (fresh === rejected) return undefined;
      const replay = new Request(unsent.get(request) ?? request);
      replay.headers.set('Authorization', `Bearer ${fresh}`);
      await response.body?.cancel();
      return options.fetch(replay);
    },
  };
}
