/** Reading an answer under the client's body cap, and the copy of it that hooks may ask for. */
import { type LimitedBody, limitBody } from '../body-limit.js';

const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * Reads an answer under the body cap. A reader that swallowed the cap's error (a submit's JSON
 * fallback) still fails with it: the cap is asked, not the reader. An answer that needs no counting
 * (almost all: a declared length that fits) goes to the reader as it is, with no wrapper around it.
 */
export function readCapped<R>(
  response: Response,
  maxBytes: number,
  operation: string,
  read: (capped: Response) => Promise<R>,
): Promise<R> {
  const limited = limitBody(response, maxBytes, operation);
  return limited.counted ? readCounted(limited, read) : read(response);
}

async function readCounted<R>(limited: LimitedBody, read: (capped: Response) => Promise<R>): Promise<R> {
  let value: R;
  try {
    value = await read(limited.response);
  } catch (error) {
    throw limited.exceeded() ?? error;
  }
  const exceeded = limited.exceeded();
  if (exceeded) throw exceeded;
  return value;
}

/**
 * Reads the answer's bytes once (capped), for a hook that asked for the body, and hands the operation
 * a response with the same status, headers and bytes to read as it would have.
 */
export async function readShared(
  response: Response,
  maxBytes: number,
  operation: string,
): Promise<{ text: string; copy: Response }> {
  const bytes = await readCapped(response, maxBytes, operation, (capped) => capped.arrayBuffer());
  const copy = new Response(NULL_BODY.has(response.status) ? null : bytes, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  return { text: new TextDecoder().decode(bytes), copy };
}
