import createClient, { type Client } from 'openapi-fetch';
import type { Pipeline } from './pipeline.js';
import type { paths } from './types.js';

const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * The typed escape hatch: an openapi-fetch client whose every request runs on the client's pipeline
 * (auth and the 401 replay, retries, timeouts, hooks, logging). Its own middlewares (`raw.use()`) see
 * only raw requests; the client's hooks see everything.
 */
export function rawClient(pipeline: Pipeline, baseUrl: string): Client<paths> {
  const pipelineFetch = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    // Read once, sent as often as the retries need.
    const body = request.body === null ? undefined : await request.arrayBuffer();
    const { value } = await pipeline.run(
      {
        name: 'raw',
        method: request.method,
        url: request.url,
        headers: Object.fromEntries(request.headers),
        ...(body ? { body: () => body } : {}),
        idempotent: request.method === 'GET' || request.method === 'HEAD',
        auth: true,
        expect: 'any',
        // Buffered inside the attempt's timeout, so that a stalled body is a timeout like any other.
        read: async (response) =>
          NULL_BODY.has(response.status) || response.body === null
            ? response
            : new Response(await response.arrayBuffer(), response),
      },
      { signal: request.signal },
    );
    return value;
  };
  return createClient<paths>({ baseUrl, fetch: pipelineFetch as typeof fetch });
}
