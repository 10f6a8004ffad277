import { IdpResponseTooLargeError } from './errors.js';

/**
 * The default cap on an answer's body: 64 MiB. A 150-page result with confidence and geometry is about
 * 2.5 MB, so the cap is 25 times the largest answer IDP gives, and still stops a hostile or broken
 * server from filling memory (a 600 MB body took 1.33 GB, four times over with retries).
 *
 * @example
 * ```ts
 * createIdpClient({ organizationId, auth, maxResponseBytes: 2 * DEFAULT_MAX_RESPONSE_BYTES });
 * ```
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

const noneExceeded = () => undefined;

/** A response whose body may be read up to a cap, and whether the cap was passed. */
export interface LimitedBody {
  response: Response;
  /** False when the body needs no counting (a declared length that fits): `response` is the answer itself. */
  counted: boolean;
  /** The error, once the body passed the cap (readers may have swallowed it: the pipeline asks here). */
  exceeded(): IdpResponseTooLargeError | undefined;
}

function tooLarge(operation: string, status: number, limit: number, what: string) {
  return new IdpResponseTooLargeError(
    `${operation}: the answer (HTTP ${status}) is ${what}, over the limit of ${limit} bytes (maxResponseBytes); ` +
      'reading stopped there and the call was not retried. A proxy or a wrong URL may be answering; raise maxResponseBytes only if you expect answers this large.',
    { limit, status, operation },
  );
}

/**
 * Caps the body of `response` at `limit` bytes. A `Content-Length` over the cap fails at once, before
 * any byte is read. Otherwise the body is counted as it streams (a declared length may be absent, or
 * a compressed body may grow as it is decoded), and the stream errors as the cap is passed: the rest
 * is never read, and the connection is dropped.
 */
export function limitBody(response: Response, limit: number, operation: string): LimitedBody {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) {
    void response.body?.cancel().catch(() => {});
    throw tooLarge(operation, response.status, limit, `${declared} bytes (Content-Length)`);
  }
  const body = response.body;
  // Fast path (almost every answer): fetch delivers no more than a declared length of a body that is
  // not decoded, so a length that fits needs no counting stream.
  const encoding = response.headers.get('content-encoding');
  if (body === null || (declared >= 0 && (encoding === null || encoding === 'identity'))) {
    return { response, counted: false, exceeded: noneExceeded };
  }
  let error: IdpResponseTooLargeError | undefined;
  let seen = 0;
  const counted = body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > limit) {
          error = tooLarge(operation, response.status, limit, `more than ${limit} bytes`);
          // Erroring the stream cancels the source: nothing past the cap is read.
          controller.error(error);
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
  const limited = new Response(counted, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  return { response: limited, counted: true, exceeded: () => error };
}
