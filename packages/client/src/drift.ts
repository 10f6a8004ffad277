/**
 * Spec drift: does what the service answers still match the spec idp-kit is built on? Each JSON answer
 * is checked against the bundled spec's schema with ajv, and every difference is reported by JSON path
 * with the *class* of what came (string, number, object, …), never the value: a report can be pasted
 * into a bug report without leaking data. A separate entry (`@idp-kit/client/drift`, needs `ajv`):
 * nothing of it is loaded unless you import it.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { ANSWER_SCHEMAS, SPEC_SCHEMAS } from './generated/schemas.js';
import type { IdpHooks } from './hooks.js';

/**
 * One difference between an answer and the spec.
 *
 * @example
 * ```ts
 * const d: Drift = { path: '$.pages[0].fields.total.confidenceScore', kind: 'type', expected: 'number', got: 'string' };
 * ```
 */
export interface Drift {
  /** JSON path in the body, `$` for the body itself. */
  path: string;
  /**
   * `type` (another JSON type), `missing` (a required field absent), `extra` (a field the spec does not
   * name: a note, not a failure), `value` (a value outside the listed ones or the range), `not-json`
   * (the body is not JSON: an HTML error page, say), `other`.
   */
  kind: 'type' | 'missing' | 'extra' | 'value' | 'not-json' | 'other';
  /** What the spec expects (a type, a keyword). Never a value from the answer. */
  expected?: string;
  /** The class of what came: `string`, `number`, `boolean`, `null`, `array`, `object`, a media type. */
  got?: string;
  /** True for differences that are notes (an extra field), not failures. */
  note?: boolean;
}

/**
 * What the drift check found in one answer.
 *
 * @example
 * ```ts
 * const report: DriftReport = { method: 'GET', url, status: 200, schema: 'Execution', drift: [] };
 * ```
 */
export interface DriftReport {
  method: string;
  /** The URL without its query string. */
  url: string;
  status: number;
  /** The spec's schema for this answer (`Execution`, `ReviewTask[]`, …). */
  schema: string;
  drift: Drift[];
  /** Which request-id header the answer carried, if any. */
  requestIdHeader?: string;
}

const REQUEST_ID_HEADERS = ['x-request-id', 'x-correlation-id', 'x-amzn-requestid', 'x-b3-traceid'];

function classOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** `/pages/0/fields/total` → `$.pages[0].fields.total`. */
function jsonPath(pointer: string, extra?: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return `$${parts.map((p) => (/^\d+$/.test(p) ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`)).join('')}`;
}

function at(body: unknown, pointer: string): unknown {
  let value = body;
  for (const part of pointer.split('/').slice(1)) {
    value = (value as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return value;
}

/** The spec's schemas with `additionalProperties: false` wherever the spec names the properties. */
function closed(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closed);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = closed(value);
  if ('properties' in out && !('additionalProperties' in out)) out.additionalProperties = false;
  return out;
}

let compiled:
  | { open: Map<string, ValidateFunction>; closed: Map<string, ValidateFunction>; ajv: Ajv2020[] }
  | undefined;

function validators(schema: string): [ValidateFunction, ValidateFunction] {
  if (!compiled) {
    // Not strict: OpenAPI's own keywords (`example`, formats such as `uuid`) are not JSON Schema's.
    const make = (id: string, schemas: unknown) => {
      const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
      ajv.addSchema({ $id: id, components: { schemas } });
      return ajv;
    };
    compiled = {
      open: new Map(),
      closed: new Map(),
      ajv: [make('spec:open', SPEC_SCHEMAS), make('spec:closed', closed(SPEC_SCHEMAS))],
    };
  }
  const state = compiled;
  const get = (which: 'open' | 'closed', index: number) => {
    let fn = state[which].get(schema);
    if (!fn) {
      const array = schema.endsWith('[]');
      const ref = { $ref: `spec:${which}#/components/schemas/${array ? schema.slice(0, -2) : schema}` };
      fn = (state.ajv[index] as Ajv2020).compile(array ? { type: 'array', items: ref } : ref);
      state[which].set(schema, fn);
    }
    return fn;
  };
  return [get('open', 0), get('closed', 1)];
}

function toDrift(error: ErrorObject, body: unknown): Drift {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      return {
        path: jsonPath(error.instancePath),
        kind: 'type',
        expected: String(params.type),
        got: classOf(at(body, error.instancePath)),
      };
    case 'required':
      return { path: jsonPath(error.instancePath, String(params.missingProperty)), kind: 'missing' };
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      return {
        path: jsonPath(error.instancePath, name),
        kind: 'extra',
        got: classOf((at(body, error.instancePath) as Record<string, unknown> | undefined)?.[name]),
        note: true,
      };
    }
    case 'enum':
    case 'const':
    case 'minimum':
    case 'maximum':
    case 'minLength':
    case 'pattern':
      return {
        path: jsonPath(error.instancePath),
        kind: 'value',
        expected:
          error.keyword === 'enum'
            ? `one of ${(params.allowedValues as unknown[]).join(', ')}`
            : error.keyword,
        got: classOf(at(body, error.instancePath)),
      };
    default:
      return { path: jsonPath(error.instancePath), kind: 'other', expected: error.keyword };
  }
}

/**
 * Every difference between `body` and the spec's schema named `schema` (`Execution`, `ReviewTask[]`, …):
 * type changes, missing required fields, values outside the listed ones, and (as notes) fields the spec
 * does not name. Never a value from the body.
 *
 * @example
 * ```ts
 * for (const d of checkBody('Execution', JSON.parse(text))) console.log(d.path, d.kind, d.expected, d.got);
 * ```
 */
export function checkBody(schema: string, body: unknown): Drift[] {
  const [open, strict] = validators(schema);
  const drift: Drift[] = [];
  const seen = new Set<string>();
  const add = (d: Drift) => {
    const key = `${d.path} ${d.kind} ${d.expected ?? ''}`;
    if (!seen.has(key)) {
      seen.add(key);
      drift.push(d);
    }
  };
  if (!open(body)) for (const error of open.errors ?? []) add(toDrift(error, body));
  if (!strict(body)) {
    for (const error of strict.errors ?? [])
      if (error.keyword === 'additionalProperties') add(toDrift(error, body));
  }
  return drift;
}

/**
 * The spec's schema for an answer: by method, the URL's path and the status. `undefined` when the spec
 * names none (a 204, a path it does not know).
 *
 * @example
 * ```ts
 * schemaFor('GET', 'https://idp-rt.us-east-1.anypoint.mulesoft.com/api/v1/organizations/…/executions/…', 200); // 'Execution'
 * ```
 */
export function schemaFor(method: string, url: string, status: number): string | undefined {
  const path = new URL(url).pathname;
  for (const answer of ANSWER_SCHEMAS) {
    if (answer.method !== method.toUpperCase() || answer.status !== status) continue;
    const pattern = new RegExp(`${answer.path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (pattern.test(path)) return answer.schema;
  }
  return undefined;
}

/**
 * Checks one answer, given as text (an HTML page is drift too). `undefined` when the spec names no
 * schema for it.
 *
 * @example
 * ```ts
 * const report = checkAnswer('GET', url, response.status, response.headers, await response.text());
 * ```
 */
export function checkAnswer(
  method: string,
  url: string,
  status: number,
  headers: Headers,
  text: string,
): DriftReport | undefined {
  const schema = schemaFor(method, url, status);
  if (!schema) return undefined;
  const requestIdHeader = REQUEST_ID_HEADERS.find((h) => headers.has(h));
  const base = {
    method: method.toUpperCase(),
    url: url.split('?')[0] ?? url,
    status,
    schema,
    ...(requestIdHeader ? { requestIdHeader } : {}),
  };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const type = headers.get('content-type')?.split(';')[0] ?? 'no content type';
    return { ...base, drift: [{ path: '$', kind: 'not-json', expected: 'JSON', got: type }] };
  }
  return { ...base, drift: checkBody(schema, body) };
}

/**
 * Hooks for `createIdpClient({ hooks })` that check each operation's answer against the spec, once per
 * operation: a retried call is checked on the answer it ended with, not on every attempt. Each report
 * goes to `onReport` before the call returns (the client's own behaviour is unchanged). Only answers
 * the spec describes are read for it; the token request's answer is checked with its token blanked.
 *
 * @example
 * ```ts
 * import { driftHooks } from '@idp-kit/client/drift';
 * const idp = createIdpClient({ organizationId, auth, hooks: [driftHooks({
 *   onReport: (r) => r.drift.length && console.warn(`${r.method} ${r.url}: ${r.drift.length} difference(s) from the spec`),
 * })] });
 * ```
 */
export function driftHooks(options: { onReport: (report: DriftReport) => void }): IdpHooks {
  return {
    wantsBody: (operation, response) =>
      schemaFor(operation.method, operation.url, response.status) !== undefined,
    operationEnd(operation, outcome) {
      const answer = outcome.response;
      if (answer?.body === undefined) return;
      const report = checkAnswer(operation.method, operation.url, answer.status, answer.headers, answer.body);
      if (!report) return;
      try {
        options.onReport(report);
      } catch {
        // a reporter that throws must not change the call
      }
    },
  };
}

/**
 * A `fetch` for `createIdpClient({ fetch })` that checks every answer the spec describes against it and
 * hands each report to `onReport` (the client's own behaviour is unchanged). Opt-in: a client without it
 * never loads any of this.
 *
 * @deprecated Use `driftHooks()`: this wrapper sits under the pipeline, so it checks every attempt of
 * a retried call.
 *
 * @example
 * ```ts
 * import { driftCheckingFetch } from '@idp-kit/client/drift';
 * const idp = createIdpClient({ organizationId, auth, fetch: driftCheckingFetch(fetch, {
 *   onReport: (r) => r.drift.length && console.warn(`${r.method} ${r.url}: ${r.drift.length} difference(s) from the spec`),
 * }) });
 * ```
 */
export function driftCheckingFetch(
  inner: typeof fetch,
  options: { onReport: (report: DriftReport) => void },
): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    const request = input instanceof Request ? input : undefined;
    const method = init?.method ?? request?.method ?? 'GET';
    const url = request?.url ?? String(input);
    if (schemaFor(method, url, response.status)) {
      // Read a copy before the client reads the answer: the report is in before the call returns.
      const text = await response
        .clone()
        .text()
        .catch(() => undefined);
      const report =
        text === undefined ? undefined : checkAnswer(method, url, response.status, response.headers, text);
      if (report) {
        try {
          options.onReport(report);
        } catch {
          // a reporter that throws must not change the call
        }
      }
    }
    return response;
  };
}
