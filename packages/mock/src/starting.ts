import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The answer to a request that arrives before Prism is ready: 503 with `Retry-After: 1` and a one-line
 * problem, so that a client started together with the mock backs off and retries instead of hanging.
 */
export function answerStarting(req: IncomingMessage, res: ServerResponse): void {
  // Read the body (if any) to its end, so the connection stays usable for the retry.
  req.resume();
  const body = JSON.stringify({
    status: 503,
    title: 'Service Unavailable',
    detail: 'The IDP mock is starting (Prism is not ready yet); retry in a second.',
  });
  res.writeHead(503, {
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
    'retry-after': '1',
  });
  res.end(body);
}
