import { parseRetryAfter } from '@idp-kit/http';
import {
  type ApiErrorDetails,
  IdpApiError,
  IdpForbiddenError,
  IdpNotFoundError,
  IdpRateLimitError,
  IdpServerError,
  IdpUnauthorizedError,
} from './errors.js';
import { MAX_JSON_DEPTH, nestedDeeperThan } from './json-depth.js';
import type { Problem } from './types.js';

/** Headers that carry a request id, most specific first. Which one MuleSoft sends is not yet known. */
const REQUEST_ID_HEADERS = ['x-request-id', 'x-correlation-id', 'x-amzn-requestid', 'x-b3-traceid'];

const ADVICE: Record<number, string> = {
  401: 'The token was refused, also a fresh one: check that the connected app has the scope "Execute Published Actions".',
  403: 'Check that the connected app has the scope "Execute Published Actions" and access to this business group.',
  404: 'Check the ids and version, and that organizationId is the business group that owns the action (the parent organization gives 404). Results of a successful execution are kept 24 hours.',
  406: 'The service cannot answer in an acceptable representation.',
  429: 'Rate limited (requests per minute per IP), also after retries: slow down and try again later.',
};

/** Characters of tokens and credentials (base64, base64url, JWT, URL- and JSON-escaped). */
const TOKEN_CHAR = /[\w.~+/=%\\-]/;

/**
 * At most 160 characters of a body, tags and runs of space removed: enough to recognise an HTML page.
 * A cut never falls inside a word of token characters: that word is dropped whole, so an echoed token
 * the cut would halve (and the redactor could then not recognise) is not shown in part.
 */
export function excerpt(text: string): string {
  const plain = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (plain.length <= 160) return plain;
  let end = 157;
  if (TOKEN_CHAR.test(plain.charAt(end))) while (end > 0 && TOKEN_CHAR.test(plain.charAt(end - 1))) end--;
  return `${plain.slice(0, end)}…`;
}

export function jsonOrText(text: string): unknown {
  // Too deep to be a problem document: shown as an excerpt, never handed on as a structure.
  if (nestedDeeperThan(text)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isProblem(value: unknown): value is Problem {
  return (
    typeof value === 'object' &&
    value !== null &&
    (typeof (value as Problem).title === 'string' || typeof (value as Problem).detail === 'string')
  );
}

/**
 * The error for an HTTP error answer: the class by status, a message naming the operation, the status,
 * the problem's title and detail, the request id and what to do (`advice` wins over the general advice).
 */
export function apiError(
  operation: string,
  response: Response,
  body: unknown,
  url: string,
  advice?: string,
): IdpApiError {
  const { status } = response;
  const problem = isProblem(body) ? body : undefined;
  const requestId = REQUEST_ID_HEADERS.map((h) => response.headers.get(h)).find((v) => v) ?? undefined;
  const parts = [`${operation} failed: HTTP ${status}`];
  if (problem?.title) parts.push(` ${problem.title}`);
  if (problem?.detail) parts.push(` — ${problem.detail}`);
  if (!problem && typeof body === 'string' && body.trim()) {
    parts.push(` — ${response.headers.get('content-type') ?? 'untyped'} body: "${excerpt(body)}"`);
  }
  if (requestId) parts.push(` (request id ${requestId})`);
  const hint =
    advice ??
    ADVICE[status] ??
    (status >= 500 ? 'The service failed, also after retries: try again later.' : '');
  // A detail that ends its own sentence gets no second full stop.
  if (hint) parts.push(`${/[.!?]$/.test(parts.at(-1) ?? '') ? '' : '.'} ${hint}`);
  const message = parts.join('');
  const details: ApiErrorDetails = {
    status,
    operation,
    url,
    headers: new Headers(response.headers),
    ...(problem ? { problem } : {}),
    ...(requestId ? { requestId } : {}),
  };
  switch (status) {
    case 401:
      return new IdpUnauthorizedError(message, details);
    case 403:
      return new IdpForbiddenError(message, details);
    case 404:
      return new IdpNotFoundError(message, details);
    case 429: {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      return new IdpRateLimitError(message, {
        ...details,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      });
    }
    default:
      return status >= 500 ? new IdpServerError(message, details) : new IdpApiError(message, details);
  }
}

/**
 * The JSON of a successful answer, or the error for one that is empty or not JSON (a proxy's page, a
 * wrong URL): the caller's operation, status and an excerpt of what came instead.
 */
export function answerJson(
  operation: string,
  response: Response,
  text: string,
  url: string,
  who: string,
): unknown {
  const unexpected = (what: string) => unexpectedShape(operation, response, url, what, who);
  if (!text) throw unexpected('The body is empty');
  if (nestedDeeperThan(text)) {
    throw unexpected(`The body nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw unexpected(
      `The body is not JSON (${response.headers.get('content-type') ?? 'no content type'}: "${excerpt(text)}")`,
    );
  }
}

/** The error for a JSON answer that is not the shape the operation expects. */
export function unexpectedShape(
  operation: string,
  response: Response,
  url: string,
  what: string,
  who: string,
) {
  return apiError(operation, response, undefined, url, `${what}: a proxy or ${who} may be answering.`);
}
