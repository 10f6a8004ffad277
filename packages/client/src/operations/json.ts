import { answerJson, unexpectedShape } from '../api-error.js';
import { checkPage, DEFAULT_PAGE_SIZE, type PageOptions } from '../pages.js';
import type { CallOptions, Operation, Pipeline } from '../pipeline.js';

const ACCEPT = 'application/json, application/problem+json';

/** A JSON request of the review and discovery operations: the pipeline's rules, and a body check. */
export interface JsonRequest<T> {
  name: string;
  method: 'GET' | 'PATCH' | 'DELETE';
  url: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Tells whether the parsed body has the expected shape (a proxy may answer 200 with a page). */
  accept?: (body: unknown) => body is T;
  /** Names what the body should have been, for the error when `accept` refuses it. */
  expected?: string;
  advice?: Operation<T>['advice'];
  /** Statuses handed to `read` (default 2xx); for answers whose meaning depends on the attempt. */
  expect?: readonly number[];
  /** Reads an answer itself (instead of the JSON check), e.g. a 404 that means "already done". */
  read?: Operation<T>['read'];
}

/**
 * Sends one JSON operation on the pipeline: auth (the token, or Basic where configured), retries for
 * GET and DELETE (repeating either changes nothing), timeouts, hooks. A PATCH carries the whole review
 * payload, so repeating it changes nothing either: it is retried like a GET.
 */
export async function sendJson<T>(
  pipeline: Pipeline,
  request: JsonRequest<T>,
  call: CallOptions,
): Promise<T> {
  const { name, url } = request;
  const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
  const { value } = await pipeline.run<T>(
    {
      name,
      method: request.method,
      url,
      headers: {
        Accept: ACCEPT,
        ...(payload !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(payload !== undefined ? { body: () => payload } : {}),
      idempotent: true,
      auth: true,
      basic: true,
      ...(request.advice ? { advice: request.advice } : {}),
      ...(request.expect ? { expect: request.expect } : {}),
      read: async (response, attempt) => {
        if (request.read) return request.read(response, attempt);
        const text = await response.text();
        if (request.method === 'DELETE' || !request.accept) return undefined as T;
        const plainUrl = url.split('?')[0] ?? url;
        const body = answerJson(name, response, text, plainUrl, 'the wrong URL');
        if (!request.accept(body)) {
          throw unexpectedShape(
            name,
            response,
            plainUrl,
            `The body is not ${request.expected ?? 'what was expected'}`,
            'the wrong URL',
          );
        }
        return body;
      },
    },
    call,
  );
  return value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A list call's paging, checked, as `?page=…&size=…[&sort=…]` (page 0 and `DEFAULT_PAGE_SIZE` unless
 * given), and the options left for the call itself.
 */
export function pageQuery<T extends PageOptions & { sort?: string }>(
  options: T,
): { query: string; call: Omit<T, 'page' | 'size' | 'sort'> } {
  checkPage(options);
  const { page, size, sort, ...call } = options;
  const query = new URLSearchParams({ page: String(page ?? 0), size: String(size ?? DEFAULT_PAGE_SIZE) });
  if (sort !== undefined) query.set('sort', sort);
  return { query: `?${query}`, call };
}
